import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crossValidateLasso } from '../../electron/engine/stats/lasso/cross-validation.js';
import { tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const stats = path.resolve(__dirname, '../fixtures/stats');
const asah = path.join(stats, 'data', 'asah.csv');
const glm = JSON.parse(readFileSync(path.join(stats, 'expected', 'glm_asah.json'), 'utf8'));
const tmp = tempDir('hilum-cli-fit-');
afterAll(() => tmp.cleanup());

/** wdbc with its reference fold assignment joined in as the column `fold`, written to `name` in the temporary folder. */
function wdbcWithFolds(name: string): { file: string; data: string[]; folds: string[] } {
  const data = readFileSync(path.join(stats, 'data', 'wdbc.csv'), 'utf8')
    .trim()
    .split('\n');
  const folds = readFileSync(path.join(stats, 'data', 'wdbc_foldid.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[1]);
  const file = path.join(tmp.dir, name);
  writeFileSync(file, [`${data[0]},fold`, ...data.slice(1).map((l, i) => `${l},${folds[i]}`)].join('\n') + '\n');
  return { file, data, folds };
}

describe('hilum fit', () => {
  it('logistic reproduces R glm: estimates, SE, z, p, odds ratios with Wald CI, deviance and AIC (aSAH, 5 predictors)', async () => {
    const r = await runCli(['fit', 'logistic', '--data', asah, '--outcome', 'outcome', '--predictors', 'age,gender,wfns,s100b,ndka', '--json']);
    expect(r.code).toBe(0);
    const fit = JSON.parse(r.stdout);
    const e = glm.multivariable;
    for (const c of fit.coefficients) {
      const ref = e.coefficients[c.name];
      expect(c.estimate).toBeCloseTo(ref.estimate, 8);
      expect(c.se).toBeCloseTo(ref.se, 8);
      expect(c.z).toBeCloseTo(ref.z, 7);
      expect(c.p).toBeCloseTo(ref.p_wald, 9);
      expect(c.oddsRatioCi[0]).toBeCloseTo(ref.or_ci95_wald[0], 8);
      expect(c.oddsRatioCi[1]).toBeCloseTo(ref.or_ci95_wald[1], 7);
    }
    expect(fit.deviance).toBeCloseTo(e.deviance, 8);
    expect(fit.aic).toBeCloseTo(e.aic, 8);
    const text = await runCli(['fit', 'logistic', '--data', asah, '--outcome', 'outcome', '--predictors', 's100b']);
    expect(text.stdout).toMatch(/s100b\s+\S+\s+\S+\s+\S+\s+\S+\s+[\d.]+ \([\d.]+–[\d.]+\)/);
  });

  it('lasso with a fold column gives the engine’s cross-validated path, λ.min ≤ λ.1se, and coefficients at both', async () => {
    const { file, data, folds } = wdbcWithFolds('wdbc.csv');
    const header = data[0].split(',');
    const features = header.filter((h) => h !== 'id' && h !== 'y');
    const r = await runCli(['fit', 'lasso', '--data', file, '--outcome', 'y', '--predictors', features.join(','), '--foldid', 'fold', '--json']);
    expect(r.code).toBe(0);
    const cv = JSON.parse(r.stdout);
    expect(cv.lambdaMin).toBeLessThanOrEqual(cv.lambda1se);
    expect(cv.foldid.slice(0, 5).map(String)).toEqual(folds.slice(0, 5));
    const rows = data.slice(1).map((l) => l.split(',').map(Number));
    const direct = crossValidateLasso(
      { y: rows.map((r) => r[header.indexOf('y')]), x: Object.fromEntries(features.map((f) => [f, rows.map((r) => r[header.indexOf(f)])])) },
      features,
      { foldid: folds.map(Number) },
    );
    expect(cv.lambdaMin).toBe(direct.lambdaMin);
    expect(cv.coefficients1se).toEqual(direct.coefficients1se);
    expect(cv.selected1se.length).toBeGreaterThan(0);
    const bad = await runCli(['fit', 'ridge', '--data', file, '--outcome', 'y', '--all']);
    expect(bad.stderr).toMatch(/model must be logistic or lasso/);
    const neither = await runCli(['fit', 'logistic', '--data', file, '--outcome', 'y']);
    expect(neither.stderr).toMatch(/give --predictors a,b,… or --all/);
  });
});

describe('hilum fit lasso with a λ grid (glmnet lambda=, nlambda, lambda.min.ratio)', () => {
  const ref = JSON.parse(readFileSync(path.join(stats, 'expected', 'lasso_wdbc.json'), 'utf8'));
  const features: string[] = ref.features;
  const withFolds = () => wdbcWithFolds('wdbc-grid.csv').file;
  const base = (file: string) => ['fit', 'lasso', '--data', file, '--outcome', 'y', '--predictors', features.join(','), '--foldid', 'fold', '--json'];

  it('--lambda reproduces cv.glmnet (lasso_wdbc.json cv_deviance): λ.min, λ.1se, cvm, cvsd and coefficients at both, in any order given', async () => {
    const file = withFolds();
    const e = ref.cv_deviance;
    for (const grid of [ref.lambda as number[], [...ref.lambda].reverse()]) {
      const r = await runCli([...base(file), '--lambda', grid.join(',')]);
      expect(r.code, r.stderr).toBe(0);
      const cv = JSON.parse(r.stdout);
      expect(cv.lambda).toEqual(ref.lambda);
      expect(cv.lambdaMin).toBe(e.lambda_min);
      expect(cv.lambda1se).toBe(e.lambda_1se);
      cv.cvm.forEach((v: number, k: number) => expect(Math.abs(v - e.cvm[k])).toBeLessThan(1e-5));
      cv.cvsd.forEach((v: number, k: number) => expect(Math.abs(v - e.cvsd[k])).toBeLessThan(1e-5));
      expect(cv.nzero).toEqual(e.nzero);
      for (const [ours, theirs] of [
        [cv.coefficientsMin, e.coef_lambda_min],
        [cv.coefficients1se, e.coef_lambda_1se],
      ]) {
        expect(Object.keys(ours)).toEqual(Object.keys(theirs));
        // README tolerance: standardised scale (β·sd), 1e-3 absolute; the same non-zero set
        features.forEach((f, j) => expect(Math.abs((ours[f] - theirs[f]) * ref.x_sd_1overN[j])).toBeLessThan(1e-3));
        expect(features.filter((f) => ours[f] !== 0)).toEqual(features.filter((f) => theirs[f] !== 0));
      }
    }
  });

  it('--nlambda and --lambda-min-ratio give glmnet’s computed path (default_path: nlambda 100, ratio 1e-4), and a shorter one on request', async () => {
    const file = withFolds();
    const d = ref.default_path;
    const r = await runCli([...base(file), '--nlambda', '100', '--lambda-min-ratio', '1e-4']);
    expect(r.code, r.stderr).toBe(0);
    const cv = JSON.parse(r.stdout);
    expect(cv.lambda).toHaveLength(d.n_lambda);
    cv.lambda.forEach((l: number, k: number) => expect(Math.abs(l / d.lambda[k] - 1)).toBeLessThan(1e-12));
    const short = JSON.parse((await runCli([...base(file), '--nlambda', '12', '--lambda-min-ratio', '0.05'])).stdout);
    expect(short.lambda).toHaveLength(12);
    // λ_k = λ_max·r^(k/(n−1)) from k = 1, the first λ extrapolated as glmnet does
    const lmax = d.lambda_max;
    for (let k = 1; k < 12; k++) expect(Math.abs(short.lambda[k] / (lmax * 0.05 ** (k / 11)) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(short.lambda[0] / ((short.lambda[1] * short.lambda[1]) / short.lambda[2]) - 1)).toBeLessThan(1e-12);
  });

  it('refuses a bad grid with a named error', async () => {
    const file = withFolds();
    const cases: [string[], RegExp][] = [
      [['--lambda', '0.1,abc'], /'abc' is not a number/],
      [['--lambda', '0.1,-0.01'], /finite number ≥ 0/],
      [['--lambda', '0.1'], /more than one λ/],
      [['--lambda', '0.1,0.01', '--nlambda', '20'], /not both/],
      [['--nlambda', '1'], /nlambda must be a whole number ≥ 2/],
      [['--nlambda', '7.5'], /nlambda must be a whole number/],
      [['--lambda-min-ratio', '1'], /lambda.min.ratio must lie in \(0, 1\)/],
      [['--lambda-min-ratio', 'x'], /--lambda-min-ratio must be a number/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli([...base(file), ...extra]);
      expect(r.code, extra.join(' ')).not.toBe(0);
      expect(r.stderr, extra.join(' ')).toMatch(message);
    }
    const logistic = await runCli(['fit', 'logistic', '--data', file, '--outcome', 'y', '--predictors', 'mean_radius', '--lambda', '0.1,0.01']);
    expect(logistic.stderr).toMatch(/apply to lasso only/);
  });
});

describe('hilum icc', () => {
  it('reproduces irr::icc on the anxiety ratings (one-way, two-way agreement and consistency)', async () => {
    const icc = JSON.parse(readFileSync(path.join(stats, 'expected', 'icc_anxiety.json'), 'utf8'));
    const r = await runCli(['icc', '--data', path.join(stats, 'data', 'anxiety.csv'), '--columns', 'rater1,rater2,rater3', '--json']);
    expect(r.code).toBe(0);
    const table = JSON.parse(r.stdout);
    expect(table.nSubjects).toBe(20);
    const one = icc.irr.icc1_oneway_single;
    expect(table.irr.oneWaySingle.value).toBeCloseTo(one.value, 12);
    expect(table.irr.oneWaySingle.lower).toBeCloseTo(one.lower, 9);
    const two = icc.irr.icc2_1_twoway_agreement_single;
    expect(table.irr.agreementSingle.value).toBeCloseTo(two.value, 12);
    expect(table.irr.agreementSingle.df2).toBeCloseTo(two.df2, 9);
    const one1 = await runCli(['icc', '--data', path.join(stats, 'data', 'anxiety.csv'), '--columns', 'rater1']);
    expect(one1.stderr).toMatch(/at least two rater columns/);
  });
});
