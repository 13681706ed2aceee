import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../electron/engine/signatures/canonical-json.js';
import {
  HILUM_APPLICATION_ID,
  LATEST_SCHEMA_VERSION,
  activateBundle,
  addClinicalRecord,
  addSegmentation,
  addStudyWithSeries,
  closeDatabase,
  countRows,
  createPatient,
  getActiveBundleEntry,
  importBundle,
  listAudit,
  listCases,
  listClinicalRecords,
  listSegmentations,
  openDatabase,
  readCase,
  retireBundle,
  savePrediction,
  type Db,
} from '../../../electron/engine/store/index.js';
import { errorOf, tempDir } from '../../helpers.js';
import { maskFile, predictionRecord, seedCase, tinyBundleText } from './store-fixtures.js';

let dir: string;
let cleanup: () => void;
let db: Db;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('hilum-store-'));
  db = openDatabase(path.join(dir, 'hilum.db'));
});
afterEach(() => {
  closeDatabase(db);
  cleanup();
});

describe('opening the case store', () => {
  it('sets WAL, foreign keys, FULL synchronous and a busy timeout, and migrates a new file to the latest schema', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    expect(db.pragma('application_id', { simple: true })).toBe(HILUM_APPLICATION_ID);
    expect(listAudit(db, { entity: 'schema' }).map((a) => a.entityId)).toEqual(['1', '2']);
  });

  it('refuses a file that is not SQLite, a SQLite file of another program, and a store from a newer Hilum', () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a database, just some text that is long enough to fill a header page'.repeat(20));
    expect(errorOf(() => openDatabase(text)).code).toBe('STORE_NOT_A_DATABASE');
    const other = path.join(dir, 'other.sqlite');
    const o = new Database(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    expect(errorOf(() => openDatabase(other)).code).toBe('STORE_NOT_A_DATABASE');
    const newer = path.join(dir, 'newer.db');
    closeDatabase(openDatabase(newer));
    const n = new Database(newer);
    n.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    n.close();
    const error = errorOf(() => openDatabase(newer));
    expect(error.code).toBe('STORE_TOO_NEW');
    expect(error.data).toEqual({ version: LATEST_SCHEMA_VERSION + 1, latest: LATEST_SCHEMA_VERSION });
    expect(errorOf(() => openDatabase(path.join(dir, 'missing.db'), { readonly: true })).code).toBe('STORE_NOT_FOUND');
  });

  it('opens read-only: reads work, writes are refused as STORE_READ_ONLY', () => {
    createPatient(db, { pseudonym: 'RO-1' });
    const ro = openDatabase(path.join(dir, 'hilum.db'), { readonly: true });
    try {
      expect(listCases(ro).map((c) => c.pseudonym)).toEqual(['RO-1']);
      expect(errorOf(() => createPatient(ro, { pseudonym: 'RO-2' })).code).toBe('STORE_READ_ONLY');
    } finally {
      closeDatabase(ro);
    }
  });
});

describe('schema guarantees', () => {
  it('refuses a row whose foreign key points nowhere', () => {
    expect(() => db.prepare("INSERT INTO studies (id, patient_id, created_at) VALUES ('s1', 'no-such-patient', '2025-01-01')").run()).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    expect(errorOf(() => addClinicalRecord(db, 'no-such-patient', { a: 1 })).code).toBe('PATIENT_NOT_FOUND');
    expect(countRows(db)).toMatchObject({ studies: 0, clinical_records: 0 });
  });

  it('keeps the audit log append-only and versioned records unchangeable', () => {
    const c = seedCase(db, 'P-1');
    const audit = listAudit(db);
    expect(audit.length).toBeGreaterThan(5);
    expect(() => db.prepare('UPDATE audit_log SET actor = ?').run('mallory')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE clinical_records SET values_json = '{}'").run()).toThrow(/versioned/);
    expect(() => db.prepare('UPDATE segmentations SET mask_sha256 = ?').run('0'.repeat(64))).toThrow(/versioned/);
    expect(() => db.prepare('UPDATE predictions SET probability = 0.01').run()).toThrow(/cannot be changed/);
    expect(() => db.prepare("UPDATE model_bundles SET bundle_json = '{}'").run()).toThrow(/cannot be changed/);
    expect(listAudit(db)).toEqual(audit);
    expect(listClinicalRecords(db, c.patientId).map((r) => [r.version, r.values.cea_ng_ml])).toEqual([
      [1, 3.1],
      [2, 4.2],
    ]);
    expect(listSegmentations(db, c.seriesId).map((s) => [s.version, s.method, s.maskBytes])).toEqual([
      [1, 'click', maskFile('P-11').byteLength],
      [2, 'brush', maskFile('P-12').byteLength],
    ]);
  });

  it('allows at most one active bundle; activating another returns the previous one to imported', () => {
    const a = importBundle(db, tinyBundleText('a'), 'tester');
    const b = importBundle(db, tinyBundleText('b'), 'tester');
    activateBundle(db, a.contentSha256, 'tester');
    expect(() => db.prepare("UPDATE model_bundles SET status = 'active' WHERE content_sha256 = ?").run(b.contentSha256)).toThrow(/UNIQUE constraint failed/);
    expect(activateBundle(db, b.contentSha256, 'tester').status).toBe('active');
    expect(getActiveBundleEntry(db)?.contentSha256).toBe(b.contentSha256);
    expect((db.prepare('SELECT status FROM model_bundles WHERE content_sha256 = ?').get(a.contentSha256) as { status: string }).status).toBe('imported');
    expect(retireBundle(db, b.contentSha256, 'tester').status).toBe('retired');
    expect(getActiveBundleEntry(db)).toBeUndefined();
    expect(errorOf(() => activateBundle(db, b.contentSha256)).code).toBe('BUNDLE_RETIRED');
    expect(listAudit(db, { entity: 'model_bundles' }).map((e) => e.action)).toEqual([
      'bundle.import',
      'bundle.import',
      'bundle.activate',
      'bundle.activate',
      'bundle.retire',
    ]);
  });

  it('writes each change with its audit row, by the named actor', () => {
    const p = createPatient(db, { pseudonym: 'P-9' }, 'dr.who');
    const last = listAudit(db).at(-1)!;
    expect(last).toMatchObject({ actor: 'dr.who', action: 'patient.create', entity: 'patients', entityId: p.id, detail: { pseudonym: 'P-9' } });
    expect(errorOf(() => createPatient(db, { pseudonym: 'P-9' })).code).toBe('PATIENT_EXISTS');
    expect(errorOf(() => createPatient(db, { pseudonym: '  ' })).code).toBe('STORE_INVALID_VALUE');
  });
});

describe('nothing half-written', () => {
  it('a prediction whose report fails in the middle of the transaction leaves every table as it was', () => {
    const c = seedCase(db, 'P-2');
    const before = countRows(db);
    const seg = addSegmentation(db, { seriesId: c.seriesId, method: 'brush', maskFormat: 'nifti', maskFile: maskFile('x'), maskSha256: sha256Hex('v3') });
    const mid = countRows(db);
    expect(mid.segmentations).toBe(before.segmentations + 1);
    const record = predictionRecord('P-2', c.bundleSha256, seg.maskSha256);
    // The prediction row is inserted, then the report row is refused (its hash is not a SHA-256).
    const error = errorOf(() =>
      savePrediction(db, {
        patientId: c.patientId,
        seriesId: c.seriesId,
        segmentationId: seg.id,
        clinicalRecordId: c.clinicalRecordIds[1],
        record,
        report: { filePath: '/r.pdf', fileSha256: 'not-a-hash', language: 'en', paper: 'a4' },
      }),
    );
    expect(error.code).toBe('STORE_INVALID_VALUE');
    expect(countRows(db)).toEqual(mid);
    expect(db.prepare('SELECT count(*) AS n FROM predictions WHERE id = ?').get(record.id)).toEqual({ n: 0 });
  });

  it('a prediction citing a bundle that is not registered, or a mask it was not made on, is refused with nothing written', () => {
    const c = seedCase(db, 'P-3');
    const before = countRows(db);
    const ids = { patientId: c.patientId, seriesId: c.seriesId, segmentationId: c.segmentationIds[1], clinicalRecordId: c.clinicalRecordIds[1] };
    const seg2Sha = readCase(db, c.patientId).segmentations[1].maskSha256;
    expect(errorOf(() => savePrediction(db, { ...ids, record: predictionRecord('P-3', 'f'.repeat(64), seg2Sha) })).code).toBe('BUNDLE_NOT_REGISTERED');
    expect(errorOf(() => savePrediction(db, { ...ids, record: predictionRecord('P-3', c.bundleSha256, sha256Hex('v1')) })).code).toBe('PREDICTION_MISMATCH');
    expect(errorOf(() => savePrediction(db, { ...ids, record: predictionRecord('OTHER', c.bundleSha256, seg2Sha) })).code).toBe('PREDICTION_MISMATCH');
    expect(countRows(db)).toEqual(before);
    // A refused case is stored with no probability.
    const refused = savePrediction(db, { ...ids, record: predictionRecord('P-3', c.bundleSha256, seg2Sha, null) }).prediction;
    expect(refused.probability).toBeNull();
    expect(countRows(db).predictions).toBe(before.predictions + 1);
  });

  it('a caller-grouped transaction that throws rolls back the repository writes inside it', () => {
    const before = countRows(db);
    expect(() =>
      db.transaction(() => {
        const p = createPatient(db, { pseudonym: 'GROUP-1' });
        addClinicalRecord(db, p.id, { cea_ng_ml: 1 });
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    expect(countRows(db)).toEqual(before);
  });
});

describe('the worklist', () => {
  it('gives each case its status and finds cases by part of the pseudonym', () => {
    seedCase(db, 'LUNG-001');
    const p2 = createPatient(db, { pseudonym: 'LUNG-002' });
    const p3 = createPatient(db, { pseudonym: 'other_3' });
    const { series } = addStudyWithSeries(db, p2.id, {}, { imagePath: '/data/2.nii.gz', storage: 'managed' });
    addSegmentation(db, { seriesId: series.id, method: 'given', maskFormat: 'nifti', maskFile: maskFile('2'), maskSha256: sha256Hex('m2') });
    addClinicalRecord(db, p3.id, { cea_ng_ml: 2 });
    const cases = listCases(db);
    const byName = Object.fromEntries(cases.map((c) => [c.pseudonym, c]));
    expect(byName['LUNG-001']).toMatchObject({ status: 'reported', segmentations: 2, clinicalRecords: 2, predictions: 1, reports: 1, series: 1 });
    expect(byName['LUNG-001'].latestPrediction?.probability).toBe(0.42);
    expect(byName['LUNG-002']).toMatchObject({ status: 'segmented', patientId: p2.id, segmentations: 1, predictions: 0, latestPrediction: null });
    expect(byName['other_3']).toMatchObject({ status: 'imported', patientId: p3.id, series: 0, clinicalRecords: 1 });
    expect(
      listCases(db, { search: 'lung' })
        .map((c) => c.pseudonym)
        .sort(),
    ).toEqual(['LUNG-001', 'LUNG-002']);
    expect(listCases(db, { search: '_' }).map((c) => c.pseudonym)).toEqual(['other_3']);
    expect(listCases(db, { search: 'nobody' })).toEqual([]);
  });
});
