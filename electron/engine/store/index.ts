/**
 * The case store: patients, images, versioned segmentations and clinical records, feature sets, the
 * model bundle registry, predictions, reports and the append-only audit log, in one SQLite file
 * (better-sqlite3, WAL, foreign keys, versioned migrations with a backup first). See docs/store.md.
 */
export { openDatabase, closeDatabase, migrationOf, countRows, integrityCheck, STORE_TABLES, type OpenOptions } from './database.js';
export { migrate, schemaVersion, backupFileName, MIGRATIONS, LATEST_SCHEMA_VERSION, type Migration, type MigrationResult } from './migrations.js';
export { HILUM_APPLICATION_ID } from './schema-v1.js';
export { writeTransaction, type Db } from './transaction.js';
export { defaultActor } from './values.js';
export { appendAudit, listAudit, type AuditEntry, type AuditInput } from './audit.js';
export {
  createPatient,
  findOrCreatePatient,
  findPatientByPseudonym,
  getPatient,
  requirePatient,
  type Patient,
  type PatientInput,
  type Sex,
} from './patients.js';
export {
  addStudy,
  addSeries,
  addStudyWithSeries,
  getStudy,
  getSeries,
  listStudies,
  listSeriesOfPatient,
  type Study,
  type StudyInput,
  type Series,
  type SeriesInput,
  type SeriesStorage,
} from './imaging.js';
export {
  addSegmentation,
  getSegmentation,
  listSegmentations,
  latestSegmentation,
  type Segmentation,
  type SegmentationInput,
  type SegmentationMethod,
} from './segmentations.js';
export { addClinicalRecord, getClinicalRecord, listClinicalRecords, latestClinicalRecord, type ClinicalRecord, type ClinicalValues } from './clinical.js';
export { addFeatureSet, findFeatureSet, listFeatureSetsOfPatient, type FeatureSet, type FeatureSetInput, type FeatureKind } from './features.js';
export {
  importBundle,
  activateBundle,
  retireBundle,
  getBundle,
  getBundleEntry,
  getActiveBundle,
  getActiveBundleEntry,
  listBundles,
  type BundleEntry,
  type BundleStatus,
} from './bundles.js';
export {
  savePrediction,
  addReport,
  recordDicomExport,
  getPrediction,
  listPredictions,
  listReportsOfPatient,
  listDicomExportsOfPatient,
  type Prediction,
  type Report,
  type ReportInput,
  type SavePredictionInput,
  type DicomExport,
  type DicomExportKind,
} from './predictions.js';
export { listCases, readCase, type CaseStatus, type CaseSummary, type CaseRecord } from './cases.js';
export { backupDatabase, type BackupResult } from './backup.js';
export {
  exportCase,
  importCase,
  readCaseFile,
  caseContent,
  caseContentSha256,
  CASE_FORMAT,
  type CaseContent,
  type CaseFile,
  type ImportResult,
  type ExportedSegmentation,
} from './case-transfer.js';
