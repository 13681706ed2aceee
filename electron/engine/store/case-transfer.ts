/**
 * Moving one case between workstations: `exportCase` writes everything the store holds about a
 * patient as one JSON file (format `hilum-case/1`: mask files inline as base64, the hashes of the
 * model bundles its predictions used, and a SHA-256 over the canonical JSON of the content);
 * `importCase` verifies that hash, refuses conflicts, and writes the whole case in one transaction
 * with its original ids and times, so exporting it again gives the same content hash.
 */
import { writeFileAtomically } from '../core/atomic-write.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError, isHilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { canonicalJson, sha256Hex } from '../signatures/canonical-json.js';
import { appendAudit } from './audit.js';
import { getBundleEntry } from './bundles.js';
import { readCase } from './cases.js';
import { insertClinicalRecord, type ClinicalRecord } from './clinical.js';
import { insertFeatureSet, type FeatureSet } from './features.js';
import { insertSeries, insertStudy, type Series, type Study } from './imaging.js';
import { schemaVersion } from './migrations.js';
import { findPatientByPseudonym, insertPatient, type Patient } from './patients.js';
import { insertDicomExport, insertPrediction, insertReport, type DicomExport, type Prediction, type Report } from './predictions.js';
import { insertSegmentation, type Segmentation } from './segmentations.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor } from './values.js';

export const CASE_FORMAT = 'hilum-case/1';

export type ExportedSegmentation = Omit<Segmentation, 'mask' | 'maskBytes'> & { maskBase64: string };

export interface CaseContent {
  patient: Patient;
  studies: Study[];
  series: Series[];
  segmentations: ExportedSegmentation[];
  clinicalRecords: ClinicalRecord[];
  featureSets: FeatureSet[];
  predictions: Prediction[];
  reports: Report[];
  dicomExports: DicomExport[];
  /** Content hashes of the model bundles the predictions used (sorted). */
  bundles: string[];
}

export interface CaseFile {
  format: typeof CASE_FORMAT;
  exportedAt: string;
  engineVersion: string;
  schemaVersion: number;
  /** SHA-256 of the canonical JSON of `content`. */
  contentSha256: string;
  content: CaseContent;
}

export interface ImportResult {
  patientId: string;
  pseudonym: string;
  contentSha256: string;
  /** `unchanged`: the same case was already in the store; nothing was written. */
  status: 'imported' | 'unchanged';
  counts: Record<string, number>;
}

/** The exportable content of a case (masks inline). */
export function caseContent(db: Db, patientId: string): CaseContent {
  const c = readCase(db, patientId, { withMasks: true });
  return {
    patient: c.patient,
    studies: c.studies,
    series: c.series,
    segmentations: c.segmentations.map(({ mask, maskBytes: _bytes, ...rest }) => ({ ...rest, maskBase64: (mask as Buffer).toString('base64') })),
    clinicalRecords: c.clinicalRecords,
    featureSets: c.featureSets,
    predictions: c.predictions,
    reports: c.reports,
    dicomExports: c.dicomExports,
    bundles: [...new Set(c.predictions.map((p) => p.bundleSha256))].sort(),
  };
}

/** SHA-256 of a case content's canonical JSON. */
export function caseContentSha256(content: CaseContent): string {
  return sha256Hex(canonicalJson(content));
}

/** Writes the case to `file` atomically (temporary file, fsync, rename); returns the content hash. */
export function exportCase(db: Db, patientId: string, file: string, actor = defaultActor()): { file: string; contentSha256: string; bytes: number } {
  const content = caseContent(db, patientId);
  const contentSha256 = caseContentSha256(content);
  const caseFile: CaseFile = {
    format: CASE_FORMAT,
    exportedAt: new Date().toISOString(),
    engineVersion: engineVersion(),
    schemaVersion: schemaVersion(db),
    contentSha256,
    content,
  };
  const text = canonicalJson(caseFile) + '\n';
  try {
    writeFileAtomically(file, text);
  } catch (error) {
    throw new HilumError({ code: 'CASE_EXPORT_FAILED', message: `cannot write the case file ${file}: ${(error as Error).message}`, cause: error });
  }
  if (!db.readonly)
    writeTransaction(db, () =>
      appendAudit(db, { actor, action: 'case.export', entity: 'patients', entityId: patientId, detail: { file: path.resolve(file), contentSha256 } }),
    );
  return { file, contentSha256, bytes: Buffer.byteLength(text) };
}

function invalid(file: string, why: string): HilumError {
  return new HilumError({ code: 'CASE_FILE_INVALID', message: `${file} is not a Hilum case file: ${why}` });
}

/** Reads and verifies a case file (format, content hash, internal links) without touching any database. */
export function readCaseFile(file: string): CaseFile {
  if (!existsSync(file)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `case file ${file} does not exist` });
  let parsed: CaseFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as CaseFile;
  } catch (error) {
    throw invalid(file, `not JSON (${(error as Error).message})`);
  }
  if (!parsed || parsed.format !== CASE_FORMAT) throw invalid(file, `its format is not ${CASE_FORMAT}`);
  const c = parsed.content;
  const lists = ['studies', 'series', 'segmentations', 'clinicalRecords', 'featureSets', 'predictions', 'reports', 'dicomExports', 'bundles'] as const;
  if (!c || typeof c !== 'object' || !c.patient || typeof c.patient.pseudonym !== 'string' || lists.some((k) => !Array.isArray(c[k])))
    throw invalid(file, 'its content is incomplete');
  const actual = caseContentSha256(c);
  if (actual !== parsed.contentSha256)
    throw new HilumError({
      code: 'CASE_FILE_TAMPERED',
      message: `${file} has been changed since it was exported (its content hashes to ${actual.slice(0, 12)}…, it claims ${String(parsed.contentSha256).slice(0, 12)}…); it will not be imported`,
      hint: 'Export the case again from the workstation that holds it.',
    });
  checkLinks(file, c);
  return parsed;
}

/** Every row must belong to this case's patient (a crafted file must not attach rows to another patient). */
function checkLinks(file: string, c: CaseContent): void {
  const pid = c.patient.id;
  const studies = new Set(c.studies.map((s) => s.id));
  const series = new Set(c.series.map((s) => s.id));
  const predictions = new Set(c.predictions.map((p) => p.id));
  const reports = new Set(c.reports.map((r) => r.id));
  const bad =
    c.studies.some((s) => s.patientId !== pid) ||
    c.series.some((s) => !studies.has(s.studyId)) ||
    c.segmentations.some((s) => !series.has(s.seriesId)) ||
    c.clinicalRecords.some((r) => r.patientId !== pid) ||
    c.featureSets.some((f) => !series.has(f.seriesId)) ||
    c.predictions.some((p) => p.patientId !== pid || !series.has(p.seriesId)) ||
    c.reports.some((r) => !predictions.has(r.predictionId)) ||
    c.dicomExports.some((d) => !reports.has(d.reportId));
  if (bad) throw invalid(file, `some of its rows do not belong to patient ${c.patient.pseudonym}`);
}

/**
 * Imports a case file in one transaction. Refused: a changed file (CASE_FILE_TAMPERED), a pseudonym
 * or row id already in the store with different content (CASE_CONFLICT), a prediction whose bundle is
 * not registered here (BUNDLE_NOT_REGISTERED). Importing the same case again changes nothing.
 */
export function importCase(db: Db, file: string, actor = defaultActor()): ImportResult {
  const caseFile = readCaseFile(file);
  const c = caseFile.content;
  const counts = {
    studies: c.studies.length,
    series: c.series.length,
    segmentations: c.segmentations.length,
    clinicalRecords: c.clinicalRecords.length,
    featureSets: c.featureSets.length,
    predictions: c.predictions.length,
    reports: c.reports.length,
    dicomExports: c.dicomExports.length,
  };
  const base = { pseudonym: c.patient.pseudonym, contentSha256: caseFile.contentSha256, counts };
  return writeTransaction(db, () => {
    const existing = findPatientByPseudonym(db, c.patient.pseudonym);
    if (existing) {
      if (existing.id === c.patient.id && caseContentSha256(caseContent(db, existing.id)) === caseFile.contentSha256)
        return { ...base, patientId: existing.id, status: 'unchanged' as const };
      throw new HilumError({
        code: 'CASE_CONFLICT',
        message: `a different case with pseudonym ${c.patient.pseudonym} is already in the case store; ${file} was not imported`,
        hint: 'Open the existing case, or rename one of the pseudonyms first.',
        data: { pseudonym: c.patient.pseudonym, existingPatientId: existing.id },
      });
    }
    const missing = [...new Set([...c.bundles, ...c.predictions.map((p) => p.bundleSha256)])].filter((sha) => !getBundleEntry(db, sha));
    if (missing.length)
      throw new HilumError({
        code: 'BUNDLE_NOT_REGISTERED',
        message: `${file} has predictions made with model bundle${missing.length > 1 ? 's' : ''} ${missing.map((s) => s.slice(0, 12) + '…').join(', ')}, not in this workstation's model registry; nothing was imported`,
        hint: 'Import the model bundle first, then the case.',
        data: { missing },
      });
    try {
      insertPatient(db, c.patient);
      for (const s of c.studies) insertStudy(db, s);
      for (const s of c.series) insertSeries(db, s);
      for (const { maskBase64, ...s } of c.segmentations) {
        const mask = Buffer.from(maskBase64, 'base64');
        insertSegmentation(db, { ...s, mask, maskBytes: mask.byteLength });
      }
      for (const r of c.clinicalRecords) insertClinicalRecord(db, r);
      for (const f of c.featureSets) insertFeatureSet(db, f);
      for (const p of c.predictions) insertPrediction(db, p);
      for (const r of c.reports) insertReport(db, r);
      for (const d of c.dicomExports) insertDicomExport(db, d);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new HilumError({
          code: 'CASE_CONFLICT',
          message: `${file} holds rows that are already in the case store under another patient; nothing was imported`,
          cause: error,
        });
      if (isHilumError(error)) throw error;
      throw new HilumError({
        code: 'CASE_FILE_INVALID',
        message: `${file} could not be imported: ${(error as Error).message}; nothing was imported`,
        cause: error,
      });
    }
    appendAudit(db, {
      actor,
      action: 'case.import',
      entity: 'patients',
      entityId: c.patient.id,
      detail: { file: path.resolve(file), contentSha256: caseFile.contentSha256, exportedAt: caseFile.exportedAt, counts },
    });
    return { ...base, patientId: c.patient.id, status: 'imported' as const };
  });
}
