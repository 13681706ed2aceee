/**
 * Opening and closing the case store. `openDatabase` sets the connection's pragmas, checks that the
 * file is a Hilum case store this engine understands, and migrates it to the latest schema.
 *
 * - `journal_mode = WAL`: readers never block the writer, and a crash mid-write leaves the last
 *   committed state (the WAL is replayed or ignored on the next open).
 * - `synchronous = FULL`: in WAL mode NORMAL is already safe against a crashed or killed process,
 *   but after a power cut or OS crash it can lose the last committed transactions. The store holds
 *   clinical records and predictions that must never be lost, and it writes at human pace, so one
 *   fsync per commit is worth it: once a write function returns, the change survives a power cut.
 * - `foreign_keys = ON` (per connection in SQLite) and a busy timeout, so a second Hilum process
 *   waits for the write lock instead of failing at once.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HilumError, isHilumError } from '../core/errors.js';
import { LATEST_SCHEMA_VERSION, assertNotTooNew, migrate, schemaVersion, type MigrationResult } from './migrations.js';
import { HILUM_APPLICATION_ID } from './schema-v1.js';
import { storeError, type Db } from './transaction.js';

export interface OpenOptions {
  /** Open without writing: no migration; an out-of-date store is refused (STORE_NEEDS_MIGRATION). */
  readonly?: boolean;
  /** How long to wait for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Migrate only up to this schema version (tests and tools); default the latest. */
  schemaVersion?: number;
  /** Actor recorded in the audit rows of migrations (default 'hilum'). */
  actor?: string;
}

const migrations = new WeakMap<Db, MigrationResult>();

/** Opens (creating when needed) the case store at `file` and migrates it; see the module comment. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && readonly && !existsSync(file)) throw new HilumError({ code: 'STORE_NOT_FOUND', message: `the case store ${file} does not exist` });
  if (!inMemory && !readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw new HilumError({ code: 'STORE_OPEN_FAILED', message: `cannot open the case store ${file}: ${(error as Error).message}`, cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`);
    assertHilumStore(db, file);
    assertNotTooNew(db, file);
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (readonly) {
      const version = schemaVersion(db);
      if (version < (options.schemaVersion ?? LATEST_SCHEMA_VERSION))
        throw new HilumError({
          code: 'STORE_NEEDS_MIGRATION',
          message: `the case store ${file} has schema version ${version} and must be migrated to ${LATEST_SCHEMA_VERSION} before it can be read`,
          hint: 'Open it once for writing; Hilum backs it up and migrates it.',
          data: { version, latest: LATEST_SCHEMA_VERSION },
        });
    } else {
      migrations.set(db, migrate(db, file, { to: options.schemaVersion, actor: options.actor }));
    }
    return db;
  } catch (error) {
    db.close();
    const mapped = storeError(error);
    if (isHilumError(mapped) && mapped.code === 'STORE_NOT_A_DATABASE') throw notAStore(file, 'it is not a SQLite database', mapped);
    throw mapped;
  }
}

/** What `openDatabase` did to bring this connection's database up to date. */
export function migrationOf(db: Db): MigrationResult | undefined {
  return migrations.get(db);
}

/** Closes the connection (a no-op when it is already closed); the last connection to close checkpoints the WAL. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  if (!db.readonly) {
    try {
      db.pragma('optimize');
    } catch {
      // optimizing is a courtesy; closing must not fail because of it
    }
  }
  db.close();
}

/** The user tables of the case store, in dependency order. */
export const STORE_TABLES = [
  'patients',
  'studies',
  'series',
  'segmentations',
  'clinical_records',
  'feature_sets',
  'model_bundles',
  'predictions',
  'reports',
  'dicom_exports',
  'audit_log',
] as const;

/** Row count of every store table present in this database. */
export function countRows(db: Db): Record<string, number> {
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const counts: Record<string, number> = {};
  for (const table of STORE_TABLES) if (present.has(table)) counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return counts;
}

/** Runs `PRAGMA integrity_check` and returns its messages ('ok' alone when the file is sound). */
export function integrityCheck(db: Db): string[] {
  return (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
}

/** Refuses a SQLite file that belongs to some other program (reading the header also detects a non-SQLite file). */
function assertHilumStore(db: Db, file: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === HILUM_APPLICATION_ID) return;
  if (applicationId !== 0) throw notAStore(file, `it belongs to another program (application id ${applicationId})`);
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
  if (tables > 0 || schemaVersion(db) !== 0) throw notAStore(file, 'it is a SQLite database of another program');
}

function notAStore(file: string, why: string, cause?: unknown): HilumError {
  return new HilumError({
    code: 'STORE_NOT_A_DATABASE',
    message: `${file} is not a Hilum case store: ${why}`,
    hint: 'Choose the case store file Hilum created (hilum.db), or a new file name.',
    ...(cause ? { cause } : {}),
  });
}
