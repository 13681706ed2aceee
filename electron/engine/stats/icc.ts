/**
 * Intraclass correlation for n subjects rated by k raters (complete table), from the two-way ANOVA
 * mean squares MSR (subjects), MSC (raters), MSE (residual) and MSW (within subjects):
 *   ICC(1)    = (MSR-MSW)/(MSR+(k-1)MSW)                      one-way random, single
 *   ICC(A,1)  = (MSR-MSE)/(MSR+(k-1)MSE+k(MSC-MSE)/n)          two-way random, absolute agreement, single (Shrout-Fleiss ICC(2,1))
 *   ICC(C,1)  = (MSR-MSE)/(MSR+(k-1)MSE)                      two-way mixed, consistency, single (ICC(3,1))
 *   ICC(k)    = (MSR-MSW)/MSR,  ICC(A,k) = (MSR-MSE)/(MSR+(MSC-MSE)/n),  ICC(C,k) = (MSR-MSE)/MSR
 * F tests against ρ₀ = 0 and CIs follow McGraw & Wong (1996). Two conventions are returned:
 * `irr` reproduces irr::icc 0.84.1 (ICC(A,·): F = MSR/MSE on (n-1, ν) with the Satterthwaite ν of
 * the chosen coefficient; average-measure agreement CI from that ν), `psych` reproduces
 * psych::ICC 2.2.9 (ICC2 tested on (n-1, (n-1)(k-1)); ICC2k CI = Spearman-Brown of the ICC2 CI).
 * The point estimates agree; the ICC(A,·) F test and the ICC(A,k) CI differ between the packages.
 */
import { HilumError } from '../core/errors.js';
import { mean, variance } from './descriptive.js';
import { pfUpper, qf } from './distributions.js';
import { assertFinite } from './validate.js';

export interface IccEstimate {
  value: number;
  f: number;
  df1: number;
  df2: number;
  p: number;
  lower: number;
  upper: number;
}

export interface IccAnova {
  msr: number;
  msc: number;
  mse: number;
  msw: number;
}

export interface IccTable {
  nSubjects: number;
  nRaters: number;
  anova: IccAnova;
  /** irr::icc naming. */
  irr: {
    oneWaySingle: IccEstimate;
    agreementSingle: IccEstimate;
    consistencySingle: IccEstimate;
    agreementAverage: IccEstimate;
    consistencyAverage: IccEstimate;
  };
  /** psych::ICC naming (Shrout & Fleiss). */
  psych: { ICC1: IccEstimate; ICC2: IccEstimate; ICC3: IccEstimate; ICC1k: IccEstimate; ICC2k: IccEstimate; ICC3k: IccEstimate };
}

/** ANOVA mean squares of a subjects × raters table (rows = subjects). */
export function iccAnova(ratings: readonly (readonly number[])[]): IccAnova {
  const n = ratings.length;
  const k = ratings[0].length;
  const all = ratings.flat();
  const ssTotal = variance(all) * (n * k - 1);
  const msr = variance(ratings.map((r) => mean(r))) * k;
  const msc = variance(Array.from({ length: k }, (_, j) => mean(ratings.map((r) => r[j])))) * n;
  const msw = ratings.reduce((s, r) => s + variance(r), 0) / n;
  const mse = (ssTotal - msr * (n - 1) - msc * (k - 1)) / ((n - 1) * (k - 1));
  return { msr, msc, mse, msw };
}

/** Satterthwaite df of McGraw & Wong for an absolute-agreement ICC value `rho` (irr's formula). */
function agreementDf(rho: number, a: IccAnova, n: number, k: number): number {
  const A = (k * rho) / (n * (1 - rho));
  const B = 1 + (k * rho * (n - 1)) / (n * (1 - rho));
  return (A * a.msc + B * a.mse) ** 2 / ((A * a.msc) ** 2 / (k - 1) + (B * a.mse) ** 2 / ((n - 1) * (k - 1)));
}

export function iccTable(ratings: readonly (readonly number[])[], level = 0.95): IccTable {
  const n = ratings.length;
  const k = n > 0 ? ratings[0].length : 0;
  if (n < 2 || k < 2)
    throw new HilumError({ code: 'ICC_TOO_SMALL', message: `ICC needs at least 2 subjects and 2 raters (found ${n} × ${k})`, data: { n, k } });
  ratings.forEach((r, i) => {
    if (r.length !== k)
      throw new HilumError({ code: 'LENGTH_MISMATCH', message: `subject ${i + 1} has ${r.length} ratings, expected ${k}`, data: { row: i + 1 } });
    assertFinite(`ratings of subject ${i + 1}`, r);
  });
  const a = iccAnova(ratings);
  if (!(a.mse > 0) || !(a.msw > 0))
    throw new HilumError({ code: 'CONSTANT_FEATURE', message: 'the ratings have no within-subject variation; the ICC is undefined', data: { ...a } });
  const alpha = 1 - level;
  const { msr, msc, mse, msw } = a;
  const df1 = n - 1;
  const dfW = n * (k - 1);
  const dfE = (n - 1) * (k - 1);

  const f1 = msr / msw;
  const f1L = f1 / qf(1 - alpha / 2, df1, dfW);
  const f1U = f1 * qf(1 - alpha / 2, dfW, df1);
  const p1 = pfUpper(f1, df1, dfW);
  const f3 = msr / mse;
  const f3L = f3 / qf(1 - alpha / 2, df1, dfE);
  const f3U = f3 * qf(1 - alpha / 2, dfE, df1);
  const p3 = pfUpper(f3, df1, dfE);

  const icc1 = (msr - msw) / (msr + (k - 1) * msw);
  const icc2 = (msr - mse) / (msr + (k - 1) * mse + (k * (msc - mse)) / n);
  const icc3 = (msr - mse) / (msr + (k - 1) * mse);
  const icc1k = (msr - msw) / msr;
  const icc2k = (msr - mse) / (msr + (msc - mse) / n);
  const icc3k = (msr - mse) / msr;

  const single = (fl: number, fu: number) => [(fl - 1) / (fl + (k - 1)), (fu - 1) / (fu + (k - 1))];
  const average = (fl: number, fu: number) => [1 - 1 / fl, 1 - 1 / fu];

  // absolute agreement, single: Satterthwaite ν from ICC(A,1)
  const v2 = agreementDf(icc2, a, n, k);
  const fL2 = qf(1 - alpha / 2, df1, v2);
  const fU2 = qf(1 - alpha / 2, v2, df1);
  const l2 = (n * (msr - fL2 * mse)) / (fL2 * (k * msc + (k * n - k - n) * mse) + n * msr);
  const u2 = (n * (fU2 * msr - mse)) / (k * msc + (k * n - k - n) * mse + n * fU2 * msr);
  // absolute agreement, average (irr): ν from ICC(A,k)
  const v2k = agreementDf(icc2k, a, n, k);
  const fL2k = qf(1 - alpha / 2, df1, v2k);
  const fU2k = qf(1 - alpha / 2, v2k, df1);
  const l2kIrr = (n * (msr - fL2k * mse)) / (fL2k * (msc - mse) + n * msr);
  const u2kIrr = (n * (fU2k * msr - mse)) / (msc - mse + n * fU2k * msr);

  const est = (value: number, f: number, d1: number, d2: number, p: number, [lower, upper]: number[]): IccEstimate => ({
    value,
    f,
    df1: d1,
    df2: d2,
    p,
    lower,
    upper,
  });
  const [s1l, s1u] = single(f1L, f1U);
  const [s3l, s3u] = single(f3L, f3U);
  const sb = (r: number) => (k * r) / (1 + (k - 1) * r);
  return {
    nSubjects: n,
    nRaters: k,
    anova: a,
    irr: {
      oneWaySingle: est(icc1, f1, df1, dfW, p1, [s1l, s1u]),
      agreementSingle: est(icc2, f3, df1, v2, pfUpper(f3, df1, v2), [l2, u2]),
      consistencySingle: est(icc3, f3, df1, dfE, p3, [s3l, s3u]),
      agreementAverage: est(icc2k, f3, df1, v2k, pfUpper(f3, df1, v2k), [l2kIrr, u2kIrr]),
      consistencyAverage: est(icc3k, f3, df1, dfE, p3, average(f3L, f3U)),
    },
    psych: {
      ICC1: est(icc1, f1, df1, dfW, p1, [s1l, s1u]),
      ICC2: est(icc2, f3, df1, dfE, p3, [l2, u2]),
      ICC3: est(icc3, f3, df1, dfE, p3, [s3l, s3u]),
      ICC1k: est(icc1k, f1, df1, dfW, p1, average(f1L, f1U)),
      ICC2k: est(icc2k, f3, df1, dfE, p3, [sb(l2), sb(u2)]),
      ICC3k: est(icc3k, f3, df1, dfE, p3, average(f3L, f3U)),
    },
  };
}
