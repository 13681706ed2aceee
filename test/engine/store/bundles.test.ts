import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '../../../electron/engine/signatures/bundle.js';
import {
  activateBundle,
  closeDatabase,
  countRows,
  getActiveBundle,
  getActiveBundleEntry,
  getBundle,
  importBundle,
  listAudit,
  listBundles,
  openDatabase,
  type Db,
} from '../../../electron/engine/store/index.js';
import { ROOT, errorOf, tempDir } from '../../helpers.js';

const text = readFileSync(path.join(ROOT, 'models', 'hilum-demo.bundle.json'), 'utf8');
const sha = (JSON.parse(text) as { contentSha256: string }).contentSha256;
let db: Db;
let cleanup: () => void;

beforeAll(() => {
  const t = tempDir('hilum-bundles-');
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'hilum.db'));
});
afterAll(() => {
  closeDatabase(db);
  cleanup();
});

describe('the model bundle registry, with the shipped demonstration bundle', () => {
  it('imports, activates and reads the bundle back verified and identical', () => {
    const entry = importBundle(db, text, 'admin', 'hilum-demo.bundle.json');
    expect(entry).toMatchObject({ contentSha256: sha, synthetic: true, status: 'imported', name: parseBundle(text).name });
    expect(importBundle(db, text, 'admin')).toEqual(entry); // importing again changes nothing
    expect(countRows(db).model_bundles).toBe(1);
    expect(activateBundle(db, sha, 'admin').status).toBe('active');
    expect(getActiveBundleEntry(db)?.contentSha256).toBe(sha);
    const active = getActiveBundle(db)!;
    expect(active.contentSha256).toBe(sha);
    expect(active.notice).toMatch(/^SYNTHETIC/);
    expect(getBundle(db, sha)?.backbone.sha256).toBe(parseBundle(text).backbone.sha256);
    expect(listBundles(db).map((b) => b.status)).toEqual(['active']);
    expect(listAudit(db, { entity: 'model_bundles' }).map((a) => [a.action, a.actor])).toEqual([
      ['bundle.import', 'admin'],
      ['bundle.activate', 'admin'],
    ]);
  });

  it('refuses a copy with one coefficient changed, writing nothing', () => {
    const tampered = JSON.parse(text) as { signatures: { clinical: { coefficients: number[] } } };
    tampered.signatures.clinical.coefficients[0] += 0.001;
    const before = countRows(db);
    const error = errorOf(() => importBundle(db, JSON.stringify(tampered), 'mallory'));
    expect(error.code).toBe('BUNDLE_TAMPERED');
    expect(countRows(db)).toEqual(before);
  });

  it('re-verifies the stored text on read: a bundle changed inside the database is refused', () => {
    db.exec('DROP TRIGGER model_bundles_content_fixed');
    try {
      db.prepare('UPDATE model_bundles SET bundle_json = replace(bundle_json, \'"synthetic":true\', \'"synthetic":false\') WHERE content_sha256 = ?').run(sha);
      expect(errorOf(() => getBundle(db, sha)).code).toBe('BUNDLE_TAMPERED');
      expect(errorOf(() => getActiveBundle(db)).code).toBe('BUNDLE_TAMPERED');
    } finally {
      db.prepare('UPDATE model_bundles SET bundle_json = ? WHERE content_sha256 = ?').run(text, sha);
    }
    expect(getBundle(db, sha)?.contentSha256).toBe(sha);
    expect(errorOf(() => activateBundle(db, 'a'.repeat(64))).code).toBe('BUNDLE_NOT_REGISTERED');
  });
});
