import { Matrix } from 'ml-matrix';
import { type RowNaming, assertBinaryOutcome, assertColumns, assertNotConstant, type ClassCounts } from './validate.js';

/** Named numeric columns (one value per row), e.g. features or clinical variables. */
export type Columns = Record<string, ArrayLike<number>>;

/** A 0/1 outcome with named predictor columns. */
export interface ModelData extends RowNaming {
  /** 0/1 outcome, 1 = event (case). */
  y: ArrayLike<number>;
  /** Predictor columns by name. */
  x: Columns;
  /** Outcome name for messages. */
  outcomeName?: string;
}

/** Name R gives the intercept in coefficient tables. */
export const INTERCEPT = '(Intercept)';

/** Checks the data for a model on `predictors` and returns the outcome's class counts. */
export function checkModelData(data: ModelData, predictors: readonly string[]): ClassCounts {
  const counts = assertBinaryOutcome(data.outcomeName ?? 'outcome', data.y, data);
  assertColumns(data.x, predictors, data.y.length, data);
  for (const name of predictors) assertNotConstant(name, data.x[name]);
  return counts;
}

/** Design matrix [1, x₁, …, x_p] for the given predictors. */
export function designMatrix(x: Columns, predictors: readonly string[], n: number): Matrix {
  const m = new Matrix(n, predictors.length + 1);
  for (let i = 0; i < n; i++) m.set(i, 0, 1);
  predictors.forEach((name, j) => {
    const col = x[name];
    for (let i = 0; i < n; i++) m.set(i, j + 1, col[i]);
  });
  return m;
}
