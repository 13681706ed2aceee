/**
 * A bedside patient's clinical data, checked against the model bundle's clinical schema before
 * anything runs: every value is parsed with its unit (converted when the unit is an exact
 * equivalent — cm → mm, µg/L → ng/mL, % → fraction — refused when it is not), range-checked, and
 * every problem is reported naming its field. Values the segmentation measures (tumour diameter,
 * CTR) are taken from it when not entered, and kept apart as `measured`.
 *
 * File format `hilum-clinical/1` (JSON):
 *   { "format": "hilum-clinical/1", "patient": { "pseudonym": "P-0001" },
 *     "values": { "age_years": 64, "cea_ng_ml": { "value": 5.2, "unit": "ng/mL" }, "sex": "male", … } }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HilumError } from '../core/errors.js';
import type { ClinicalEncoding } from './clinical-encoding.js';
import { encodeClinical } from './clinical-encoding.js';
import type { ClinicalInputValue, QualityWarning } from './prediction-record.js';
import type { ClinicalVariable } from './protocol.js';

export const CLINICAL_FORMAT = 'hilum-clinical/1';

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const withUnit = z.object({ value: scalar, unit: z.string().optional() }).strict();

export const clinicalFileSchema = z
  .object({
    format: z.literal(CLINICAL_FORMAT).default(CLINICAL_FORMAT),
    patient: z
      .object({
        pseudonym: z.string().trim().min(1).max(64).optional(),
        name: z.string().optional(),
        birthDate: z.string().optional(),
        sex: z.string().optional(),
        hospitalId: z.string().optional(),
      })
      .strict()
      .default({}),
    values: z.record(z.string(), z.union([scalar, withUnit])),
    author: z.string().optional(),
  })
  .strict();

export type ClinicalFile = z.infer<typeof clinicalFileSchema>;

/** Clinical fields the segmentation measures (filled from it when not typed). */
export const MEASURED_FIELDS: ReadonlySet<string> = new Set(['diameter_mm', 'solid_diameter_mm', 'ctr']);

/** Measurements of the segmented nodule that can stand in for clinical fields of the same meaning. */
export interface MeasuredValues {
  diameter_mm: number;
  solid_diameter_mm: number;
  ctr: number;
}

export interface CheckedClinical {
  /** Values as the model takes them (text as a manifest would hold it). */
  values: Record<string, string | number>;
  /** The encoded design columns (what the signatures multiply). */
  encoded: Record<string, number>;
  inputs: ClinicalInputValue[];
  warnings: QualityWarning[];
}

interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

/** Unit spellings accepted for each canonical unit, with the factor that converts to it. */
const UNIT_EQUIVALENTS: Record<string, Record<string, number>> = {
  'ng/ml': { 'ng/ml': 1, 'µg/l': 1, 'μg/l': 1, 'ug/l': 1, 'mcg/l': 1 },
  mm: { mm: 1, cm: 10 },
  years: { years: 1, year: 1, y: 1, yr: 1, yrs: 1, a: 1 },
  '': { '': 1, '1': 1, ratio: 1, fraction: 1, '%': 0.01 },
};

/** Words accepted as the negative of a binary variable's positive word. */
const BINARY_OPPOSITES: Record<string, string[]> = { male: ['female'], central: ['peripheral'] };
const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 'present']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'absent']);

export function readClinicalFile(file: string): ClinicalFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'PATH_NOT_FOUND' : 'CLINICAL_FILE_INVALID';
    throw new HilumError({ code, message: `clinical file ${file}: ${(error as Error).message}` });
  }
  return parseClinicalFile(raw, file);
}

export function parseClinicalFile(raw: unknown, source = 'clinical data'): ClinicalFile {
  const parsed = clinicalFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first.path.join('.') || '(file)';
    throw new HilumError({
      code: 'CLINICAL_FILE_INVALID',
      message: `${source}: ${where}: ${first.message}`,
      hint: `The file must be {"format": "${CLINICAL_FORMAT}", "values": {"field": value or {"value": …, "unit": …}}}.`,
      data: {
        field: first.path[1] === undefined ? where : String(first.path[1]),
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    });
  }
  return parsed.data;
}

function canonicalUnit(unit: string | undefined): string {
  return (unit ?? '').trim().toLowerCase();
}

/** Converts `value unit` into the variable's unit, or says why it cannot. */
function convertUnit(v: ClinicalVariable, value: number, unit: string | undefined): number | FieldIssue {
  if (unit === undefined) return value;
  const target = canonicalUnit(v.unit);
  const given = canonicalUnit(unit);
  const table = UNIT_EQUIVALENTS[target] ?? { [target]: 1 };
  const factor = table[given];
  if (factor === undefined)
    return {
      field: v.column,
      code: 'CLINICAL_UNIT_INVALID',
      message: `${v.label ?? v.column} (${v.column}) is given in '${unit}', which is not ${v.unit ?? 'a plain ratio'}${Object.keys(table).length > 1 ? ` (accepted: ${Object.keys(table).filter(Boolean).join(', ')})` : ''}`,
    };
  return value * factor;
}

function displayOf(v: ClinicalVariable, value: number | string): string {
  if (v.kind === 'binary')
    return value === 1 ? (v.positive ?? 'yes') : v.positive ? (BINARY_OPPOSITES[v.positive.toLowerCase()]?.[0] ?? `not ${v.positive}`) : 'no';
  return typeof value === 'number' ? String(+value.toPrecision(6)) : value;
}

/** Parses one entered value into the model's form, or the issue with it. */
function parseEntered(
  v: ClinicalVariable,
  raw: z.infer<typeof scalar> | z.infer<typeof withUnit>,
): { value: number | string; unit?: string } | FieldIssue | null {
  const { value, unit } = typeof raw === 'object' && raw !== null ? raw : { value: raw, unit: undefined };
  if (value === null || value === '') return null;
  const name = `${v.label ?? v.column} (${v.column})`;
  if (v.kind === 'numeric') {
    const x = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(x))
      return {
        field: v.column,
        code: 'CLINICAL_VALUE_INVALID',
        message: `${name} must be a number${v.unit ? ` in ${v.unit}` : ''}, got ${JSON.stringify(value)}`,
      };
    const converted = convertUnit(v, x, unit);
    if (typeof converted !== 'number') return converted;
    if (v.range && (converted < v.range[0] || converted > v.range[1]))
      return {
        field: v.column,
        code: 'CLINICAL_VALUE_OUT_OF_RANGE',
        message: `${name} = ${+converted.toPrecision(6)}${v.unit ? ` ${v.unit}` : ''} is outside the plausible range ${v.range[0]}–${v.range[1]}${v.unit ? ` ${v.unit}` : ''}`,
      };
    return { value: converted, unit: v.unit };
  }
  if (unit !== undefined && unit.trim() !== '') return { field: v.column, code: 'CLINICAL_UNIT_INVALID', message: `${name} takes no unit, got '${unit}'` };
  if (v.kind === 'binary') {
    const word = String(value).trim().toLowerCase();
    const positive = v.positive?.toLowerCase();
    if (value === true || TRUE_WORDS.has(word) || (positive !== undefined && word === positive)) return { value: 1 };
    if (value === false || FALSE_WORDS.has(word) || (positive !== undefined && (BINARY_OPPOSITES[positive] ?? []).includes(word))) return { value: 0 };
    const accepted = positive ? `${positive} / ${(BINARY_OPPOSITES[positive] ?? ['no']).join(' / ')}` : 'yes / no';
    return { field: v.column, code: 'CLINICAL_VALUE_INVALID', message: `${name} must be ${accepted}, got ${JSON.stringify(value)}` };
  }
  return { value: String(value).trim() };
}

/**
 * Checks a clinical file against the bundle's encoding. Every field problem is collected; if there
 * is any, one HilumError is thrown whose code and `data.field` are the first problem's and whose
 * `data.issues` lists them all. Nothing is computed or written before this passes.
 */
export function checkClinicalInput(enc: ClinicalEncoding, file: ClinicalFile, measured: MeasuredValues | null): CheckedClinical {
  const issues: FieldIssue[] = [];
  const warnings: QualityWarning[] = [];
  const values: Record<string, string | number> = {};
  const inputs: ClinicalInputValue[] = [];
  const known = new Set(enc.variables.map((v) => v.column));
  const unused = Object.keys(file.values).filter((k) => !known.has(k));
  if (unused.length) warnings.push({ code: 'CLINICAL_FIELD_UNUSED', severity: 'warning', message: `not used by this model and ignored: ${unused.join(', ')}` });
  for (const v of enc.variables) {
    const parsed = file.values[v.column] === undefined ? null : parseEntered(v, file.values[v.column]);
    if (parsed && 'code' in parsed) {
      issues.push(parsed);
      continue;
    }
    const measuredValue = measured && v.column in measured ? measured[v.column as keyof MeasuredValues] : undefined;
    if (parsed) {
      values[v.column] = parsed.value;
      inputs.push({
        field: v.column,
        label: v.label ?? v.column,
        value: parsed.value,
        display: displayOf(v, parsed.value),
        unit: parsed.unit,
        source: 'entered',
      });
      if (
        measuredValue !== undefined &&
        typeof parsed.value === 'number' &&
        Math.abs(parsed.value - measuredValue) > 0.2 * Math.max(Math.abs(measuredValue), 1e-9) &&
        measuredValue > 0
      )
        warnings.push({
          code: 'CLINICAL_DIFFERS_FROM_MEASURED',
          severity: 'warning',
          message: `${v.label ?? v.column} entered as ${displayOf(v, parsed.value)}${v.unit ? ` ${v.unit}` : ''} but the segmentation measures ${+measuredValue.toFixed(2)}${v.unit ? ` ${v.unit}` : ''}; the entered value was used`,
        });
    } else if (measuredValue !== undefined) {
      const value = +measuredValue.toFixed(v.column === 'ctr' ? 3 : 1);
      values[v.column] = value;
      inputs.push({ field: v.column, label: v.label ?? v.column, value, display: displayOf(v, value), unit: v.unit, source: 'measured' });
    } else if (enc.missing === 'impute') {
      const value = enc.imputation[v.column];
      values[v.column] = value;
      inputs.push({ field: v.column, label: v.label ?? v.column, value, display: displayOf(v, value), unit: v.unit, source: 'entered' });
      warnings.push({
        code: 'CLINICAL_VALUE_IMPUTED',
        severity: 'warning',
        message: `${v.label ?? v.column} was missing and was imputed with the training value ${value}`,
      });
    } else issues.push({ field: v.column, code: 'CLINICAL_VALUE_MISSING', message: `${v.label ?? v.column} (${v.column}) is required by this model` });
  }
  if (issues.length)
    throw new HilumError({
      code: issues[0].code,
      message:
        issues.length === 1 ? `clinical data: ${issues[0].message}` : `clinical data has ${issues.length} problems: ${issues.map((i) => i.message).join('; ')}`,
      hint: 'Correct the named field(s); nothing was computed or stored.',
      data: { field: issues[0].field, issues },
    });
  const encoded = encodeClinical(enc, Object.fromEntries(Object.entries(values).map(([k, x]) => [k, String(x)])));
  return { values, encoded, inputs, warnings };
}
