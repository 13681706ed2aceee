/**
 * The λ grid of a LASSO fit, with glmnet's meaning (glmnet 4.1, `glmnet()` / `cv.glmnet()`):
 * - `lambda`: a user list; glmnet fits it in decreasing order (`rev(sort(lambda))`), every value
 *   must be ≥ 0, and cv.glmnet needs at least two values; nlambda and lambda.min.ratio are then
 *   ignored (here: refused, so a grid is never half-applied);
 * - `nLambda` (default 100) and `lambdaMinRatio` (default 0.01 when n < p, else 1e-4): the computed
 *   path λ_k = λ_max·r^(k/(nlambda−1)), k = 0…nlambda−1 (path.ts builds it); glmnet requires
 *   lambda.min.ratio < 1.
 * This module checks and normalises the options; path.ts builds and fits the path.
 */
import { HilumError } from '../../core/errors.js';

export interface LambdaGridOptions {
  /** Fixed λ values (any order; fitted decreasing). */
  lambda?: readonly number[];
  /** Length of the computed path (glmnet's nlambda). */
  nLambda?: number;
  /** Smallest computed λ as a fraction of λ_max (glmnet's lambda.min.ratio). */
  lambdaMinRatio?: number;
}

/** Checks the grid options; returns them with a user λ list sorted decreasing. Throws LASSO_LAMBDA_INVALID. */
export function checkLambdaGrid<T extends LambdaGridOptions>(options: T, forCrossValidation = false): T {
  const fail = (message: string, hint?: string) => new HilumError({ code: 'LASSO_LAMBDA_INVALID', message, ...(hint ? { hint } : {}) });
  if (options.lambda) {
    if (options.nLambda !== undefined || options.lambdaMinRatio !== undefined)
      throw fail('give either a λ list or nlambda / lambda.min.ratio, not both (glmnet ignores nlambda and lambda.min.ratio when lambda is given)');
    const bad = options.lambda.find((l) => !Number.isFinite(l) || l < 0);
    if (bad !== undefined) throw fail(`every λ must be a finite number ≥ 0, got ${bad}`);
    if (options.lambda.length < (forCrossValidation ? 2 : 1))
      throw fail(`cross-validation needs more than one λ, got ${options.lambda.length}`, 'Give at least two values, as cv.glmnet requires.');
    return { ...options, lambda: [...options.lambda].sort((a, b) => b - a) };
  }
  if (options.nLambda !== undefined && (!Number.isInteger(options.nLambda) || options.nLambda < (forCrossValidation ? 2 : 1)))
    throw fail(`nlambda must be a whole number ≥ ${forCrossValidation ? 2 : 1}, got ${options.nLambda}`);
  if (options.lambdaMinRatio !== undefined && !(options.lambdaMinRatio > 0 && options.lambdaMinRatio < 1))
    throw fail(`lambda.min.ratio must lie in (0, 1), got ${options.lambdaMinRatio}`);
  return options;
}

/** Parses a comma-separated λ list ("0.1,0.05,0.01"); a non-number is LASSO_LAMBDA_INVALID. */
export function parseLambdaList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const k = values.findIndex((v, i) => parts[i] === '' || !Number.isFinite(v));
  if (k >= 0)
    throw new HilumError({
      code: 'LASSO_LAMBDA_INVALID',
      message: `λ list: '${parts[k]}' is not a number`,
      hint: 'Give --lambda as comma-separated numbers, e.g. 0.1,0.05,0.01.',
    });
  return values;
}
