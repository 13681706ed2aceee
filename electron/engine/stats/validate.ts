import { HilumError } from '../core/errors.js';

/** A row label for messages: the row's id when the caller has one, else its 1-based position. */
export type RowId = string | number;

/** Options shared by the input checks: the ids to name rows by in messages. */
export interface RowNaming {
  rowIds?: readonly RowId[];
}

function rowName(index: number, naming?: RowNaming): string {
  const id = naming?.rowIds?.[index];
  return id === undefined ? `row ${index + 1}` : `row ${index + 1} (id ${id})`;
}

/** Throws LENGTH_MISMATCH unless every column has `n` values. */
export function assertLength(name: string, values: ArrayLike<number>, n: number): void {
  if (values.length !== n)
    throw new HilumError({
      code: 'LENGTH_MISMATCH',
      message: `'${name}' has ${values.length} values but the outcome has ${n}`,
      data: { name, length: values.length, expected: n },
    });
}

/** Throws MISSING_VALUE naming the first row whose value is NaN, ±Infinity or not a number. */
export function assertFinite(name: string, values: ArrayLike<number>, naming?: RowNaming): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new HilumError({
        code: 'MISSING_VALUE',
        message: `'${name}' is missing or not a finite number in ${rowName(i, naming)} (found ${String(v)})`,
        hint: 'Remove or impute the incomplete rows before fitting; Hilum does not drop them silently.',
        data: { name, row: i + 1, ...(naming?.rowIds ? { id: naming.rowIds[i] } : {}) },
      });
  }
}

/** Counts of a 0/1 outcome. */
export interface ClassCounts {
  events: number;
  nonEvents: number;
}

/** Checks a 0/1 outcome with both classes present; returns the class counts. */
export function assertBinaryOutcome(name: string, y: ArrayLike<number>, naming?: RowNaming): ClassCounts {
  assertFinite(name, y, naming);
  let events = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1)
      throw new HilumError({
        code: 'OUTCOME_NOT_BINARY',
        message: `outcome '${name}' must be coded 0/1 but ${rowName(i, naming)} holds ${y[i]}`,
        hint: 'Code the event (case) as 1 and the non-event as 0.',
        data: { name, row: i + 1, value: y[i] },
      });
    events += y[i];
  }
  const nonEvents = y.length - events;
  if (events === 0 || nonEvents === 0)
    throw new HilumError({
      code: 'ONE_CLASS_ONLY',
      message: `outcome '${name}' has only ${events === 0 ? 'non-events (0)' : 'events (1)'} in its ${y.length} rows; both classes are needed`,
      hint: 'A model or ROC curve needs cases and controls; check the cohort selection or the outcome coding.',
      data: { name, events, nonEvents },
    });
  return { events, nonEvents };
}

/** Throws CONSTANT_FEATURE when every value of a feature is the same (no information, singular design). */
export function assertNotConstant(name: string, values: ArrayLike<number>): void {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return;
  throw new HilumError({
    code: 'CONSTANT_FEATURE',
    message: `feature '${name}' is constant (every value is ${values[0]}); it carries no information and cannot be modelled`,
    hint: 'Drop the feature, or check the extraction settings that produced it.',
    data: { name, value: values[0] },
  });
}

/** Checks a set of named numeric columns against an outcome length: right length, all finite. */
export function assertColumns(columns: Record<string, ArrayLike<number>>, names: readonly string[], n: number, naming?: RowNaming): void {
  for (const name of names) {
    const values = columns[name];
    if (!values) throw new HilumError({ code: 'UNKNOWN_COLUMN', message: `no column named '${name}'`, data: { name, available: Object.keys(columns) } });
    assertLength(name, values, n);
    assertFinite(name, values, naming);
  }
}
