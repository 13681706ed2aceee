/**
 * Schema version 2: DICOM export of reports. A report remembers the SOP Instance UID of its
 * encapsulated-PDF DICOM object, and every DICOM object written for a report (encapsulated PDF,
 * structured report, segmentation) is recorded in `dicom_exports`, never changed afterwards.
 */
export const SCHEMA_V2 = `
ALTER TABLE reports ADD COLUMN dicom_sop_instance_uid TEXT;

CREATE TABLE dicom_exports (
  id TEXT PRIMARY KEY NOT NULL,
  report_id TEXT NOT NULL REFERENCES reports (id),
  kind TEXT NOT NULL CHECK (kind IN ('encapsulated-pdf', 'structured-report', 'segmentation')),
  sop_instance_uid TEXT NOT NULL UNIQUE,
  file_path TEXT NOT NULL,
  file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
  destination TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX dicom_exports_report ON dicom_exports (report_id);

CREATE TRIGGER dicom_exports_no_update BEFORE UPDATE ON dicom_exports
BEGIN SELECT RAISE(ABORT, 'DICOM export records cannot be changed'); END;
`;
