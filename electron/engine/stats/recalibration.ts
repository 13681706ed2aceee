/**
 * Logistic recalibration of a model's linear predictor lp on a new cohort (Steyerberg, Clinical
 * Prediction Models, 2nd ed. 2019, ch. 20; Van Calster et al. 2016):
 *   intercept only     logit P = a + lp            glm(y ~ offset(lp), binomial) — recalibration in the large
 *   intercept + slope  logit P = a + b·lp          glm(y ~ lp, binomial)         — logistic calibration
 * The model's discrimination (ranking) is unchanged; its predictions are moved to the cohort's risk.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { fitLogistic } from './logistic-regression.js';

export type RecalibrationMethod = 'intercept' | 'intercept-slope';
export const RECALIBRATION_METHODS: readonly RecalibrationMethod[] = ['intercept', 'intercept-slope'];

export interface Recalibration {
  method: RecalibrationMethod;
  /** a */
  intercept: number;
  /** b (1 for intercept-only recalibration) */
  slope: number;
  /** Wald SEs and p-values as summary.glm (slope: null for intercept-only). */
  interceptSe: number;
  slopeSe: number | null;
  interceptP: number;
  slopeP: number | null;
  deviance: number;
  n: number;
  events: number;
  findings: Finding[];
}

export function fitRecalibration(y: ArrayLike<number>, lp: ArrayLike<number>, method: RecalibrationMethod, rowIds?: readonly string[]): Recalibration {
  if (!RECALIBRATION_METHODS.includes(method))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `recalibration method must be ${RECALIBRATION_METHODS.join(' or ')}, got '${method}'` });
  for (let i = 0; i < lp.length; i++)
    if (!Number.isFinite(lp[i]))
      throw new HilumError({
        code: 'MISSING_VALUE',
        message: `recalibration: the linear predictor of ${rowIds?.[i] ?? `patient ${i + 1}`} is not a finite number`,
      });
  const data = { y: Float64Array.from(y), x: { lp: Float64Array.from(lp) }, outcomeName: 'outcome', rowIds: rowIds ? [...rowIds] : undefined };
  const fit =
    method === 'intercept' ? fitLogistic(data, [], { offset: data.x.lp, onSeparation: 'error' }) : fitLogistic(data, ['lp'], { onSeparation: 'error' });
  const [a, b] = fit.coefficients;
  return {
    method,
    intercept: a.estimate,
    slope: b ? b.estimate : 1,
    interceptSe: a.se,
    slopeSe: b ? b.se : null,
    interceptP: a.p,
    slopeP: b ? b.p : null,
    deviance: fit.deviance,
    n: fit.n,
    events: fit.events,
    findings: fit.findings,
  };
}
