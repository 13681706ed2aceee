import type { Command } from 'commander';
import { HilumError } from '../../engine/core/errors.js';
import { crossValidateLasso } from '../../engine/stats/lasso/cross-validation.js';
import { type LambdaGridOptions, parseLambdaList } from '../../engine/stats/lasso/lambda-grid.js';
import { fitLogistic } from '../../engine/stats/logistic-regression.js';
import { fmt, formatFinding } from '../output.js';
import { readNumericColumns } from './evaluate.js';
import { parseCsv } from '../../engine/core/csv.js';
import { readFileSync } from 'node:fs';
import { appendAll } from '../../engine/core/append-all.js';

interface FitOptions {
  data: string;
  outcome: string;
  predictors?: string;
  all?: boolean;
  foldid?: string;
  nfolds: string;
  seed: string;
  measure: string;
  lambda?: string;
  nlambda?: string;
  lambdaMinRatio?: string;
  json?: boolean;
}

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description(
      'fit a model to a CSV: `logistic` (R glm: coefficients with SE, z, p, odds ratio and 95 % CI, deviance, AIC; Firth refit on separation) or ' +
        '`lasso` (glmnet: λ path, k-fold CV curve, λ.min, λ.1se and coefficients at both) (docs/cli.md)',
    )
    .argument('<model>', 'logistic or lasso')
    .requiredOption('--data <file.csv>', 'a CSV with a header row')
    .requiredOption('--outcome <column>', 'the 0/1 outcome column (1 = event)')
    .option('--predictors <a,b,…>', 'predictor columns')
    .option('--all', 'every column except the outcome (and --foldid) as a predictor')
    .option('--foldid <column>', 'lasso: a column with each row’s fold (1…K)')
    .option('--nfolds <k>', 'lasso: folds when no --foldid is given', '10')
    .option('--seed <n>', 'lasso: seed of the folds', '1')
    .option('--measure <deviance|auc>', 'lasso: cross-validation measure', 'deviance')
    .option('--lambda <v1,v2,…>', 'lasso: fit this λ list (glmnet lambda=; fitted in decreasing order, at least two values)')
    .option('--nlambda <n>', 'lasso: length of the computed λ path (glmnet nlambda; default 100)')
    .option(
      '--lambda-min-ratio <r>',
      'lasso: smallest λ of the computed path as a fraction of λ_max (glmnet lambda.min.ratio; default 1e-4, or 0.01 when n < p)',
    )
    .option('--json', 'print the full result as JSON')
    .action((model: string, opts: FitOptions) => {
      if (model !== 'logistic' && model !== 'lasso')
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `model must be logistic or lasso, got '${model}'` });
      if (model === 'logistic' && (opts.lambda ?? opts.nlambda ?? opts.lambdaMinRatio) !== undefined)
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--lambda, --nlambda and --lambda-min-ratio apply to lasso only' });
      const predictors = predictorNames(opts);
      const extra = opts.foldid ? [opts.foldid] : [];
      const { y, columns } = readNumericColumns(opts.data, opts.outcome, [...predictors, ...extra]);
      const x = Object.fromEntries(predictors.map((p) => [p, columns[p]]));
      if (model === 'logistic') {
        const fit = fitLogistic({ y, x, outcomeName: opts.outcome }, predictors);
        const { fitted: _f, linearPredictor: _l, ...rest } = fit;
        if (opts.json) return void process.stdout.write(JSON.stringify(rest, null, 1) + '\n');
        const lines = [
          `logistic regression (${fit.method}) of ${opts.outcome}: n ${fit.n}, events ${fit.events}, deviance ${fmt(fit.deviance, 3)}, AIC ${fmt(fit.aic, 3)}`,
        ];
        lines.push(`  ${'term'.padEnd(20)} ${'estimate'.padStart(10)} ${'SE'.padStart(9)} ${'z'.padStart(8)} ${'p'.padStart(9)}   OR (95 % CI)`);
        for (const c of fit.coefficients)
          lines.push(
            `  ${c.name.padEnd(20)} ${fmt(c.estimate, 4).padStart(10)} ${fmt(c.se, 4).padStart(9)} ${fmt(c.z, 3).padStart(8)} ${fmt(c.p, 5).padStart(9)}   ${fmt(c.oddsRatio, 3)} (${fmt(c.oddsRatioCi[0], 3)}–${fmt(c.oddsRatioCi[1], 3)})`,
          );
        appendAll(
          lines,
          fit.findings.map((f) => '  ' + formatFinding(f)),
        );
        process.stdout.write(lines.join('\n') + '\n');
        return;
      }
      if (opts.measure !== 'deviance' && opts.measure !== 'auc')
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--measure must be deviance or auc, got '${opts.measure}'` });
      const cv = crossValidateLasso({ y, x, outcomeName: opts.outcome }, predictors, {
        foldid: opts.foldid ? columns[opts.foldid] : undefined,
        nFolds: Number(opts.nfolds),
        seed: Number(opts.seed),
        measure: opts.measure,
        ...lambdaGrid(opts),
      });
      const result = {
        measure: cv.measure,
        lambda: cv.lambda,
        cvm: cv.cvm,
        cvsd: cv.cvsd,
        nzero: cv.nzero,
        lambdaMin: cv.lambdaMin,
        lambda1se: cv.lambda1se,
        coefficientsMin: cv.coefficientsMin,
        coefficients1se: cv.coefficients1se,
        selected1se: cv.selected1se,
        foldid: cv.foldid,
      };
      if (opts.json) return void process.stdout.write(JSON.stringify(result, null, 1) + '\n');
      const nonzero = (c: Record<string, number>) => Object.entries(c).filter(([k, v]) => k !== '(Intercept)' && v !== 0);
      process.stdout.write(
        [
          `LASSO logistic regression of ${opts.outcome}: ${predictors.length} predictors, ${cv.lambda.length} λ, ${new Set(cv.foldid).size}-fold CV (${cv.measure})`,
          `  λ.min ${fmt(cv.lambdaMin, 6)}: ${nonzero(cv.coefficientsMin).length} predictors`,
          `  λ.1se ${fmt(cv.lambda1se, 6)}: ${
            nonzero(cv.coefficients1se)
              .map(([k, v]) => `${k} ${fmt(v, 4)}`)
              .join(', ') || 'none'
          }`,
        ].join('\n') + '\n',
      );
    });
}

/** The λ grid options (glmnet's lambda, nlambda, lambda.min.ratio); checked by the engine. */
function lambdaGrid(opts: FitOptions): LambdaGridOptions {
  const number = (flag: string, text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag} must be a number, got '${text}'` });
    return v;
  };
  return {
    ...(opts.lambda !== undefined ? { lambda: parseLambdaList(opts.lambda) } : {}),
    ...(opts.nlambda !== undefined ? { nLambda: number('--nlambda', opts.nlambda) } : {}),
    ...(opts.lambdaMinRatio !== undefined ? { lambdaMinRatio: number('--lambda-min-ratio', opts.lambdaMinRatio) } : {}),
  };
}

function predictorNames(opts: FitOptions): string[] {
  if (opts.predictors && opts.all) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give --predictors or --all, not both' });
  if (opts.predictors)
    return opts.predictors
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (!opts.all) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give --predictors a,b,… or --all' });
  const header = (parseCsv(readFileSync(opts.data, 'utf8'))[0] ?? []).map((h) => h.trim());
  return header.filter((h) => h !== opts.outcome && h !== opts.foldid);
}
