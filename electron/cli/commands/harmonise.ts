import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { writeFileAtomically } from '../../engine/core/atomic-write.js';
import { HilumError } from '../../engine/core/errors.js';
import { applyCombat, COMBAT_FORMAT, type CombatParams, estimateNewBatch, fitCombat, refuseOutcomeCovariate } from '../../engine/stats/combat/index.js';
import { formatFinding } from '../output.js';
import { featureColumns, numericColumn, readHarmoniseTable, replacedCsv } from './harmonise-table.js';

const list = (v?: string) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [];

function readParams(file: string): CombatParams {
  let p: CombatParams;
  try {
    p = JSON.parse(readFileSync(file, 'utf8')) as CombatParams;
  } catch (e) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${file}: not a readable harmonisation file (${(e as Error).message})` });
  }
  if (p?.format !== COMBAT_FORMAT)
    throw new HilumError({ code: 'HARMONISE_INVALID', message: `${file} is not a harmonisation file of format ${COMBAT_FORMAT}` });
  return p;
}

const writeJson = (file: string, value: unknown) => writeFileAtomically(file, JSON.stringify(value, null, 1) + '\n');

interface TableOptions {
  data: string;
  join?: string;
  batch?: string;
  out?: string;
  json?: boolean;
}

/** The batch, feature and covariate columns of a table for the given parameters. */
function tableFor(o: TableOptions, params: CombatParams) {
  const table = readHarmoniseTable(o.data, o.join);
  const batchColumn = o.batch ?? params.batchColumn;
  if (!batchColumn) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--batch <column> is needed (the parameters do not name their batch column)' });
  const names = [...params.features, ...params.unchanged];
  const features = Object.fromEntries(names.map((f) => [f, numericColumn(table, f)]));
  const covariates = Object.fromEntries(params.covariates.map((c) => [c, numericColumn(table, c)]));
  return { table, batchColumn, batch: table.column(batchColumn), features, covariates };
}

export function registerHarmonise(program: Command): void {
  const h = program
    .command('harmonise')
    .description(
      'ComBat harmonisation of features across centres or scanners (Johnson et al. 2007; sva::ComBat): fit on training data → frozen parameters; ' +
        'apply them to new patients of known batches; estimate a new centre from a group of its own patients (docs/cli.md)',
    );

  h.command('fit')
    .description('fit ComBat on a feature table and write the frozen parameters (and the harmonised table)')
    .requiredOption('--data <file.csv>', 'feature table: an ID in the first column, one row per patient')
    .option('--join <file.csv>', 'a second table (e.g. the manifest) joined on its first column, for the batch and covariate columns')
    .requiredOption('--batch <column>', 'the batch column (centre, scanner, …)')
    .option('--features <a,b,…>', 'the feature columns (default: every numeric column but the ID, batch, covariates, outcome and --exclude)')
    .option('--exclude <a,b,…>', 'columns that are not features')
    .option('--covariates <a,b,…>', 'numeric covariates whose effects are preserved (binary as 0/1); never the outcome')
    .option('--outcome <column>', 'the outcome column: left out of the features and refused as a covariate', 'label')
    .option('--reference-batch <name>', 'leave this batch unchanged and bring the others to it (M-ComBat)')
    .option('--non-parametric', 'non-parametric empirical-Bayes priors (sva par.prior = FALSE)')
    .option('--mean-only', 'adjust the location only')
    .requiredOption('--params <file.json>', 'write the frozen parameters here')
    .option('--out <file.csv>', 'write the harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action(
      (
        o: TableOptions & {
          features?: string;
          exclude?: string;
          covariates?: string;
          outcome: string;
          referenceBatch?: string;
          nonParametric?: boolean;
          meanOnly?: boolean;
          params: string;
        } & { batch: string },
      ) => {
        const covariateNames = list(o.covariates);
        refuseOutcomeCovariate(covariateNames, o.outcome);
        const table = readHarmoniseTable(o.data, o.join);
        const exclude = new Set([o.batch, o.outcome, ...covariateNames, ...list(o.exclude)]);
        const featureNames = featureColumns(table, list(o.features), exclude);
        if (featureNames.includes(o.outcome)) refuseOutcomeCovariate([o.outcome], o.outcome);
        const fit = fitCombat(
          {
            batch: table.column(o.batch),
            rowIds: table.ids,
            featureNames,
            features: Object.fromEntries(featureNames.map((f) => [f, numericColumn(table, f)])),
            covariateNames,
            covariates: Object.fromEntries(covariateNames.map((c) => [c, numericColumn(table, c)])),
          },
          { parametric: !o.nonParametric, meanOnly: o.meanOnly, referenceBatch: o.referenceBatch },
        );
        const params: CombatParams = { ...fit.params, batchColumn: o.batch };
        writeJson(o.params, params);
        if (o.out) writeFileAtomically(o.out, replacedCsv(table, fit.adjusted));
        report(o.json, params, fit.findings.map(formatFinding), `fitted ComBat on ${table.ids.length} patients → ${o.params}${o.out ? `, ${o.out}` : ''}`);
      },
    );

  h.command('apply')
    .description('harmonise a table of patients from known batches with frozen parameters')
    .requiredOption('--params <file.json>', 'the parameters (from harmonise fit or estimate-batch)')
    .requiredOption('--data <file.csv>', 'feature table: an ID in the first column')
    .option('--join <file.csv>', 'a second table joined on its first column, for the batch and covariate columns')
    .option('--batch <column>', 'the batch column (default: the one the parameters were fitted with)')
    .requiredOption('--out <file.csv>', 'write the harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action((o: TableOptions & { params: string; out: string }) => {
      const params = readParams(o.params);
      const t = tableFor(o, params);
      const adjusted = applyCombat(params, { batch: t.batch, rowIds: t.table.ids, features: t.features, covariates: t.covariates });
      writeFileAtomically(o.out, replacedCsv(t.table, adjusted));
      report(o.json, params, [], `harmonised ${t.table.ids.length} patients with ${o.params} → ${o.out}`);
    });

  h.command('estimate-batch')
    .description('estimate a new centre’s batch from a group of its own patients against frozen parameters (the training batches do not change)')
    .requiredOption('--params <file.json>', 'the frozen parameters')
    .requiredOption('--data <file.csv>', 'the new centre’s patients: an ID in the first column')
    .option('--join <file.csv>', 'a second table joined on its first column, for the batch and covariate columns')
    .option('--batch <column>', 'the batch column; every row must name the same new batch')
    .option('--name <batch>', 'the new batch’s name (instead of a batch column)')
    .requiredOption('--params-out <file.json>', 'write the parameters with the new batch here')
    .option('--out <file.csv>', 'write the new centre’s harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action((o: TableOptions & { params: string; name?: string; paramsOut: string }) => {
      const params = readParams(o.params);
      const table = readHarmoniseTable(o.data, o.join);
      let name = o.name;
      if (!name) {
        const t = tableFor(o, params);
        const names = [...new Set(t.batch)];
        if (names.length !== 1)
          throw new HilumError({
            code: 'HARMONISE_INVALID',
            message: `estimate-batch takes the patients of one new batch; ${o.data} has ${names.length} (${names.join(', ')})`,
          });
        name = names[0];
      }
      const features = Object.fromEntries([...params.features, ...params.unchanged].map((f) => [f, numericColumn(table, f)]));
      const covariates = Object.fromEntries(params.covariates.map((c) => [c, numericColumn(table, c)]));
      const updated = estimateNewBatch(params, name, { rowIds: table.ids, features, covariates });
      writeJson(o.paramsOut, updated);
      if (o.out) {
        const batch = table.ids.map(() => name);
        writeFileAtomically(o.out, replacedCsv(table, applyCombat(updated, { batch, rowIds: table.ids, features, covariates })));
      }
      report(o.json, updated, [], `estimated batch ${name} from ${table.ids.length} patients → ${o.paramsOut}${o.out ? `, ${o.out}` : ''}`);
    });
}

function report(json: boolean | undefined, p: CombatParams, findings: string[], headline: string): void {
  const batches = Object.entries(p.batches).map(([name, b]) => ({ name, samples: b.samples, source: b.source, iterations: b.iterations }));
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          parametric: p.parametric,
          meanOnly: p.meanOnly,
          referenceBatch: p.referenceBatch,
          features: p.features.length,
          unchanged: p.unchanged,
          covariates: p.covariates,
          batches,
          findings,
        },
        null,
        1,
      ) + '\n',
    );
    return;
  }
  const lines = [
    headline,
    `  ComBat, ${p.parametric ? 'parametric' : 'non-parametric'} priors${p.meanOnly ? ', location only' : ''}${p.referenceBatch ? `, reference batch ${p.referenceBatch}` : ''}; ` +
      `${p.features.length} features harmonised${p.unchanged.length ? `, ${p.unchanged.length} unchanged` : ''}; covariates: ${p.covariates.join(', ') || 'none'}`,
    ...batches.map((b) => `  batch ${b.name.padEnd(12)} ${String(b.samples).padStart(5)} patients (${b.source})`),
    ...findings.map((f) => `  ${f}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
