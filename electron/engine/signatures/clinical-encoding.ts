/**
 * Clinical variables from manifest text to model columns: numeric values checked against their
 * plausible range, binary ones as 0/1 (1, yes, true or the variable's `positive` word), categorical
 * ones dummy-coded against a reference level (columns `column=level`). Missing values are refused
 * naming every patient and field, or — when the protocol says "impute" — replaced by the training
 * median (numeric) or the training mode (binary, categorical); the values used are frozen with the
 * encoding so a bedside case is imputed the same way. A numeric variable with a `transform` enters
 * its column on that scale (clinical-scale.ts: ln x for `log`); ranges, imputation values and what
 * is shown stay in the variable's own unit.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { median } from '../stats/descriptive.js';
import { toModelScale } from './clinical-scale.js';
import type { ClinicalVariable } from './protocol.js';

export interface ClinicalEncoding {
  variables: ClinicalVariable[];
  /** Levels of each categorical variable (reference first). */
  levels: Record<string, string[]>;
  /** Imputation value of each variable (its own unit; categorical: the level), when the protocol imputes. */
  imputation: Record<string, number | string>;
  missing: 'reject' | 'impute';
}

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'y']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'n']);

function isMissing(v: string | undefined): boolean {
  return v === undefined || v.trim() === '' || /^(na|nan|null|missing)$/i.test(v.trim());
}

/** Model columns of the encoding, in order. */
export function encodedColumns(enc: ClinicalEncoding): string[] {
  return enc.variables.flatMap((v) => (v.kind === 'categorical' ? enc.levels[v.column].slice(1).map((l) => `${v.column}=${l}`) : [v.column]));
}

/** The encoded column(s) that carry one variable. */
export function columnsOfVariable(enc: ClinicalEncoding, column: string): string[] {
  const v = enc.variables.find((x) => x.column === column);
  if (!v) return [];
  return v.kind === 'categorical' ? enc.levels[column].slice(1).map((l) => `${column}=${l}`) : [column];
}

function parseValue(v: ClinicalVariable, text: string, where: string): number | string {
  const t = text.trim();
  if (v.kind === 'numeric') {
    const x = Number(t);
    if (!Number.isFinite(x))
      throw new HilumError({
        code: 'CLINICAL_VALUE_INVALID',
        message: `${where}: ${v.column} must be a number${v.unit ? ` in ${v.unit}` : ''}, got '${text}'`,
        data: { field: v.column },
      });
    if (v.range && (x < v.range[0] || x > v.range[1]))
      throw new HilumError({
        code: 'CLINICAL_VALUE_OUT_OF_RANGE',
        message: `${where}: ${v.column} = ${x}${v.unit ? ` ${v.unit}` : ''} is outside the plausible range ${v.range[0]}–${v.range[1]}`,
        hint: 'Check the value and its unit.',
        data: { field: v.column, value: x, range: v.range },
      });
    return x;
  }
  if (v.kind === 'binary') {
    const low = t.toLowerCase();
    if (v.positive !== undefined) {
      if (low === v.positive.toLowerCase() || TRUE_WORDS.has(low)) return 1;
      return FALSE_WORDS.has(low) || low.length > 0 ? 0 : NaN;
    }
    if (TRUE_WORDS.has(low)) return 1;
    if (FALSE_WORDS.has(low)) return 0;
    throw new HilumError({ code: 'CLINICAL_VALUE_INVALID', message: `${where}: ${v.column} must be 0/1 (yes/no), got '${text}'`, data: { field: v.column } });
  }
  return t;
}

/** Fits the encoding on the training rows (levels, imputation values) after checking every row. */
export function fitClinicalEncoding(
  variables: ClinicalVariable[],
  rows: readonly { id: string; values: Record<string, string> }[],
  training: readonly boolean[],
  missing: 'reject' | 'impute',
): { encoding: ClinicalEncoding; findings: Finding[] } {
  const findings: Finding[] = [];
  const absentColumns = variables.filter((v) => rows.length && !(v.column in rows[0].values)).map((v) => v.column);
  if (absentColumns.length)
    throw new HilumError({
      code: 'CLINICAL_COLUMN_MISSING',
      message: `the manifest has no column ${absentColumns.join(', ')} named by the protocol's clinical variables`,
      hint: 'Add the column(s) to the manifest or remove them from protocol.clinical.variables.',
      data: { columns: absentColumns },
    });
  const gaps: string[] = [];
  for (const v of variables) for (const r of rows) if (isMissing(r.values[v.column])) gaps.push(`${r.id}: ${v.column}`);
  if (gaps.length && missing === 'reject')
    throw new HilumError({
      code: 'CLINICAL_VALUE_MISSING',
      message: `${gaps.length} clinical value(s) are missing: ${gaps.slice(0, 8).join('; ')}${gaps.length > 8 ? '; …' : ''}`,
      hint: 'Complete the manifest, or set clinical.missing: impute in the protocol (training median or mode, recorded in the bundle).',
      data: { missing: gaps },
    });
  const levels: Record<string, string[]> = {};
  const imputation: Record<string, number | string> = {};
  for (const v of variables) {
    const parsed = rows.map((r) => (isMissing(r.values[v.column]) ? null : parseValue(v, r.values[v.column], `patient ${r.id}`)));
    if (v.transform === 'log') refuseNonPositive(v, rows, parsed);
    const trainValues = parsed.filter((x, i) => training[i] && x !== null) as (number | string)[];
    if (v.kind === 'categorical') {
      const seen = [...new Set(parsed.filter((x) => x !== null) as string[])].sort();
      const declared = v.levels ?? seen;
      const unknown = seen.filter((l) => !declared.includes(l));
      if (unknown.length)
        throw new HilumError({ code: 'CLINICAL_VALUE_INVALID', message: `${v.column}: level(s) ${unknown.join(', ')} are not among ${declared.join(', ')}` });
      const reference = v.reference ?? declared[0];
      levels[v.column] = [reference, ...declared.filter((l) => l !== reference)];
    }
    if (missing === 'impute') {
      if (!trainValues.length)
        throw new HilumError({ code: 'CLINICAL_VALUE_MISSING', message: `${v.column} is missing for every training patient; nothing to impute from` });
      imputation[v.column] = v.kind === 'numeric' ? median(trainValues as number[]) : mode(trainValues);
    }
  }
  if (gaps.length)
    findings.push({
      code: 'CLINICAL_VALUES_IMPUTED',
      severity: 'warning',
      message: `${gaps.length} missing clinical value(s) imputed with the training median (numeric) or mode: ${gaps.slice(0, 8).join('; ')}${gaps.length > 8 ? '; …' : ''}`,
      data: { imputed: gaps, values: imputation },
    });
  return { encoding: { variables, levels, imputation, missing }, findings };
}

/** Every patient whose log-scaled value is not above zero, in one error. */
function refuseNonPositive(v: ClinicalVariable, rows: readonly { id: string }[], parsed: (number | string | null)[]): void {
  const bad = rows.flatMap((r, i) => (parsed[i] !== null && !((parsed[i] as number) > 0) ? [`${r.id} (${parsed[i]})`] : []));
  if (bad.length)
    throw new HilumError({
      code: 'CLINICAL_VALUE_OUT_OF_RANGE',
      message: `${v.column} is on a log scale, so it must be above 0; ${bad.length} patient(s) are not: ${bad.slice(0, 8).join('; ')}${bad.length > 8 ? '; …' : ''}`,
      hint: 'Correct the values (a result below the reporting limit is entered as that limit), or drop the transform from the protocol.',
      data: { field: v.column, patients: bad },
    });
}

function mode(values: (number | string)[]): number | string {
  const counts = new Map<number | string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, c] of counts) if (c > counts.get(best)! || (c === counts.get(best)! && String(v) < String(best))) best = v;
  return best;
}

/** Encodes one patient's clinical values (text as in a manifest, or numbers from a form). */
export function encodeClinical(enc: ClinicalEncoding, values: Record<string, string | number | undefined>, who = 'patient'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of enc.variables) {
    const raw = values[v.column];
    let x: number | string;
    if (raw === undefined || (typeof raw === 'string' && isMissing(raw)) || (typeof raw === 'number' && Number.isNaN(raw))) {
      if (enc.missing !== 'impute')
        throw new HilumError({
          code: 'CLINICAL_VALUE_MISSING',
          message: `${who}: ${v.label ?? v.column} (${v.column}) is required`,
          data: { field: v.column },
        });
      x = enc.imputation[v.column];
    } else x = parseValue(v, String(raw), who);
    if (v.kind === 'categorical') {
      const levels = enc.levels[v.column];
      if (!levels.includes(String(x)))
        throw new HilumError({
          code: 'CLINICAL_VALUE_INVALID',
          message: `${who}: ${v.column} '${x}' is not one of ${levels.join(', ')}`,
          data: { field: v.column },
        });
      for (const l of levels.slice(1)) out[`${v.column}=${l}`] = x === l ? 1 : 0;
    } else out[v.column] = toModelScale(v, x as number, who);
  }
  return out;
}
