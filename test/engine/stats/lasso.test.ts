import { beforeAll, describe, expect, it } from 'vitest';
import { fitLassoPath, type LassoPath } from '../../../electron/engine/stats/lasso/path.js';
import { lassoFoldPredictions, summarizeLassoCv, type LassoFoldPredictions } from '../../../electron/engine/stats/lasso/cross-validation.js';
import { makeFolds } from '../../../electron/engine/stats/folds.js';
import { INTERCEPT } from '../../../electron/engine/stats/design.js';
import { expectClose, readCsv, readExpected, reportDeviations } from './helpers.js';

reportDeviations('lasso');
const wdbc = readCsv('wdbc.csv');
const foldid = readCsv('wdbc_foldid.csv').foldid;
const ref = readExpected('lasso_wdbc.json');
const features: string[] = ref.features;
const data = { y: wdbc.y, x: wdbc };

describe('glmnet binomial LASSO with fixed lambdas (lasso_wdbc.json fit_thresh_1e14)', () => {
  let path: LassoPath;
  beforeAll(() => {
    path = fitLassoPath(data, features, { lambda: ref.lambda, kkt: true });
  });
  it('standardises with the 1/N standard deviation', () => {
    expectClose('x_mean', path.standardization.means, ref.x_mean, 1e-12, 'rel');
    expectClose('x_sd_1overN', path.standardization.sds, ref.x_sd_1overN, 1e-12, 'rel');
    expectClose('nulldev', path.nullDeviance, ref.fit_thresh_1e14.nulldev, 1e-12, 'rel');
  });
  it('reaches the optimum: objective not above glmnet’s, KKT conditions met, same coefficients on the standardised scale', () => {
    const fit = ref.fit_thresh_1e14;
    const excess = path.objective.map((o, k) => Math.max(0, o - fit.kkt_check[k].objective));
    expectClose(
      'objective - glmnet objective (clipped at 0)',
      excess,
      excess.map(() => 0),
      1e-9,
    );
    const kkt = path.kkt!.map((c) => Math.max(c.maxViolationActive, c.maxViolationInactive));
    expectClose(
      'KKT violation',
      kkt,
      kkt.map(() => 0),
      1e-6,
    );
    const ours = path.betaStandardized.flat();
    const theirs = ref.lambda.flatMap((_: number, k: number) => features.map((f, j) => fit.coefficients[f][k] * ref.x_sd_1overN[j]));
    expectClose('beta·sd (standardised scale)', ours, theirs, 1e-3);
    expect(path.df).toEqual(fit.df);
    expectClose('dev_ratio', path.devRatio, fit.dev_ratio, 1e-6);
  });
});

describe('glmnet default lambda path (default_path)', () => {
  it('lambda_max, nlambda = 100, lambda.min.ratio 1e-4 for n > p, glmnet’s first-lambda rule', () => {
    const path = fitLassoPath(data, features);
    const d = ref.default_path;
    expect(path.lambda.length).toBe(d.n_lambda);
    expect(path.stoppedEarly).toBe(false);
    expectClose('default_path lambda', path.lambda, d.lambda, 1e-12, 'rel');
    expectClose('default_path lambda_max', path.lambda[0], d.lambda_max, 1e-12, 'rel');
    // glmnet's default thresh = 1e-7 leaves its path short of the optimum; ours is converged
    expectClose('default_path dev_ratio (glmnet thresh 1e-7)', path.devRatio, d.dev_ratio, 1e-3);
  });
});

describe('cv.glmnet with the given foldid (cv_deviance, cv_auc)', () => {
  let pred: LassoFoldPredictions;
  beforeAll(() => {
    pred = lassoFoldPredictions(data, features, { lambda: ref.lambda, foldid });
  });
  const compare = (key: string, measure: 'deviance' | 'auc') => {
    const cv = summarizeLassoCv(pred, measure);
    const e = ref[key];
    expectClose(`${key} cvm`, cv.cvm, e.cvm, 1e-5);
    expectClose(`${key} cvsd`, cv.cvsd, e.cvsd, 1e-5);
    expect(cv.indexMin + 1).toBe(e.index_min);
    expect(cv.index1se + 1).toBe(e.index_1se);
    expect(cv.lambdaMin).toBe(e.lambda_min);
    expect(cv.lambda1se).toBe(e.lambda_1se);
    expect(cv.nzero).toEqual(e.nzero);
    for (const [which, coef] of [
      ['min', cv.coefficientsMin],
      ['1se', cv.coefficients1se],
    ] as const) {
      const theirs = e[`coef_lambda_${which}`];
      const std = features.map((f, j) => coef[f] * ref.x_sd_1overN[j]);
      expectClose(
        `${key} coef_lambda_${which} (standardised)`,
        std,
        features.map((f, j) => theirs[f] * ref.x_sd_1overN[j]),
        1e-3,
      );
      expect(features.filter((f) => coef[f] !== 0)).toEqual(features.filter((f) => theirs[f] !== 0));
      expect(Object.keys(coef)).toEqual(Object.keys(theirs));
    }
    return cv;
  };
  it('deviance: clipped held-out deviance, fold-weighted cvm/cvsd, lambda.min and lambda.1se', () => {
    compare('cv_deviance', 'deviance');
  });
  it('deviance with glmnet’s default thresh picks the same lambda.min and lambda.1se', () => {
    const cv = summarizeLassoCv(pred, 'deviance');
    const e = ref.cv_deviance_default_thresh;
    expect(cv.indexMin + 1).toBe(e.index_min);
    expect(cv.index1se + 1).toBe(e.index_1se);
    // its cvm carries glmnet's 1e-7 convergence error
    expectClose('cv_deviance_default_thresh cvm (glmnet thresh 1e-7)', cv.cvm, e.cvm, 5e-3);
  });
  it('AUC: per-fold AUC, maximum wins', () => {
    compare('cv_auc', 'auc');
  });

  describe('the radiomics signature built from it (signature_wdbc.json)', () => {
    const sig = readExpected('signature_wdbc.json');
    it('selects the features with a non-zero coefficient at lambda.1se and reproduces the Rad-score', () => {
      const cv = summarizeLassoCv(pred, 'deviance');
      expect(cv.selected1se).toEqual(sig.selected_features);
      const coef = cv.coefficients1se;
      const radscore = wdbc.y.map((_, i) => sig.selected_features.reduce((s: number, f: string) => s + coef[f] * wdbc[f][i], coef[INTERCEPT]));
      // the LASSO optimum is flat on these collinear features (coefficients agree to ~1e-5 relative)
      expectClose('radscore_lasso', radscore, sig.radscore_lasso, 1e-3);
    });
  });
});

describe('seeded folds', () => {
  it('are reproducible, stratified by outcome and balanced in size', () => {
    const a = makeFolds(wdbc.y, 10, 42);
    expect(makeFolds(wdbc.y, 10, 42)).toEqual(a);
    expect(makeFolds(wdbc.y, 10, 43)).not.toEqual(a);
    for (let f = 1; f <= 10; f++) {
      const rows = a.map((g, i) => (g === f ? i : -1)).filter((i) => i >= 0);
      const events = rows.filter((i) => wdbc.y[i] === 1).length;
      expect(rows.length === 56 || rows.length === 57 || rows.length === 58).toBe(true);
      expect(Math.abs(events - 21.2)).toBeLessThanOrEqual(1);
    }
  });
});
