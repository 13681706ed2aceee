import { describe, expect, it } from 'vitest';
import { iccTable } from '../../../electron/engine/stats/icc.js';
import { expectClose, readCsv, readExpected, reportDeviations } from './helpers.js';

reportDeviations('icc');

describe('intraclass correlation (icc_anxiety.json: irr::icc and psych::ICC)', () => {
  const d = readCsv('anxiety.csv');
  const ref = readExpected('icc_anxiety.json');
  const ratings = d.subject.map((_, i) => [d.rater1[i], d.rater2[i], d.rater3[i]]);
  const t = iccTable(ratings);
  const check = (
    label: string,
    ours: ReturnType<typeof iccTable>['psych']['ICC1'],
    e: { value: number; F: number; df1: number; df2: number; p_value: number; lower: number; upper: number },
  ) => {
    expectClose(`${label} value, F, p, CI`, [ours.value, ours.f, ours.p, ours.lower, ours.upper], [e.value, e.F, e.p_value, e.lower, e.upper], 1e-9);
    expect(ours.df1).toBe(e.df1);
    expectClose(`${label} df2`, ours.df2, e.df2, 1e-9);
  };
  it('ANOVA mean squares', () => {
    expect([t.nSubjects, t.nRaters]).toEqual([ref.n_subjects, ref.n_raters]);
    expectClose('anova', [t.anova.msr, t.anova.msc, t.anova.mse, t.anova.msw], [ref.anova.MSR, ref.anova.MSC, ref.anova.MSE, ref.anova.MSW], 1e-12);
  });
  it('irr: one-way, two-way agreement (ICC(A,1)) and consistency (ICC(C,1)), single and average', () => {
    check('irr icc1_oneway_single', t.irr.oneWaySingle, ref.irr.icc1_oneway_single);
    check('irr icc2_1_twoway_agreement_single', t.irr.agreementSingle, ref.irr.icc2_1_twoway_agreement_single);
    check('irr icc3_1_twoway_consistency_single', t.irr.consistencySingle, ref.irr.icc3_1_twoway_consistency_single);
    check('irr icc2_k_twoway_agreement_average', t.irr.agreementAverage, ref.irr.icc2_k_twoway_agreement_average);
    check('irr icc3_k_twoway_consistency_average', t.irr.consistencyAverage, ref.irr.icc3_k_twoway_consistency_average);
  });
  it('psych: ICC1, ICC2, ICC3 and their k-rater versions', () => {
    for (const name of ['ICC1', 'ICC2', 'ICC3', 'ICC1k', 'ICC2k', 'ICC3k'] as const) check(`psych ${name}`, t.psych[name], ref.psych[name]);
  });
  it('perfect agreement gives ICC 1', () => {
    const r = [
      [1, 1],
      [2, 2],
      [3, 3],
      [5, 5],
    ];
    // no residual variation: refused rather than dividing by zero
    expect(() => iccTable(r)).toThrowError(/no within-subject variation/);
    const near = iccTable([
      [1, 1.001],
      [2, 2],
      [3, 3.001],
      [5, 5],
    ]);
    expect(near.irr.agreementSingle.value).toBeGreaterThan(0.9999);
  });
});
