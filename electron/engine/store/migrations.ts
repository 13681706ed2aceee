/**
 * Versioned schema migrations. The schema version lives in `PRAGMA user_version`; each migration
 * runs in one IMMEDIATE transaction together with its version bump and its audit row, so a crash
 * leaves the database at the old or the new version, never between. Before an existing database
 * (version > 0) is migrated, a consistent copy is written next to it as
 * `<file>.v<old>-<timestamp>.bak` with `VACUUM INTO` (synchronous, a snapshot of committed data,
 * valid while other connections read).
 */
import { existsSync } from 'node:fs';
import { HilumError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { HILUM_APPLICATION_ID, SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import type { Db } from './transaction.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration in order; version n takes a database from n − 1 to n. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial case store', sql: SCHEMA_V1 + `\nPRAGMA application_id = ${HILUM_APPLICATION_ID};` },
  { version: 2, name: 'DICOM export of reports', sql: SCHEMA_V2 },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export interface MigrationResult {
  /** Schema version found. */
  from: number;
  /** Schema version now. */
  to: number;
  /** The migrations applied, in order. */
  applied: { version: number; name: string }[];
  /** The backup written before migrating (absent for a new database or when nothing was applied). */
  backup?: string;
}

/** The database's schema version (`PRAGMA user_version`). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws STORE_TOO_NEW when the database was written by a newer Hilum than this one. */
export function assertNotTooNew(db: Db, file: string): void {
  const version = schemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION)
    throw new HilumError({
      code: 'STORE_TOO_NEW',
      message: `the case store ${file} has schema version ${version}; this Hilum knows versions up to ${LATEST_SCHEMA_VERSION}`,
      hint: 'Open it with the newer Hilum that wrote it; this version will not change it.',
      data: { version, latest: LATEST_SCHEMA_VERSION },
    });
}

/** The file name of a pre-migration backup: `<file>.v<old>-<UTC timestamp>.bak`. */
export function backupFileName(file: string, fromVersion: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '-');
  let candidate = `${file}.v${fromVersion}-${stamp}.bak`;
  for (let i = 2; existsSync(candidate); i++) candidate = `${file}.v${fromVersion}-${stamp}-${i}.bak`;
  return candidate;
}

/**
 * Brings the database to `options.to` (default: the latest version). `file` names the database
 * (for the backup and messages; `:memory:` or '' means no backup). Returns what was done.
 */
export function migrate(db: Db, file: string, options: { to?: number; actor?: string } = {}): MigrationResult {
  assertNotTooNew(db, file);
  const target = options.to ?? LATEST_SCHEMA_VERSION;
  if (!Number.isInteger(target) || target < 0 || target > LATEST_SCHEMA_VERSION)
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `schema version ${target} does not exist (latest ${LATEST_SCHEMA_VERSION})` });
  const from = schemaVersion(db);
  const result: MigrationResult = { from, to: from, applied: [] };
  if (from >= target) return result;
  if (from > 0 && file !== '' && file !== ':memory:') {
    const backup = backupFileName(file, from);
    db.prepare('VACUUM INTO ?').run(backup);
    result.backup = backup;
  }
  for (const m of MIGRATIONS) {
    if (m.version <= from || m.version > target) continue;
    const apply = db.transaction(() => {
      // Another process may have migrated since we looked; the IMMEDIATE lock makes this read final.
      const current = schemaVersion(db);
      if (current >= m.version) return false;
      if (current !== m.version - 1)
        throw new HilumError({ code: 'STORE_MIGRATION_FAILED', message: `cannot apply migration ${m.version} to schema version ${current}` });
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      appendAudit(db, {
        actor: options.actor ?? 'hilum',
        action: 'schema.migrate',
        entity: 'schema',
        entityId: String(m.version),
        detail: { name: m.name, from: current, to: m.version, ...(result.backup ? { backup: result.backup } : {}) },
      });
      return true;
    });
    try {
      if (apply.immediate()) result.applied.push({ version: m.version, name: m.name });
    } catch (error) {
      if (error instanceof HilumError) throw error;
      throw new HilumError({
        code: 'STORE_MIGRATION_FAILED',
        message: `migration ${m.version} (${m.name}) of ${file} failed: ${(error as Error).message}; the database is unchanged at version ${schemaVersion(db)}`,
        ...(result.backup ? { hint: `A copy from before the migration is at ${result.backup}.` } : {}),
        cause: error,
      });
    }
  }
  result.to = schemaVersion(db);
  return result;
}
