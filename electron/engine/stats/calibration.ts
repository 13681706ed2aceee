/**
 * Calibration of predicted probabilities.
 * - brierScore: mean((p - y)²).
 * - calibrationInterceptSlope: fully converged glm(y ~ logit(p)) (intercept a, slope b) and the
 *   calibration-in-the-large intercept of glm(y ~ 1, offset = logit(p)).
 * - valProb: the statistics of rms::val.prob(p, y) (rms 6.5-0), computed as rms does: a
 *   recalibration fit lrm.fit(logit(p), y) (rms-lrm.ts, so Intercept/Slope carry rms's stopping
 *   rule) giving Dxy, C (binned, as rms), Nagelkerke R² = (1-e^{-LR/n})/(1-e^{-L₀/n}),
 *   D = (LR-1)/n, U = (L01 - D_recal - 2)/n with L01 the deviance at a = 0, b = 1, Q = D - U,
 *   Brier, Emax/E90/Eavg = max/90th percentile/mean of |p - lowess(p, y, iter = 0)(p)|, and
 *   Spiegelhalter's z = Σ(y-p)(1-2p)/√Σ(1-2p)²p(1-p) with two-sided p.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { approx } from './approx.js';
import { designMatrix } from './design.js';
import { maxOf, mean, quantileType7 } from './descriptive.js';
import { pchisqUpper, pnormTwoSided, qlogis } from './distributions.js';
import { fitIrls } from './logistic-irls.js';
import { lowess } from './lowess.js';
import { fitLrm, rmsRankStatistics } from './rms-lrm.js';
import { assertBinaryOutcome, assertFinite, assertLength } from './validate.js';

function checkProbabilities(y: ArrayLike<number>, p: ArrayLike<number>): void {
  assertBinaryOutcome('outcome', y);
  assertLength('predicted probability', p, y.length);
  assertFinite('predicted probability', p);
  for (let i = 0; i < p.length; i++)
    if (p[i] < 0 || p[i] > 1)
      throw new HilumError({
        code: 'PROBABILITY_OUT_OF_RANGE',
        message: `predicted probability in row ${i + 1} is ${p[i]}, outside [0, 1]`,
        data: { row: i + 1, value: p[i] },
      });
}

/** Brier score mean((p - y)²). */
export function brierScore(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkProbabilities(y, p);
  const d = Float64Array.from(p, (v, i) => (v - y[i]) ** 2);
  return mean(d);
}

export interface CalibrationLine {
  /** Intercept a of glm(y ~ logit(p)). */
  intercept: number;
  /** Slope b of glm(y ~ logit(p)): < 1 means predictions too extreme (overfitting). */
  slope: number;
  /** Calibration-in-the-large: intercept of glm(y ~ 1, offset = logit(p)); 0 when the mean risk is right. */
  interceptInTheLarge: number;
  findings: Finding[];
}

/** Calibration intercept and slope by fully converged maximum likelihood. Probabilities of exactly 0 or 1 are left out. */
export function calibrationInterceptSlope(y: ArrayLike<number>, p: ArrayLike<number>): CalibrationLine {
  checkProbabilities(y, p);
  const { logit, yy, findings } = finiteLogits(y, p);
  const x = designMatrix({ logit }, ['logit'], logit.length);
  const line = fitIrls(x, yy);
  const large = fitIrls(designMatrix({}, [], logit.length), yy, { offset: logit });
  return { intercept: line.coefficients[0], slope: line.coefficients[1], interceptInTheLarge: large.coefficients[0], findings };
}

function finiteLogits(y: ArrayLike<number>, p: ArrayLike<number>) {
  const logit: number[] = [];
  const yy: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const l = qlogis(p[i]);
    if (Number.isFinite(l)) {
      logit.push(l);
      yy.push(y[i]);
    }
  }
  const findings: Finding[] = [];
  const dropped = p.length - logit.length;
  if (dropped > 0)
    findings.push({
      code: 'PROBABILITY_ZERO_OR_ONE',
      severity: 'warning',
      message: `${dropped} predictions of exactly 0 or 1 were left out of the logistic calibration`,
      data: { dropped },
    });
  return { logit: Float64Array.from(logit), yy: Float64Array.from(yy), findings };
}

/** rms::val.prob statistics (names as rms prints them, camel-cased). */
export interface ValProb {
  dxy: number;
  c: number;
  r2: number;
  d: number;
  dChisq: number;
  u: number;
  uChisq: number;
  uP: number;
  q: number;
  brier: number;
  intercept: number;
  slope: number;
  emax: number;
  e90: number;
  eavg: number;
  spiegelhalterZ: number;
  spiegelhalterP: number;
  findings: Finding[];
}

export function valProb(y: ArrayLike<number>, p: ArrayLike<number>): ValProb {
  checkProbabilities(y, p);
  if (new Set(Array.from(p)).size === 1)
    throw new HilumError({ code: 'CONSTANT_PREDICTION', message: 'every predicted probability is the same; calibration statistics are undefined' });
  const n = p.length;
  const { logit, yy, findings } = finiteLogits(y, p);
  const lrm = fitLrm(designMatrix({ logit }, ['logit'], logit.length), yy);
  const [a, b] = lrm.coefficients;
  const lr = lrm.nullDeviance - lrm.deviance;
  const recal = Float64Array.from(logit, (l) => 1 / (1 + Math.exp(-Math.min(Math.max(a + b * l, -30), 30))));
  const ranks = rmsRankStatistics(recal, yy);
  const m = logit.length;
  const r2 = (1 - Math.exp(-lr / m)) / (1 - Math.exp(-lrm.nullDeviance / m));
  let l01 = 0;
  for (let i = 0; i < m; i++) l01 += yy[i] * logit[i] - Math.log(1 + Math.exp(logit[i]));
  l01 *= -2;
  const uChisq = l01 - lrm.deviance;
  const d = (lr - 1) / m;
  const u = (uChisq - 2) / m;
  const smooth = lowess(p, y, { iter: 0 });
  const cal = approx(smooth.x, smooth.y, p);
  const err = Float64Array.from(p, (v, i) => Math.abs(v - cal[i]));
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (y[i] - p[i]) * (1 - 2 * p[i]);
    den += (1 - 2 * p[i]) * (1 - 2 * p[i]) * p[i] * (1 - p[i]);
  }
  const z = num / Math.sqrt(den);
  return {
    dxy: ranks.dxy,
    c: ranks.c,
    r2,
    d,
    dChisq: lr,
    u,
    uChisq,
    uP: pchisqUpper(uChisq, 2),
    q: d - u,
    brier: mean(Float64Array.from(p, (v, i) => (v - y[i]) ** 2)),
    intercept: a,
    slope: b,
    emax: maxOf(err),
    e90: quantileType7(err, [0.9])[0],
    eavg: mean(err),
    spiegelhalterZ: z,
    spiegelhalterP: pnormTwoSided(z),
    findings,
  };
}
