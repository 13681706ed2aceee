/**
 * Backward elimination by AIC as R's step(fit, direction = "backward"): at each step every
 * remaining term is dropped in turn (drop1), the candidates are ordered by AIC with the current
 * model ("<none>") first among ties, and the best is taken; the search stops when the current
 * model is best, or when the refitted model's AIC is not below the previous one (R's 1e-7
 * tolerance). AIC = deviance + 2·(number of coefficients) for 0/1 outcomes.
 */
import type { ModelData } from './design.js';
import { fitLogistic, type LogisticFit, type LogisticOptions } from './logistic-regression.js';

export interface StepwiseStep {
  dropped: string;
  aic: number;
}

export interface StepwiseResult {
  keptTerms: string[];
  fit: LogisticFit;
  aic: number;
  steps: StepwiseStep[];
}

export function backwardStepAic(data: ModelData, predictors: readonly string[], options: LogisticOptions = {}): StepwiseResult {
  let terms = [...predictors];
  let fit = fitLogistic(data, terms, options);
  const steps: StepwiseStep[] = [];
  while (terms.length > 0) {
    const current = fit.aic;
    const candidates = terms.map((t) => {
      const reduced = terms.filter((u) => u !== t);
      return { term: t, terms: reduced, fit: fitLogistic(data, reduced, options) };
    });
    let best: (typeof candidates)[number] | null = null;
    for (const c of candidates) if (c.fit.aic < (best ? best.fit.aic : current)) best = c;
    if (!best) break;
    const previous = current;
    terms = best.terms;
    fit = best.fit;
    steps.push({ dropped: best.term, aic: fit.aic });
    if (fit.aic >= previous + 1e-7) break;
  }
  return { keptTerms: terms, fit, aic: fit.aic, steps };
}
