import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../electron/engine/signatures/canonical-json.js';
import {
  CASE_FORMAT,
  addClinicalRecord,
  backupDatabase,
  caseContent,
  caseContentSha256,
  closeDatabase,
  countRows,
  createPatient,
  exportCase,
  importBundle,
  importCase,
  integrityCheck,
  listAudit,
  openDatabase,
  readCase,
  type CaseFile,
  type Db,
} from '../../../electron/engine/store/index.js';
import { errorOf, tempDir } from '../../helpers.js';
import { maskFile, seedCase, tinyBundleText } from './store-fixtures.js';

let dir: string;
let cleanup: () => void;
const open: Db[] = [];
function store(name: string): Db {
  const db = openDatabase(path.join(dir, name));
  open.push(db);
  return db;
}
beforeEach(() => ({ dir, cleanup } = tempDir('hilum-transfer-')));
afterEach(() => {
  for (const db of open.splice(0)) closeDatabase(db);
  cleanup();
});

describe('case export and import', () => {
  it('round-trips a whole case into a fresh store: the same content, the same hash, the mask bytes intact', () => {
    const a = store('a.db');
    const seeded = seedCase(a, 'CASE-7');
    const file = path.join(dir, 'out', 'case-7.hilum-case.json');
    const exported = exportCase(a, seeded.patientId, file, 'exporter');
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}.partial-${process.pid}`)).toBe(false);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CaseFile;
    expect(parsed.format).toBe(CASE_FORMAT);
    expect(parsed.contentSha256).toBe(exported.contentSha256);
    expect(parsed.content.bundles).toEqual([seeded.bundleSha256]);
    expect(parsed.content.segmentations.map((s) => Buffer.from(s.maskBase64, 'base64').toString())).toEqual([
      Buffer.from(maskFile('CASE-71')).toString(),
      Buffer.from(maskFile('CASE-72')).toString(),
    ]);
    expect(listAudit(a).at(-1)).toMatchObject({ action: 'case.export', actor: 'exporter', entityId: seeded.patientId });

    const b = store('b.db');
    expect(errorOf(() => importCase(b, file)).code).toBe('BUNDLE_NOT_REGISTERED');
    expect(countRows(b)).toMatchObject({ patients: 0, predictions: 0, segmentations: 0 });

    importBundle(b, tinyBundleText());
    const result = importCase(b, file, 'importer');
    expect(result).toMatchObject({ status: 'imported', patientId: seeded.patientId, pseudonym: 'CASE-7', contentSha256: exported.contentSha256 });
    expect(result.counts).toEqual({ studies: 1, series: 1, segmentations: 2, clinicalRecords: 2, featureSets: 1, predictions: 1, reports: 1, dicomExports: 1 });
    const again = exportCase(b, seeded.patientId, path.join(dir, 'again.json'));
    expect(again.contentSha256).toBe(exported.contentSha256);
    expect(canonicalJson(caseContent(b, seeded.patientId))).toBe(canonicalJson(caseContent(a, seeded.patientId)));
    const masks = readCase(b, seeded.patientId, { withMasks: true }).segmentations.map((s) => s.mask!.toString());
    expect(masks).toEqual([Buffer.from(maskFile('CASE-71')).toString(), Buffer.from(maskFile('CASE-72')).toString()]);
    expect(listAudit(b).find((e) => e.action === 'case.import')).toMatchObject({
      action: 'case.import',
      actor: 'importer',
      detail: { contentSha256: exported.contentSha256 },
    });

    // The same file again: nothing to do. A different case under the same pseudonym: a conflict.
    const before = countRows(b);
    expect(importCase(b, file).status).toBe('unchanged');
    addClinicalRecord(b, seeded.patientId, { cea_ng_ml: 9 });
    const conflict = errorOf(() => importCase(b, file));
    expect(conflict.code).toBe('CASE_CONFLICT');
    expect(countRows(b).patients).toBe(before.patients);
  });

  it('refuses a case file changed after export, and one whose rows belong to another patient, writing nothing', () => {
    const a = store('a.db');
    const seeded = seedCase(a, 'CASE-8');
    const file = path.join(dir, 'case.json');
    exportCase(a, seeded.patientId, file);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CaseFile;

    const b = store('b.db');
    importBundle(b, tinyBundleText());
    const before = countRows(b);
    const tampered = structuredClone(parsed);
    tampered.content.clinicalRecords[1].values.cea_ng_ml = 1.0;
    writeFileSync(file, JSON.stringify(tampered));
    expect(errorOf(() => importCase(b, file)).code).toBe('CASE_FILE_TAMPERED');

    const resealed = structuredClone(parsed);
    resealed.content.studies[0].patientId = 'someone-else';
    resealed.contentSha256 = caseContentSha256(resealed.content);
    writeFileSync(file, JSON.stringify(resealed));
    expect(errorOf(() => importCase(b, file)).code).toBe('CASE_FILE_INVALID');

    writeFileSync(file, '{"format":"hilum-case/1"');
    expect(errorOf(() => importCase(b, file)).code).toBe('CASE_FILE_INVALID');
    expect(countRows(b)).toEqual(before);

    // Another store that already has this pseudonym for a different patient.
    const c = store('c.db');
    importBundle(c, tinyBundleText());
    createPatient(c, { pseudonym: 'CASE-8' });
    writeFileSync(file, JSON.stringify(parsed));
    const beforeC = countRows(c);
    expect(errorOf(() => importCase(c, file)).code).toBe('CASE_CONFLICT');
    expect(countRows(c)).toEqual(beforeC);
  });
});

describe('backup', () => {
  it('makes an online copy that passes the integrity check with the same rows, and refuses to overwrite', async () => {
    const db = store('live.db');
    seedCase(db, 'B-1');
    seedCase(db, 'B-2');
    const dest = path.join(dir, 'backups', 'live-copy.db');
    const result = await backupDatabase(db, dest);
    expect(result.counts).toEqual(countRows(db));
    expect(result.counts.patients).toBe(2);
    expect(existsSync(`${dest}-wal`)).toBe(false);
    const copy = new Database(dest, { readonly: true });
    try {
      expect(integrityCheck(copy)).toEqual(['ok']);
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect((copy.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(countRows(db).audit_log);
    } finally {
      copy.close();
    }
    const reopened = store(path.relative(dir, dest));
    expect(
      readCase(reopened, readCase(db, (db.prepare("SELECT id FROM patients WHERE pseudonym = 'B-2'").get() as { id: string }).id).patient.id).patient.pseudonym,
    ).toBe('B-2');
    await expect(backupDatabase(db, dest)).rejects.toMatchObject({ code: 'BACKUP_EXISTS' });
  });
});
