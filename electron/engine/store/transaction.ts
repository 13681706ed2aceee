/**
 * The one way the store writes: `writeTransaction` runs a function inside a single IMMEDIATE
 * transaction (the write lock is taken at BEGIN, so a second process waits for busy_timeout instead
 * of failing half-way with SQLITE_BUSY), and turns SQLite's refusals into HilumErrors. If the
 * function throws, everything it wrote is rolled back. Nested calls become savepoints of the outer
 * transaction, so a caller can group several repository writes into one atomic unit.
 */
import Database from 'better-sqlite3';
import { HilumError, isHilumError } from '../core/errors.js';

export type Db = Database.Database;

/** Runs `fn` in one transaction (IMMEDIATE at the outermost level); all or nothing. */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  try {
    const tx = db.transaction(fn);
    return db.inTransaction ? tx() : tx.immediate();
  } catch (error) {
    throw storeError(error);
  }
}

/** A HilumError for what SQLite threw (HilumErrors and programming errors pass through unchanged). */
export function storeError(error: unknown): unknown {
  if (isHilumError(error) || !(error instanceof Database.SqliteError)) return error;
  const sqliteCode = error.code;
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT'))
    return new HilumError({
      code: 'STORE_CONSTRAINT',
      message: `the case store refused the change: ${error.message}`,
      data: { sqliteCode },
      cause: error,
    });
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED'))
    return new HilumError({
      code: 'STORE_BUSY',
      message: 'the case store is locked by another Hilum process',
      hint: 'Wait for the other window or command to finish and try again.',
      data: { sqliteCode },
      cause: error,
    });
  if (sqliteCode.startsWith('SQLITE_READONLY'))
    return new HilumError({ code: 'STORE_READ_ONLY', message: `the case store is read-only: ${error.message}`, data: { sqliteCode }, cause: error });
  if (sqliteCode === 'SQLITE_NOTADB')
    return new HilumError({ code: 'STORE_NOT_A_DATABASE', message: `the case store file is not a SQLite database`, data: { sqliteCode }, cause: error });
  if (sqliteCode.startsWith('SQLITE_CORRUPT'))
    return new HilumError({
      code: 'STORE_CORRUPT',
      message: `the case store is damaged: ${error.message}`,
      hint: 'Restore the latest backup of the case store.',
      data: { sqliteCode },
      cause: error,
    });
  return error;
}
