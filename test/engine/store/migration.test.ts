import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../electron/engine/signatures/canonical-json.js';
import {
  LATEST_SCHEMA_VERSION,
  STORE_TABLES,
  addClinicalRecord,
  addFeatureSet,
  addSegmentation,
  addStudyWithSeries,
  closeDatabase,
  countRows,
  createPatient,
  importBundle,
  listAudit,
  migrationOf,
  openDatabase,
  readCase,
  recordDicomExport,
  savePrediction,
} from '../../../electron/engine/store/index.js';
import { errorOf, tempDir } from '../../helpers.js';
import { maskFile, predictionRecord, tinyBundleText } from './store-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('hilum-migrate-')));
afterEach(() => cleanup());

/** Schema version 1 had every table but dicom_exports (added by migration 2). */
const V1_TABLES = STORE_TABLES.filter((t) => t !== 'dicom_exports');

/** A schema-version-1 store with rows in every v1 table; returns what was written. */
function buildV1(file: string) {
  const db = openDatabase(file, { schemaVersion: 1 });
  expect(db.pragma('user_version', { simple: true })).toBe(1);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'dicom_exports'").get()).toBeUndefined();
  const bundle = importBundle(db, tinyBundleText('v1'), 'old-hilum');
  const patient = createPatient(db, { pseudonym: 'OLD-1', sex: 'male', birthDate: '1950-01-01' }, 'old-hilum');
  const { series } = addStudyWithSeries(
    db,
    patient.id,
    { studyInstanceUid: '1.2' },
    { imagePath: '/ct/old', storage: 'referenced', dims: [4, 5, 6] },
    'old-hilum',
  );
  const mask = maskFile('old');
  const seg = addSegmentation(db, { seriesId: series.id, method: 'given', maskFormat: 'nrrd', maskFile: mask, maskSha256: sha256Hex('old-mask') }, 'old-hilum');
  const clinical = addClinicalRecord(db, patient.id, { cea_ng_ml: 7.5, sex: 'male' }, 'old-hilum');
  addFeatureSet(db, { segmentationId: seg.id, settingsSha256: sha256Hex('s'), kind: 'deep', features: [0.1, 0.2] }, 'old-hilum');
  const { prediction } = savePrediction(
    db,
    {
      patientId: patient.id,
      seriesId: series.id,
      segmentationId: seg.id,
      clinicalRecordId: clinical.id,
      record: predictionRecord('OLD-1', bundle.contentSha256, seg.maskSha256, 0.73),
    },
    'old-hilum',
  );
  // Schema 1 has no dicom_sop_instance_uid column: write the report row as an old Hilum did.
  db.prepare("INSERT INTO reports (id, prediction_id, file_path, file_sha256, language, paper, created_at) VALUES ('r1', ?, '/r.pdf', ?, 'de', 'a4', ?)").run(
    prediction.id,
    sha256Hex('pdf'),
    new Date().toISOString(),
  );
  const counts = countRows(db);
  closeDatabase(db);
  for (const table of V1_TABLES) expect(counts[table], table).toBeGreaterThan(0);
  return { counts, patientId: patient.id, predictionId: prediction.id, mask };
}

describe('migrations', () => {
  it('migrates a version-1 store with data to the latest version, keeping every row, after writing a backup that still opens at version 1', () => {
    const file = path.join(dir, 'hilum.db');
    const v1 = buildV1(file);

    const db = openDatabase(file);
    try {
      const result = migrationOf(db)!;
      expect(result.from).toBe(1);
      expect(result.to).toBe(LATEST_SCHEMA_VERSION);
      expect(result.applied.map((m) => m.version)).toEqual([2]);
      expect(result.backup).toMatch(/hilum\.db\.v1-\d{8}T\d{6}-\d{3}Z\.bak$/);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);

      const counts = countRows(db);
      for (const table of V1_TABLES) expect(counts[table], table).toBe(table === 'audit_log' ? v1.counts[table] + 1 : v1.counts[table]);
      expect(counts.dicom_exports).toBe(0);
      const migrateAudit = listAudit(db, { entity: 'schema' }).at(-1)!;
      expect(migrateAudit).toMatchObject({ action: 'schema.migrate', entityId: '2', detail: { from: 1, to: 2, backup: result.backup } });

      const c = readCase(db, v1.patientId, { withMasks: true });
      expect(c.patient).toMatchObject({ pseudonym: 'OLD-1', sex: 'male', birthDate: '1950-01-01' });
      expect(c.series[0].dims).toEqual([4, 5, 6]);
      expect(Buffer.compare(c.segmentations[0].mask!, Buffer.from(v1.mask))).toBe(0);
      expect(c.clinicalRecords[0].values).toEqual({ cea_ng_ml: 7.5, sex: 'male' });
      expect(c.featureSets[0].features).toEqual([0.1, 0.2]);
      expect(c.predictions[0]).toMatchObject({ id: v1.predictionId, probability: 0.73, category: 'high' });
      expect(c.reports).toEqual([expect.objectContaining({ id: 'r1', language: 'de', dicomSopInstanceUid: null })]);

      // The new version's tables and columns work on the migrated data.
      recordDicomExport(db, 'r1', { kind: 'encapsulated-pdf', sopInstanceUid: '2.25.1', filePath: '/r.dcm', fileSha256: sha256Hex('dcm') });
      expect(readCase(db, v1.patientId).reports[0].dicomSopInstanceUid).toBe('2.25.1');

      // The backup is the store as it was: version 1, the same rows.
      expect(existsSync(result.backup!)).toBe(true);
      const bak = new Database(result.backup!, { readonly: true });
      try {
        expect(bak.pragma('user_version', { simple: true })).toBe(1);
        expect(bak.prepare("SELECT name FROM sqlite_master WHERE name = 'dicom_exports'").get()).toBeUndefined();
        for (const table of V1_TABLES) expect((bak.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(v1.counts[table]);
        expect(bak.prepare('SELECT values_json FROM clinical_records').get()).toEqual({ values_json: '{"cea_ng_ml":7.5,"sex":"male"}' });
      } finally {
        bak.close();
      }
      expect(errorOf(() => openDatabase(result.backup!, { readonly: true })).code).toBe('STORE_NEEDS_MIGRATION');
    } finally {
      closeDatabase(db);
    }

    // Opening again: nothing to do, no second backup.
    const again = openDatabase(file);
    expect(migrationOf(again)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    closeDatabase(again);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('creates a new store at the latest version without a backup', () => {
    const db = openDatabase(path.join(dir, 'new.db'));
    expect(migrationOf(db)).toEqual({
      from: 0,
      to: LATEST_SCHEMA_VERSION,
      applied: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })],
    });
    closeDatabase(db);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });
});
