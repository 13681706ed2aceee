/**
 * Nomogram scales as rms::nomogram(fit, fun = plogis, fun.at, lp = TRUE) draws them (rms 6.5-0),
 * for a logistic model with linear terms:
 * - axis values per predictor: with at most 10 distinct values (datadist's n.unique) every value
 *   gets a tick; otherwise pretty(range(x), nint = 10) over the full data range;
 * - xβ = βⱼ·x at the ticks; the predictor with the widest xβ range spans `maxScale` (100) points:
 *   sc = 100 / maxⱼ range(xβⱼ), points = sc·(xβ - min xβ);
 * - lp.at = pretty(range of the training linear predictor, 10); total points axis
 *   pretty(c(0, max(100, sc·max(lp.at - I))), 10) with I = β₀ + Σ min xβⱼ; the lp axis sits at
 *   (lp.at - I)·sc;
 * - the risk axis places fun.at at (w - I)·sc, where w is R's approx() inverse of plogis on a
 *   1000-point grid over [min lp.at, max lp.at] (so risks outside that range are dropped);
 * - a patient's total points map back as lp = total/sc + I;
 * - a term whose data is ln x (`axisScale: { term: 'log' }`, as rms draws a `log(x)` term) gets its
 *   ticks in x's own unit: the 1-2-5 steps (…, 0.5, 1, 2, 5, 10, …) from the largest at or below
 *   min x to the smallest at or above max x, each at xβ = β·ln(tick).
 */
import { HilumError } from '../core/errors.js';
import { approx } from './approx.js';
import { plogis } from './distributions.js';
import { pretty, seqLength } from './pretty.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';

export interface NomogramModel {
  intercept: number;
  /** Coefficient of each predictor (linear terms). */
  coefficients: Record<string, number>;
}

export interface NomogramOptions {
  maxScale?: number;
  /** Number of intervals for pretty() axes (rms's nint). */
  intervals?: number;
  /** Risks to label on the probability axis. */
  riskAt?: readonly number[];
  /** Predictors with at most this many distinct values get one tick per value (datadist's n.unique). */
  maxDiscreteValues?: number;
  /** Terms whose data is the natural log of the value the axis shows. */
  axisScale?: Record<string, 'log'>;
}

export interface NomogramAxis {
  name: string;
  discrete: boolean;
  /** Tick values in the predictor's own unit (for a log axis: x, not ln x). */
  values: number[];
  scale?: 'log';
  xbeta: number[];
  points: number[];
  /** Range of xβ over the axis values [min, max]. */
  xbetaRange: [number, number];
}

export interface Nomogram {
  pointsPerUnitXbeta: number;
  maxScale: number;
  /** β₀ + Σ min xβ: the linear predictor at 0 total points. */
  lpAtZeroPoints: number;
  axes: NomogramAxis[];
  totalPointsAxis: number[];
  lpAxis: { points: number[]; lp: number[] };
  riskAxis: { points: number[]; risk: number[] };
  /** Points of each predictor value for one patient. */
  pointsFor(values: Record<string, number>): { total: number; byPredictor: Record<string, number>; lp: number; risk: number };
}

export const DEFAULT_RISK_AT = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** Builds the nomogram of a fitted logistic model from its training data (for the axis ranges). */
export function buildNomogram(model: NomogramModel, data: Record<string, ArrayLike<number>>, options: NomogramOptions = {}): Nomogram {
  const maxScale = options.maxScale ?? 100;
  const nint = options.intervals ?? 10;
  const maxDiscrete = options.maxDiscreteValues ?? 10;
  const names = Object.keys(model.coefficients);
  if (names.length === 0) throw new HilumError({ code: 'EMPTY_MODEL', message: 'a nomogram needs at least one predictor' });
  const axes: NomogramAxis[] = names.map((name) => {
    const col = data[name];
    if (!col) throw new HilumError({ code: 'UNKNOWN_COLUMN', message: `no training data for nomogram predictor '${name}'`, data: { name } });
    const distinct = [...new Set(Array.from(col))].sort((a, b) => a - b);
    if (distinct.length < 2) throw new HilumError({ code: 'CONSTANT_FEATURE', message: `nomogram predictor '${name}' is constant`, data: { name } });
    const discrete = distinct.length <= maxDiscrete;
    const b = model.coefficients[name];
    if (options.axisScale?.[name] === 'log') {
      const values = discrete
        ? distinct.map((d) => Number(Math.exp(d).toPrecision(12)))
        : logTicks(Math.exp(distinct[0]), Math.exp(distinct[distinct.length - 1]));
      const xbeta = values.map((v) => b * Math.log(v));
      return { name, discrete, values, scale: 'log' as const, xbeta, points: [], xbetaRange: [arrayMin(xbeta), arrayMax(xbeta)] as [number, number] };
    }
    const values = discrete ? distinct : pretty(col, nint);
    const xbeta = values.map((v) => b * v);
    return { name, discrete, values, xbeta, points: [], xbetaRange: [arrayMin(xbeta), arrayMax(xbeta)] as [number, number] };
  });
  const widest = arrayMax(axes.map((a) => a.xbetaRange[1] - a.xbetaRange[0]));
  if (!(widest > 0)) throw new HilumError({ code: 'EMPTY_MODEL', message: 'every nomogram coefficient is zero' });
  const sc = maxScale / widest;
  for (const a of axes) a.points = a.xbeta.map((v) => sc * (v - a.xbetaRange[0]));
  const lpAtZero = model.intercept + axes.reduce((s, a) => s + a.xbetaRange[0], 0);
  const n = data[names[0]].length;
  const lp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    for (const name of names) s += model.coefficients[name] * data[name][i];
    lp[i] = s;
  }
  const lpAt = pretty(lp, nint);
  const sumMax = axes.length === 1 ? maxScale : Math.max(maxScale, sc * arrayMax(lpAt.map((v) => v - lpAtZero)));
  const totalPointsAxis = pretty([0, sumMax], nint);
  const lpAxis = { points: lpAt.map((v) => (v - lpAtZero) * sc), lp: lpAt };
  const grid = seqLength(arrayMin(lpAt), arrayMax(lpAt), 1000);
  const riskAt = options.riskAt ?? DEFAULT_RISK_AT;
  const inverse = approx(
    grid.map((v) => plogis(v)),
    grid,
    riskAt,
  );
  const riskAxis = { points: [] as number[], risk: [] as number[] };
  riskAt.forEach((r, i) => {
    if (Number.isNaN(inverse[i])) return;
    riskAxis.points.push((inverse[i] - lpAtZero) * sc);
    riskAxis.risk.push(r);
  });
  return {
    pointsPerUnitXbeta: sc,
    maxScale,
    lpAtZeroPoints: lpAtZero,
    axes,
    totalPointsAxis,
    lpAxis,
    riskAxis,
    pointsFor(values) {
      const byPredictor: Record<string, number> = {};
      let total = 0;
      for (const a of axes) {
        const v = values[a.name];
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new HilumError({ code: 'MISSING_VALUE', message: `nomogram predictor '${a.name}' is missing for this patient`, data: { name: a.name } });
        const pts = sc * (model.coefficients[a.name] * v - a.xbetaRange[0]);
        byPredictor[a.name] = pts;
        total += pts;
      }
      const lpv = total / sc + lpAtZero;
      return { total, byPredictor, lp: lpv, risk: plogis(lpv) };
    },
  };
}

const STEPS_1_2_5 = [1, 2, 5];

/** The 1-2-5 steps covering [lo, hi] (lo > 0): the largest at or below lo to the smallest at or above hi. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) throw new HilumError({ code: 'INVALID_INPUT', message: `a log axis needs 0 < lo ≤ hi, got ${lo}–${hi}` });
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of STEPS_1_2_5) ticks.push(Number((m * 10 ** k).toPrecision(12)));
  const first = ticks.filter((t) => t <= lo * (1 + 1e-12)).pop() ?? ticks[0];
  const last = ticks.find((t) => t >= hi * (1 - 1e-12)) ?? ticks[ticks.length - 1];
  return ticks.filter((t) => t >= first && t <= last);
}
