/**
 * Online backup of the case store with better-sqlite3's `db.backup()` (SQLite's backup API: a
 * consistent copy while the application keeps working). The copy is written to a temporary name,
 * checked with `PRAGMA integrity_check`, and only then renamed to the destination, so a failed or
 * interrupted backup never leaves a file that looks like a good one. The copy is switched to rollback
 * journal mode so it is one self-contained file (no -wal / -shm beside it).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HilumError } from '../core/errors.js';
import { countRows, integrityCheck } from './database.js';
import { schemaVersion } from './migrations.js';
import type { Db } from './transaction.js';

export interface BackupResult {
  file: string;
  schemaVersion: number;
  /** Row counts of the copy, per table. */
  counts: Record<string, number>;
  totalPages: number;
}

/** Copies the open database to `destFile` (refused when it exists), verifies the copy, returns its counts. */
export async function backupDatabase(db: Db, destFile: string): Promise<BackupResult> {
  if (existsSync(destFile)) throw new HilumError({ code: 'BACKUP_EXISTS', message: `backup file ${destFile} already exists; choose a new name` });
  mkdirSync(path.dirname(path.resolve(destFile)), { recursive: true });
  const partial = `${destFile}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  try {
    const meta = await db.backup(partial);
    // The copy carries the source's WAL flag; make it a self-contained single file before checking it.
    const copy = new Database(partial, { fileMustExist: true });
    let result: BackupResult;
    try {
      copy.pragma('journal_mode = DELETE');
      const problems = integrityCheck(copy);
      if (problems.length !== 1 || problems[0] !== 'ok')
        throw new HilumError({ code: 'BACKUP_CORRUPT', message: `the backup copy failed its integrity check: ${problems.slice(0, 5).join('; ')}` });
      result = { file: destFile, schemaVersion: schemaVersion(copy), counts: countRows(copy), totalPages: meta.totalPages };
    } finally {
      copy.close();
    }
    renameSync(partial, destFile);
    return result;
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof HilumError) throw error;
    throw new HilumError({ code: 'BACKUP_FAILED', message: `backup to ${destFile} failed: ${(error as Error).message}`, cause: error });
  }
}
