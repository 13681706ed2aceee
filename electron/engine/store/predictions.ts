/**
 * Predictions and their reports. A prediction row keeps the whole PredictionRecord (as canonical
 * JSON) and the columns needed to list and join it; the store checks that the record agrees with
 * the rows it cites (patient pseudonym, series, segmentation mask hash, registered bundle) before
 * writing. A prediction and its report row are written in one transaction. Reports may later be
 * exported as DICOM objects (`dicom_exports`, schema version 2).
 */
import { HilumError } from '../core/errors.js';
import { PREDICTION_FORMAT, type PredictionRecord } from '../signatures/prediction-record.js';
import { appendAudit } from './audit.js';
import { requireEntry } from './bundles.js';
import { getClinicalRecord } from './clinical.js';
import { patientOfSeries } from './imaging.js';
import { requirePatient } from './patients.js';
import { getSegmentation } from './segmentations.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, jsonText, newId, nowIso, requireSha256, requireText } from './values.js';

export interface Prediction {
  id: string;
  patientId: string;
  seriesId: string;
  segmentationId: string;
  clinicalRecordId: string;
  bundleSha256: string;
  engineVersion: string;
  inputsSha256: string;
  provider: string;
  /** Null when the case was refused. */
  probability: number | null;
  category: string | null;
  record: PredictionRecord;
  createdAt: string;
}

export interface Report {
  id: string;
  predictionId: string;
  filePath: string;
  fileSha256: string;
  language: string;
  paper: string;
  /** SOP Instance UID of the report's encapsulated-PDF DICOM object, once exported. */
  dicomSopInstanceUid: string | null;
  createdAt: string;
}

export interface ReportInput {
  filePath: string;
  fileSha256: string;
  language: string;
  paper: string;
}

export type DicomExportKind = 'encapsulated-pdf' | 'structured-report' | 'segmentation';

export interface DicomExport {
  id: string;
  reportId: string;
  kind: DicomExportKind;
  sopInstanceUid: string;
  filePath: string;
  fileSha256: string;
  destination: string | null;
  createdAt: string;
}

export interface SavePredictionInput {
  patientId: string;
  seriesId: string;
  segmentationId: string;
  clinicalRecordId: string;
  record: PredictionRecord;
  /** The printed report, written in the same transaction. */
  report?: ReportInput;
}

interface PredictionRow {
  id: string;
  patient_id: string;
  series_id: string;
  segmentation_id: string;
  clinical_record_id: string;
  bundle_sha256: string;
  engine_version: string;
  inputs_sha256: string;
  provider: string;
  probability: number | null;
  category: string | null;
  record_json: string;
  created_at: string;
}

interface ReportRow {
  id: string;
  prediction_id: string;
  file_path: string;
  file_sha256: string;
  language: string;
  paper: string;
  dicom_sop_instance_uid: string | null;
  created_at: string;
}

interface DicomExportRow {
  id: string;
  report_id: string;
  kind: DicomExportKind;
  sop_instance_uid: string;
  file_path: string;
  file_sha256: string;
  destination: string | null;
  created_at: string;
}

function toPrediction(r: PredictionRow): Prediction {
  return {
    id: r.id,
    patientId: r.patient_id,
    seriesId: r.series_id,
    segmentationId: r.segmentation_id,
    clinicalRecordId: r.clinical_record_id,
    bundleSha256: r.bundle_sha256,
    engineVersion: r.engine_version,
    inputsSha256: r.inputs_sha256,
    provider: r.provider,
    probability: r.probability,
    category: r.category,
    record: JSON.parse(r.record_json) as PredictionRecord,
    createdAt: r.created_at,
  };
}

function toReport(r: ReportRow): Report {
  return {
    id: r.id,
    predictionId: r.prediction_id,
    filePath: r.file_path,
    fileSha256: r.file_sha256,
    language: r.language,
    paper: r.paper,
    dicomSopInstanceUid: r.dicom_sop_instance_uid,
    createdAt: r.created_at,
  };
}

function toDicomExport(r: DicomExportRow): DicomExport {
  return {
    id: r.id,
    reportId: r.report_id,
    kind: r.kind,
    sopInstanceUid: r.sop_instance_uid,
    filePath: r.file_path,
    fileSha256: r.file_sha256,
    destination: r.destination,
    createdAt: r.created_at,
  };
}

/** The prediction row's columns as the record gives them. */
export function predictionFromRecord(ids: Omit<SavePredictionInput, 'record' | 'report'>, record: PredictionRecord): Prediction {
  return {
    id: record.id,
    ...ids,
    bundleSha256: record.bundle.contentSha256,
    engineVersion: record.engineVersion,
    inputsSha256: record.inputsSha256,
    provider: record.provider,
    probability: record.result ? record.result.probability : null,
    category: record.result ? record.result.category : null,
    record,
    createdAt: record.createdAt,
  };
}

/** Inserts a complete prediction row as given. */
export function insertPrediction(db: Db, p: Prediction): void {
  db.prepare(
    `INSERT INTO predictions (id, patient_id, series_id, segmentation_id, clinical_record_id, bundle_sha256, engine_version, inputs_sha256, provider,
       probability, category, record_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.id,
    p.patientId,
    p.seriesId,
    p.segmentationId,
    p.clinicalRecordId,
    p.bundleSha256,
    p.engineVersion,
    p.inputsSha256,
    p.provider,
    p.probability,
    p.category,
    jsonText(p.record, 'the prediction record'),
    p.createdAt,
  );
}

/** Inserts a complete report row as given. */
export function insertReport(db: Db, r: Report): void {
  requireSha256(r.fileSha256, 'the report file SHA-256');
  db.prepare(
    'INSERT INTO reports (id, prediction_id, file_path, file_sha256, language, paper, dicom_sop_instance_uid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(r.id, r.predictionId, requireText(r.filePath, 'the report file path'), r.fileSha256, r.language, r.paper, r.dicomSopInstanceUid, r.createdAt);
}

/** Inserts a complete DICOM export row as given. */
export function insertDicomExport(db: Db, d: DicomExport): void {
  requireSha256(d.fileSha256, 'the DICOM file SHA-256');
  db.prepare(
    'INSERT INTO dicom_exports (id, report_id, kind, sop_instance_uid, file_path, file_sha256, destination, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(d.id, d.reportId, d.kind, d.sopInstanceUid, d.filePath, d.fileSha256, d.destination, d.createdAt);
}

function mismatch(message: string, data: Record<string, unknown>): HilumError {
  return new HilumError({ code: 'PREDICTION_MISMATCH', message, data });
}

/** Checks a prediction against the rows it cites; throws a HilumError naming the first disagreement. */
function checkPrediction(db: Db, p: Prediction): void {
  const record = p.record;
  if (!record || record.format !== PREDICTION_FORMAT)
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `a prediction record must have format ${PREDICTION_FORMAT}` });
  requireText(record.id, 'the prediction id');
  requireSha256(record.inputsSha256, 'the prediction inputs SHA-256');
  const patient = requirePatient(db, p.patientId);
  if (record.case?.patientPseudonym !== patient.pseudonym)
    throw mismatch(`the prediction is for ${record.case?.patientPseudonym}, not for patient ${patient.pseudonym}`, { patientId: p.patientId });
  const seriesPatient = patientOfSeries(db, p.seriesId);
  if (!seriesPatient) throw new HilumError({ code: 'SERIES_NOT_FOUND', message: `no series ${p.seriesId} in the case store`, data: { seriesId: p.seriesId } });
  if (seriesPatient !== p.patientId) throw mismatch(`series ${p.seriesId} belongs to another patient`, { seriesId: p.seriesId });
  const segmentation = getSegmentation(db, p.segmentationId);
  if (!segmentation)
    throw new HilumError({
      code: 'SEGMENTATION_NOT_FOUND',
      message: `no segmentation ${p.segmentationId} in the case store`,
      data: { segmentationId: p.segmentationId },
    });
  if (segmentation.seriesId !== p.seriesId) throw mismatch(`segmentation ${p.segmentationId} belongs to another series`, { segmentationId: p.segmentationId });
  if (record.segmentation?.maskSha256 !== segmentation.maskSha256)
    throw mismatch(`the prediction was made on another mask than segmentation version ${segmentation.version}`, {
      recordMaskSha256: record.segmentation?.maskSha256,
      storedMaskSha256: segmentation.maskSha256,
    });
  const clinical = getClinicalRecord(db, p.clinicalRecordId);
  if (!clinical)
    throw new HilumError({
      code: 'CLINICAL_RECORD_NOT_FOUND',
      message: `no clinical record ${p.clinicalRecordId} in the case store`,
      data: { clinicalRecordId: p.clinicalRecordId },
    });
  if (clinical.patientId !== p.patientId)
    throw mismatch(`clinical record ${p.clinicalRecordId} belongs to another patient`, { clinicalRecordId: p.clinicalRecordId });
  requireEntry(db, p.bundleSha256);
  if (db.prepare('SELECT 1 FROM predictions WHERE id = ?').get(p.id))
    throw new HilumError({ code: 'PREDICTION_EXISTS', message: `prediction ${p.id} is already in the case store`, data: { predictionId: p.id } });
}

/** Saves a prediction (and its report, when given) in one transaction; returns both. */
export function savePrediction(db: Db, input: SavePredictionInput, actor = defaultActor()): { prediction: Prediction; report?: Report } {
  const { record, report, ...ids } = input;
  return writeTransaction(db, () => {
    const prediction = predictionFromRecord(ids, record);
    checkPrediction(db, prediction);
    insertPrediction(db, prediction);
    appendAudit(db, {
      actor,
      action: 'prediction.save',
      entity: 'predictions',
      entityId: prediction.id,
      detail: {
        patientId: prediction.patientId,
        bundleSha256: prediction.bundleSha256,
        inputsSha256: prediction.inputsSha256,
        probability: prediction.probability,
        category: prediction.category,
      },
    });
    return report ? { prediction, report: addReport(db, prediction.id, report, actor) } : { prediction };
  });
}

/** Records a printed report of a prediction. */
export function addReport(db: Db, predictionId: string, input: ReportInput, actor = defaultActor()): Report {
  return writeTransaction(db, () => {
    if (!getPrediction(db, predictionId))
      throw new HilumError({ code: 'PREDICTION_NOT_FOUND', message: `no prediction ${predictionId} in the case store`, data: { predictionId } });
    const report: Report = {
      id: newId(),
      predictionId,
      filePath: input.filePath,
      fileSha256: input.fileSha256,
      language: requireText(input.language, 'the report language'),
      paper: requireText(input.paper, 'the report paper size'),
      dicomSopInstanceUid: null,
      createdAt: nowIso(),
    };
    insertReport(db, report);
    appendAudit(db, { actor, action: 'report.add', entity: 'reports', entityId: report.id, detail: { predictionId, fileSha256: report.fileSha256 } });
    return report;
  });
}

/** Records a DICOM object written for a report; an encapsulated PDF also sets the report's SOP Instance UID. */
export function recordDicomExport(
  db: Db,
  reportId: string,
  input: { kind: DicomExportKind; sopInstanceUid: string; filePath: string; fileSha256: string; destination?: string | null },
  actor = defaultActor(),
): DicomExport {
  requireText(input.sopInstanceUid, 'the SOP Instance UID');
  return writeTransaction(db, () => {
    if (!db.prepare('SELECT 1 FROM reports WHERE id = ?').get(reportId))
      throw new HilumError({ code: 'REPORT_NOT_FOUND', message: `no report ${reportId} in the case store`, data: { reportId } });
    const row: DicomExport = {
      id: newId(),
      reportId,
      kind: input.kind,
      sopInstanceUid: input.sopInstanceUid,
      filePath: requireText(input.filePath, 'the DICOM file path'),
      fileSha256: input.fileSha256,
      destination: input.destination ?? null,
      createdAt: nowIso(),
    };
    insertDicomExport(db, row);
    if (input.kind === 'encapsulated-pdf') db.prepare('UPDATE reports SET dicom_sop_instance_uid = ? WHERE id = ?').run(input.sopInstanceUid, reportId);
    appendAudit(db, {
      actor,
      action: 'dicom.export',
      entity: 'dicom_exports',
      entityId: row.id,
      detail: { reportId, kind: row.kind, sopInstanceUid: row.sopInstanceUid, destination: row.destination },
    });
    return row;
  });
}

export function getPrediction(db: Db, id: string): Prediction | undefined {
  const row = db.prepare('SELECT * FROM predictions WHERE id = ?').get(id) as PredictionRow | undefined;
  return row && toPrediction(row);
}

export function listPredictions(db: Db, patientId: string): Prediction[] {
  return (db.prepare('SELECT * FROM predictions WHERE patient_id = ? ORDER BY created_at, id').all(patientId) as PredictionRow[]).map(toPrediction);
}

export function listReportsOfPatient(db: Db, patientId: string): Report[] {
  return (
    db
      .prepare('SELECT r.* FROM reports r JOIN predictions p ON p.id = r.prediction_id WHERE p.patient_id = ? ORDER BY r.created_at, r.id')
      .all(patientId) as ReportRow[]
  ).map(toReport);
}

export function listDicomExportsOfPatient(db: Db, patientId: string): DicomExport[] {
  return (
    db
      .prepare(
        `SELECT d.* FROM dicom_exports d JOIN reports r ON r.id = d.report_id JOIN predictions p ON p.id = r.prediction_id
         WHERE p.patient_id = ? ORDER BY d.created_at, d.id`,
      )
      .all(patientId) as DicomExportRow[]
  ).map(toDicomExport);
}
