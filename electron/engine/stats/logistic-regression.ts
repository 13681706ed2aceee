/**
 * Logistic regression with the coefficient table of R's summary.glm / confint.default:
 * Wald z = β/SE with two-sided normal p, odds ratio e^β and its Wald CI e^(β ± z_{1-α/2}·SE),
 * deviance, null deviance, AIC = D + 2k (exact for 0/1 outcomes), log-likelihood -D/2 and the
 * likelihood-ratio test against the intercept-only model. Fitting is R's IRLS (logistic-irls.ts).
 * Degenerate input is refused: constant or collinear predictors, a single outcome class, fewer
 * events than predictors, missing values. Separation is detected (separation.ts) and, by
 * default, the model is refitted with Firth's penalised likelihood (firth.ts) and a finding.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { INTERCEPT, checkModelData, designMatrix, type Columns, type ModelData } from './design.js';
import { pchisqUpper, pnormTwoSided, qnorm, plogis } from './distributions.js';
import { fitFirth } from './firth.js';
import { binomialDeviance, fitIrls, type IrlsOptions } from './logistic-irls.js';
import { profileConfidenceInterval } from './profile-likelihood.js';
import { findSeparation, type SeparationReport } from './separation.js';

export interface CoefficientRow {
  name: string;
  estimate: number;
  /** Standard error as R's summary.glm (working weights of the last IRLS iteration). */
  se: number;
  /** Standard error from the information matrix at the estimate (what a Newton solver reports). */
  seAtEstimate: number;
  z: number;
  p: number;
  oddsRatio: number;
  /** Wald CI of the odds ratio, exp(β ± z·SE) as exp(confint.default()). */
  oddsRatioCi: [number, number];
  /** Profile-likelihood CI of the odds ratio (only when requested). */
  oddsRatioProfileCi?: [number, number];
}

export interface LogisticOptions extends IrlsOptions {
  confidenceLevel?: number;
  /** What to do when the outcome is separated: refit with Firth's penalty (default) or throw. */
  onSeparation?: 'firth' | 'error';
  /** Also compute profile-likelihood CIs of the odds ratios (slower: one refit per root-finding step). */
  profileCi?: boolean;
}

export interface LogisticFit {
  method: 'maximum-likelihood' | 'firth';
  terms: string[];
  coefficients: CoefficientRow[];
  /** Coefficient estimates by name, including '(Intercept)'. */
  estimates: Record<string, number>;
  covariance: number[][];
  deviance: number;
  nullDeviance: number;
  aic: number;
  logLik: number;
  lrt: { chisq: number; df: number; p: number };
  n: number;
  events: number;
  fitted: Float64Array;
  linearPredictor: Float64Array;
  convergence: { converged: boolean; iterations: number; epsilon: number; maxIterations: number };
  separation: SeparationReport | null;
  findings: Finding[];
}

/** Fits a multivariable (or single-predictor) logistic model of `data.y` on `predictors`. */
export function fitLogistic(data: ModelData, predictors: readonly string[], options: LogisticOptions = {}): LogisticFit {
  const level = options.confidenceLevel ?? 0.95;
  const epsilon = options.epsilon ?? 1e-14;
  const maxIterations = options.maxIterations ?? 100;
  const counts = checkModelData(data, predictors);
  const findings: Finding[] = [];
  const minority = Math.min(counts.events, counts.nonEvents);
  if (minority < predictors.length + 1)
    throw new HilumError({
      code: 'TOO_FEW_EVENTS',
      message: `${minority} ${counts.events <= counts.nonEvents ? 'events' : 'non-events'} cannot support a model with ${predictors.length} predictors and an intercept`,
      hint: 'Use fewer predictors (screening, LASSO) or a larger cohort; about 10 events per predictor is the usual minimum.',
      data: { events: counts.events, nonEvents: counts.nonEvents, predictors: predictors.length },
    });
  if (minority < 10 * predictors.length)
    findings.push({
      code: 'LOW_EVENTS_PER_VARIABLE',
      severity: 'warning',
      message: `${(minority / predictors.length).toFixed(1)} events per predictor (fewer than 10): the estimates may be unstable and optimistic`,
      data: { eventsPerVariable: minority / predictors.length },
    });
  const n = data.y.length;
  const x = designMatrix(data.x, predictors, n);
  const names = [INTERCEPT, ...predictors];
  const irls = fitIrls(x, data.y, { epsilon, maxIterations, offset: options.offset });
  if (irls.dependentColumn >= 0)
    throw new HilumError({
      code: 'COLLINEAR_PREDICTORS',
      message: `predictor '${names[irls.dependentColumn]}' is a linear combination of the other predictors (or the intercept); the model is not identifiable`,
      hint: 'Remove one of the collinear predictors (correlation pruning does this for features).',
      data: { predictor: names[irls.dependentColumn] },
    });
  const separation = findSeparation(x, data.y, names, irls);
  const nullDeviance = nullModelDeviance(data.y, options.offset);
  let method: LogisticFit['method'] = 'maximum-likelihood';
  let coef = irls.coefficients;
  let cov = irls.covariance;
  let covAt = irls.covarianceAtEstimate;
  let fitted = irls.fitted;
  let eta = irls.linearPredictor;
  let deviance = irls.deviance;
  let converged = irls.converged;
  let iterations = irls.iterations;
  if (separation) {
    const message = `the outcome is ${separation.kind}ly separated by ${separation.variables.join(', ')}: ${separation.separatedRows} rows are predicted perfectly and the maximum-likelihood estimates are infinite`;
    if (options.onSeparation === 'error')
      throw new HilumError({
        code: 'PERFECT_SEPARATION',
        message,
        hint: "Remove or merge the separating predictor, or fit with onSeparation: 'firth' (Firth's penalised likelihood).",
        data: { ...separation },
      });
    const firth = fitFirth(x, data.y);
    method = 'firth';
    coef = firth.coefficients;
    cov = covAt = firth.covariance;
    fitted = firth.fitted;
    eta = firth.linearPredictor;
    deviance = -2 * firth.logLik;
    converged = firth.converged;
    iterations = firth.iterations;
    findings.push({
      code: 'PERFECT_SEPARATION',
      severity: 'warning',
      message: `${message}; the model was refitted with Firth's penalised likelihood`,
      hint: 'Firth estimates are finite but shrunk; report the separation with the model.',
      data: { ...separation },
    });
  } else if (!irls.converged) {
    throw new HilumError({
      code: 'NOT_CONVERGED',
      message: `logistic regression did not converge in ${maxIterations} iterations`,
      hint: 'Rescale extreme predictors or reduce the model.',
      data: { iterations: irls.iterations },
    });
  }
  const zq = qnorm(1 - (1 - level) / 2);
  const coefficients: CoefficientRow[] = names.map((name, j) => {
    const estimate = coef[j];
    const se = Math.sqrt(cov.get(j, j));
    const z = estimate / se;
    const row: CoefficientRow = {
      name,
      estimate,
      se,
      seAtEstimate: Math.sqrt(covAt.get(j, j)),
      z,
      p: pnormTwoSided(z),
      oddsRatio: Math.exp(estimate),
      oddsRatioCi: [Math.exp(estimate - zq * se), Math.exp(estimate + zq * se)],
    };
    if (options.profileCi && method === 'maximum-likelihood') {
      const [lo, hi] = profileConfidenceInterval(x, data.y, j, coef, se, deviance, level, options.offset);
      row.oddsRatioProfileCi = [Math.exp(lo), Math.exp(hi)];
    }
    return row;
  });
  const k = names.length;
  const lrtChisq = nullDeviance - deviance;
  return {
    method,
    terms: [...predictors],
    coefficients,
    estimates: Object.fromEntries(names.map((name, j) => [name, coef[j]])),
    covariance: cov.to2DArray(),
    deviance,
    nullDeviance,
    aic: deviance + 2 * k,
    logLik: -deviance / 2,
    lrt: { chisq: lrtChisq, df: k - 1, p: pchisqUpper(lrtChisq, k - 1) },
    n,
    events: counts.events,
    fitted,
    linearPredictor: eta,
    convergence: { converged, iterations, epsilon, maxIterations },
    separation,
    findings,
  };
}

/** Deviance of the intercept-only model (with the offset, if any). */
function nullModelDeviance(y: ArrayLike<number>, offset?: ArrayLike<number>): number {
  const n = y.length;
  if (!offset) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i];
    m /= n;
    return binomialDeviance(y, new Float64Array(n).fill(m));
  }
  const ones = designMatrix({}, [], n);
  return fitIrls(ones, y, { offset }).deviance;
}

/** Linear predictor β₀ + Σβⱼxⱼ of a fitted model for new rows. */
export function predictLinear(fit: Pick<LogisticFit, 'estimates' | 'terms'>, x: Columns, n: number): Float64Array {
  const out = new Float64Array(n).fill(fit.estimates[INTERCEPT]);
  for (const name of fit.terms) {
    const col = x[name];
    if (!col) throw new HilumError({ code: 'UNKNOWN_COLUMN', message: `the new data lack predictor '${name}'`, data: { name } });
    const b = fit.estimates[name];
    for (let i = 0; i < n; i++) out[i] += b * col[i];
  }
  return out;
}

/** Predicted probabilities of a fitted model for new rows. */
export function predictProbability(fit: Pick<LogisticFit, 'estimates' | 'terms'>, x: Columns, n: number): Float64Array {
  return predictLinear(fit, x, n).map(plogis);
}
