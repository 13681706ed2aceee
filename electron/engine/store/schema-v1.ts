/**
 * Schema version 1: the initial case store. Tables are STRICT (SQLite checks every column's type),
 * ids are TEXT UUIDs, and foreign keys link every row to its patient. Composite foreign keys make a
 * segmentation's series and a clinical record's patient agree with the rows that cite them.
 * Triggers make the audit log append-only and the versioned records (segmentations, clinical
 * records), predictions and stored bundle texts immutable.
 */

/** 'HILU' as a 32-bit integer: PRAGMA application_id of every Hilum case store. */
export const HILUM_APPLICATION_ID = 0x48494c55;

export const SCHEMA_V1 = `
CREATE TABLE patients (
  id TEXT PRIMARY KEY NOT NULL,
  pseudonym TEXT NOT NULL UNIQUE CHECK (length(trim(pseudonym)) > 0),
  name TEXT,
  birth_date TEXT,
  sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male', 'other', 'unknown')),
  hospital_id TEXT,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE studies (
  id TEXT PRIMARY KEY NOT NULL,
  patient_id TEXT NOT NULL REFERENCES patients (id),
  study_instance_uid TEXT,
  study_date TEXT,
  description TEXT,
  accession TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (patient_id, study_instance_uid)
) STRICT;
CREATE INDEX studies_patient ON studies (patient_id);

CREATE TABLE series (
  id TEXT PRIMARY KEY NOT NULL,
  study_id TEXT NOT NULL REFERENCES studies (id),
  series_instance_uid TEXT,
  modality TEXT,
  description TEXT,
  slice_thickness_mm REAL CHECK (slice_thickness_mm IS NULL OR slice_thickness_mm > 0),
  pixel_spacing_mm TEXT CHECK (pixel_spacing_mm IS NULL OR json_valid(pixel_spacing_mm)),
  dims TEXT CHECK (dims IS NULL OR json_valid(dims)),
  contrast_agent TEXT,
  manufacturer TEXT,
  image_path TEXT NOT NULL,
  storage TEXT NOT NULL CHECK (storage IN ('referenced', 'managed')),
  image_sha256 TEXT CHECK (image_sha256 IS NULL OR length(image_sha256) = 64),
  metadata_json TEXT CHECK (metadata_json IS NULL OR json_valid(metadata_json)),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX series_study ON series (study_id);

CREATE TABLE segmentations (
  id TEXT PRIMARY KEY NOT NULL,
  series_id TEXT NOT NULL REFERENCES series (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  author TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('given', 'click', 'brush', 'imported')),
  seed_json TEXT CHECK (seed_json IS NULL OR json_valid(seed_json)),
  mask_path TEXT,
  mask_format TEXT NOT NULL,
  mask BLOB NOT NULL,
  mask_file_sha256 TEXT NOT NULL CHECK (length(mask_file_sha256) = 64),
  mask_sha256 TEXT NOT NULL CHECK (length(mask_sha256) = 64),
  measurements_json TEXT CHECK (measurements_json IS NULL OR json_valid(measurements_json)),
  created_at TEXT NOT NULL,
  UNIQUE (series_id, version),
  UNIQUE (id, series_id)
) STRICT;

CREATE TABLE clinical_records (
  id TEXT PRIMARY KEY NOT NULL,
  patient_id TEXT NOT NULL REFERENCES patients (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  values_json TEXT NOT NULL CHECK (json_valid(values_json)),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (patient_id, version),
  UNIQUE (id, patient_id)
) STRICT;

CREATE TABLE feature_sets (
  id TEXT PRIMARY KEY NOT NULL,
  series_id TEXT NOT NULL REFERENCES series (id),
  segmentation_id TEXT NOT NULL,
  settings_sha256 TEXT NOT NULL CHECK (length(settings_sha256) = 64),
  engine_version TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('radiomics', 'deep')),
  features_json TEXT NOT NULL CHECK (json_valid(features_json)),
  created_at TEXT NOT NULL,
  FOREIGN KEY (segmentation_id, series_id) REFERENCES segmentations (id, series_id)
) STRICT;
CREATE INDEX feature_sets_segmentation ON feature_sets (segmentation_id, series_id);

CREATE TABLE model_bundles (
  content_sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(content_sha256) = 64),
  name TEXT NOT NULL,
  synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
  created_at TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('imported', 'active', 'retired')),
  bundle_json TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX model_bundles_one_active ON model_bundles (status) WHERE status = 'active';

CREATE TABLE predictions (
  id TEXT PRIMARY KEY NOT NULL,
  patient_id TEXT NOT NULL REFERENCES patients (id),
  series_id TEXT NOT NULL REFERENCES series (id),
  segmentation_id TEXT NOT NULL,
  clinical_record_id TEXT NOT NULL,
  bundle_sha256 TEXT NOT NULL REFERENCES model_bundles (content_sha256),
  engine_version TEXT NOT NULL,
  inputs_sha256 TEXT NOT NULL CHECK (length(inputs_sha256) = 64),
  provider TEXT NOT NULL,
  probability REAL CHECK (probability IS NULL OR (probability >= 0 AND probability <= 1)),
  category TEXT,
  record_json TEXT NOT NULL CHECK (json_valid(record_json)),
  created_at TEXT NOT NULL,
  FOREIGN KEY (segmentation_id, series_id) REFERENCES segmentations (id, series_id),
  FOREIGN KEY (clinical_record_id, patient_id) REFERENCES clinical_records (id, patient_id)
) STRICT;
CREATE INDEX predictions_patient ON predictions (patient_id);
CREATE INDEX predictions_segmentation ON predictions (segmentation_id, series_id);
CREATE INDEX predictions_clinical ON predictions (clinical_record_id, patient_id);
CREATE INDEX predictions_bundle ON predictions (bundle_sha256);

CREATE TABLE reports (
  id TEXT PRIMARY KEY NOT NULL,
  prediction_id TEXT NOT NULL REFERENCES predictions (id),
  file_path TEXT NOT NULL,
  file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
  language TEXT NOT NULL,
  paper TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX reports_prediction ON reports (prediction_id);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT,
  detail_json TEXT CHECK (detail_json IS NULL OR json_valid(detail_json))
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: its rows cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: its rows cannot be deleted'); END;

CREATE TRIGGER segmentations_no_update BEFORE UPDATE ON segmentations
BEGIN SELECT RAISE(ABORT, 'segmentations are versioned: add a new version instead of changing one'); END;
CREATE TRIGGER clinical_records_no_update BEFORE UPDATE ON clinical_records
BEGIN SELECT RAISE(ABORT, 'clinical records are versioned: add a new version instead of changing one'); END;
CREATE TRIGGER predictions_no_update BEFORE UPDATE ON predictions
BEGIN SELECT RAISE(ABORT, 'predictions are records: they cannot be changed'); END;
CREATE TRIGGER model_bundles_content_fixed BEFORE UPDATE OF content_sha256, bundle_json, name, synthetic, created_at ON model_bundles
BEGIN SELECT RAISE(ABORT, 'a stored model bundle cannot be changed, only activated or retired'); END;
`;
