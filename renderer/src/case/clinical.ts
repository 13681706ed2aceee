/**
 * The clinical form's model: one text value per field of the bundle's clinical schema, whether a
 * measured field still holds the segmentation's value, client-side range checks, and the
 * conversion to and from the `hilum-clinical/1` file the engine takes (docs/predict.md).
 */
import type { ApiRequest, ApiResponse } from '../../../electron/api/contract';

export type ClinicalSchema = ApiResponse<'bundles.schema'>;
export type ClinicalVariable = ClinicalSchema['variables'][number];
export type ClinicalFile = ApiRequest<'predict.run'>['clinical'];
export type Measurements = ApiResponse<'segment.click'>['measurements'];
export type PredictResponse = ApiResponse<'predict.run'>;

/** A binary field's two choices: 'pos' / 'neg' ('' = not given). */
export type BinaryChoice = 'pos' | 'neg' | '';

export interface FieldState {
  value: string;
  /** Measured fields start as 'measured' and become 'entered' once edited. */
  source: 'measured' | 'entered';
}

/** The opposite word of a binary variable's positive word (male/female, central/peripheral). */
const OPPOSITES: Record<string, string> = { male: 'female', central: 'peripheral' };

export function negativeWord(v: ClinicalVariable): string | undefined {
  return v.positive ? OPPOSITES[v.positive] : undefined;
}

/** The measured value of a measured field, rounded as shown. */
export function measuredValue(column: string, m: Measurements): string | null {
  if (column === 'diameter_mm') return m.longestAxialDiameterMm.toFixed(1);
  if (column === 'solid_diameter_mm') return m.solidDiameterMm.toFixed(1);
  if (column === 'ctr') return m.ctr.toFixed(2);
  return null;
}

export interface ClientIssue {
  key: 'form.outOfRange' | 'form.notNumber';
  params?: Record<string, string | number>;
}

/** The client-side check of one field (numbers: parse and range); null when fine or empty. */
export function checkField(v: ClinicalVariable, value: string): ClientIssue | null {
  if (v.kind !== 'numeric' || value.trim() === '') return null;
  const x = Number(value);
  if (!Number.isFinite(x)) return { key: 'form.notNumber' };
  if (v.range && (x < v.range[0] || x > v.range[1])) return { key: 'form.outOfRange', params: { min: v.range[0], max: v.range[1], unit: v.unit ?? '' } };
  return null;
}

/** A value of a clinical file as the form shows it. */
export function formValueOf(v: ClinicalVariable, raw: unknown): string {
  const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  if (value === null || value === undefined) return '';
  if (v.kind === 'binary') {
    const text = String(value).trim().toLowerCase();
    if (text === v.positive || ['1', 'yes', 'y', 'true', 'present'].includes(text)) return 'pos';
    if (text === negativeWord(v) || ['0', 'no', 'n', 'false', 'absent'].includes(text)) return 'neg';
    return '';
  }
  return String(value);
}

/** The clinical file of the form: measured fields still holding the measurement are left to the engine. */
export function clinicalFile(schema: ClinicalSchema, fields: Record<string, FieldState>, pseudonym: string): ClinicalFile {
  const values: ClinicalFile['values'] = {};
  for (const v of schema.variables) {
    const f = fields[v.column];
    if (!f || f.value.trim() === '' || (v.measured && f.source === 'measured')) continue;
    if (v.kind === 'numeric') values[v.column] = Number(f.value);
    else if (v.kind === 'binary') {
      const neg = negativeWord(v);
      values[v.column] = v.positive && neg ? (f.value === 'pos' ? v.positive : neg) : f.value === 'pos';
    } else values[v.column] = f.value;
  }
  const name = pseudonym.trim();
  return { format: 'hilum-clinical/1', patient: name ? { pseudonym: name } : {}, values };
}

/** The field-specific issues of an engine error (`data.issues`, or `data.field`). */
export function engineIssues(error: unknown): { field: string; code: string; message: string }[] {
  const e = error as { code?: string; message?: string; data?: { field?: unknown; issues?: unknown } };
  const issues = Array.isArray(e.data?.issues) ? (e.data.issues as { field?: unknown; code?: unknown; message?: unknown }[]) : [];
  const named = issues
    .filter((i) => typeof i.field === 'string')
    .map((i) => ({ field: String(i.field), code: String(i.code ?? e.code ?? ''), message: String(i.message ?? '') }));
  if (named.length) return named;
  if (typeof e.data?.field === 'string') return [{ field: e.data.field, code: e.code ?? '', message: e.message ?? '' }];
  return [];
}

/** The form's entries as a draft (`drafts.save`): typed values, measured/entered state, pseudonym. */
export interface FormDraft {
  format: 'hilum-form-draft/1';
  pseudonym: string;
  /** Measured fields that still hold the measurement keep no value (it comes from the segmentation). */
  fields: Record<string, FieldState>;
  /** Set when the entries led to a prediction: the draft is then the record of what was typed. */
  predictionId?: string;
}

/** The engine's draft key for the clinical form of an opened image. */
export function draftKey(image: string): string {
  const key = `clinical-form:${image}`;
  return key.length <= 500 ? key : `clinical-form:…${image.slice(-480)}`;
}

export function formDraft(schema: ClinicalSchema, fields: Record<string, FieldState>, pseudonym: string, predictionId?: string): FormDraft {
  const out: Record<string, FieldState> = {};
  for (const v of schema.variables) {
    const f = fields[v.column];
    if (!f) continue;
    out[v.column] = v.measured && f.source === 'measured' ? { value: '', source: 'measured' } : { value: f.value, source: 'entered' };
  }
  return { format: 'hilum-form-draft/1', pseudonym, fields: out, ...(predictionId ? { predictionId } : {}) };
}

export function isFormDraft(value: unknown): value is FormDraft {
  if (!value || typeof value !== 'object') return false;
  const d = value as Partial<FormDraft>;
  if (d.format !== 'hilum-form-draft/1' || typeof d.pseudonym !== 'string' || !d.fields || typeof d.fields !== 'object') return false;
  return Object.values(d.fields).every(
    (f) =>
      !!f &&
      typeof f === 'object' &&
      typeof (f as FieldState).value === 'string' &&
      ((f as FieldState).source === 'measured' || (f as FieldState).source === 'entered'),
  );
}
