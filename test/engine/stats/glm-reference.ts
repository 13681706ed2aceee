import { expect } from 'vitest';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { backwardStepAic } from '../../../electron/engine/stats/stepwise.js';
import type { ModelData } from '../../../electron/engine/stats/design.js';
import { expectClose, type Json } from './helpers.js';

/**
 * Checks one R glm reference block (glm_asah.json layout: univariable, multivariable,
 * backward_aic_step) against fitLogistic, at the README tolerances: coefficients and
 * se_hessian 1e-8 relative, summary se and p 1e-6 relative, other quantities as noted.
 */
export function checkGlmReference(label: string, data: ModelData, ref: Json): void {
  const checkTable = (name: string, fit: ReturnType<typeof fitLogistic>, table: Json, profile: boolean, unreliable: boolean) => {
    const rows = fit.coefficients;
    expect(rows.map((r) => r.name)).toEqual(Object.keys(table));
    const col = (k: string) => rows.map((r) => table[r.name][k]);
    expectClose(
      `${label} ${name} estimate`,
      rows.map((r) => r.estimate),
      col('estimate'),
      1e-8,
      'rel',
    );
    expectClose(
      `${label} ${name} se_hessian_at_estimate`,
      rows.map((r) => r.seAtEstimate),
      col('se_hessian_at_estimate'),
      1e-8,
      'rel',
    );
    expectClose(
      `${label} ${name} se (summary.glm)`,
      rows.map((r) => r.se),
      col('se'),
      1e-6,
      'rel',
    );
    expectClose(
      `${label} ${name} z`,
      rows.map((r) => r.z),
      col('z'),
      1e-6,
      'rel',
    );
    expectClose(
      `${label} ${name} p_wald`,
      rows.map((r) => r.p),
      col('p_wald'),
      1e-6,
      'rel',
    );
    expectClose(
      `${label} ${name} or`,
      rows.map((r) => r.oddsRatio),
      col('or'),
      1e-8,
      'rel',
    );
    expectClose(
      `${label} ${name} or_ci95_wald`,
      rows.flatMap((r) => r.oddsRatioCi),
      rows.flatMap((r) => table[r.name].or_ci95_wald),
      1e-6,
      'rel',
    );
    if (profile && !unreliable)
      // MASS interpolates a spline over a coarse profile grid, so its limits differ from the exact
      // roots by a small fraction of a standard error: compared as |Δ log OR| / SE
      expectClose(
        `${label} ${name} or_ci95_profile (|Δ log| / SE; MASS spline vs exact root)`,
        rows.flatMap((r) => r.oddsRatioProfileCi!.map((v, i) => Math.abs(Math.log(v) - Math.log(table[r.name].or_ci95_profile[i])) / r.se)),
        rows.flatMap(() => [0, 0]),
        5e-3,
      );
  };
  for (const [name, u] of Object.entries<Json>(ref.univariable)) {
    const fit = fitLogistic(data, [name], { profileCi: true });
    checkTable(`univariable ${name}`, fit, u.coefficients, true, u.fit_info.profile_ci_unreliable);
    expect(fit.convergence.converged).toBe(u.fit_info.converged);
    expect(fit.convergence.iterations).toBe(u.fit_info.iterations);
    expectClose(`${label} univariable ${name} deviance`, fit.deviance, u.deviance, 1e-9, 'rel');
    expectClose(`${label} univariable ${name} aic`, fit.aic, u.aic, 1e-9, 'rel');
  }
  const m = ref.multivariable;
  const terms: string[] = Array.isArray(m.terms) ? m.terms : [m.terms];
  const fit = fitLogistic(data, terms, { profileCi: true });
  checkTable('multivariable', fit, m.coefficients, true, m.fit_info.profile_ci_unreliable);
  expect(fit.method).toBe('maximum-likelihood');
  expect(fit.convergence.converged).toBe(m.fit_info.converged);
  expect(fit.convergence.iterations).toBe(m.fit_info.iterations);
  expectClose(`${label} multivariable vcov`, fit.covariance.flat(), m.vcov.flat(), 1e-6, 'rel');
  expectClose(`${label} multivariable deviance`, fit.deviance, m.deviance, 1e-9, 'rel');
  expectClose(`${label} multivariable null_deviance`, fit.nullDeviance, m.null_deviance, 1e-12, 'rel');
  expectClose(`${label} multivariable aic`, fit.aic, m.aic, 1e-9, 'rel');
  expectClose(`${label} multivariable loglik`, fit.logLik, m.loglik, 1e-9, 'rel');
  expectClose(`${label} multivariable lrt_chisq`, fit.lrt.chisq, m.lrt_chisq, 1e-8, 'rel');
  expect(fit.lrt.df).toBe(m.lrt_df);
  expect(fit.n - fit.coefficients.length).toBe(m.df_residual);
  expectClose(`${label} multivariable lrt_p`, fit.lrt.p, m.lrt_p, 1e-6, 'rel');
  expectClose(`${label} multivariable fitted`, fit.fitted, m.fitted, 1e-9);
  expectClose(`${label} multivariable linear_predictor`, fit.linearPredictor, m.linear_predictor, 1e-7, 'rel');
  // glm's default control (epsilon 1e-8) stops earlier; the IRLS reproduces those iterates too
  const loose = fitLogistic(data, terms, { epsilon: 1e-8, maxIterations: 25 });
  const def = m.coefficients_default_control;
  expectClose(
    `${label} coefficients_default_control (epsilon 1e-8)`,
    loose.coefficients.map((r) => r.estimate),
    loose.coefficients.map((r) => def[r.name]),
    1e-10,
    'rel',
  );
  // step() runs on the default-control fit
  const step = backwardStepAic(data, terms, { epsilon: 1e-8, maxIterations: 25 });
  const st = ref.backward_aic_step;
  const kept: string[] = Array.isArray(st.kept_terms) ? st.kept_terms : [st.kept_terms];
  expect(step.keptTerms).toEqual(kept);
  expectClose(`${label} backward_aic_step aic`, step.aic, st.aic, 1e-9, 'rel');
  expectClose(
    `${label} backward_aic_step coefficients`,
    step.fit.coefficients.map((r) => r.estimate),
    step.fit.coefficients.map((r) => st.coefficients[r.name]),
    1e-8,
    'rel',
  );
  const tight = backwardStepAic(data, terms);
  expect(tight.keptTerms).toEqual(kept);
}
