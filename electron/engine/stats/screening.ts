/**
 * Univariable screening followed by a multivariable model, the usual route to "independent risk
 * factors": each candidate is fitted alone (glm(y ~ x)); those with Wald p below the threshold
 * enter one multivariable model; the independent factors are its terms with p below the threshold.
 * Optionally the multivariable model is reduced by backward AIC instead (stepwise.ts).
 */
import type { Finding } from '../core/errors.js';
import type { ModelData } from './design.js';
import { fitLogistic, type CoefficientRow, type LogisticFit, type LogisticOptions } from './logistic-regression.js';
import { backwardStepAic } from './stepwise.js';
import { appendAll } from '../core/append-all.js';

export interface UnivariableResult {
  name: string;
  /** The predictor's row of its single-predictor model. */
  coefficient: CoefficientRow;
  fit: LogisticFit;
  selected: boolean;
}

export interface ScreeningOptions extends LogisticOptions {
  /** Univariable p-value threshold for entry (default 0.05). */
  pEnter?: number;
  /** p-value threshold for an independent factor in the multivariable model (default 0.05). */
  pKeep?: number;
  /** Reduce the multivariable model by backward AIC instead of the p-value rule. */
  selection?: 'p-value' | 'backward-aic';
}

export interface ScreeningResult {
  univariable: UnivariableResult[];
  entered: string[];
  multivariable: LogisticFit | null;
  independentFactors: string[];
  findings: Finding[];
}

export function univariableScreening(data: ModelData, predictors: readonly string[], options: ScreeningOptions = {}): UnivariableResult[] {
  const pEnter = options.pEnter ?? 0.05;
  return predictors.map((name) => {
    const fit = fitLogistic(data, [name], options);
    const coefficient = fit.coefficients[1];
    return { name, coefficient, fit, selected: coefficient.p < pEnter };
  });
}

export function screenThenFit(data: ModelData, predictors: readonly string[], options: ScreeningOptions = {}): ScreeningResult {
  const pKeep = options.pKeep ?? 0.05;
  const univariable = univariableScreening(data, predictors, options);
  const entered = univariable.filter((u) => u.selected).map((u) => u.name);
  const findings: Finding[] = univariable.flatMap((u) => u.fit.findings.map((f) => ({ ...f, message: `${u.name}: ${f.message}` })));
  if (entered.length === 0) {
    findings.push({ code: 'NO_PREDICTOR_SELECTED', severity: 'warning', message: 'no predictor passed the univariable screening' });
    return { univariable, entered, multivariable: null, independentFactors: [], findings };
  }
  let multivariable: LogisticFit;
  let independentFactors: string[];
  if (options.selection === 'backward-aic') {
    const step = backwardStepAic(data, entered, options);
    multivariable = step.fit;
    independentFactors = step.keptTerms;
  } else {
    multivariable = fitLogistic(data, entered, options);
    independentFactors = multivariable.coefficients
      .slice(1)
      .filter((c) => c.p < pKeep)
      .map((c) => c.name);
  }
  appendAll(findings, multivariable.findings);
  return { univariable, entered, multivariable, independentFactors, findings };
}
