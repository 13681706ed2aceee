/**
 * Writes a file so that a reader (or a crash) sees either the old file or the whole new one: the
 * bytes go to `<file>.partial-<pid>` in the same folder, are flushed to disk (fsync), and the
 * temporary file is renamed over the target. On failure the temporary file is removed and the
 * error is rethrown (callers wrap it in their own HilumError).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export function writeFileAtomically(file: string, data: Uint8Array | string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  try {
    const fd = openSync(partial, 'w');
    try {
      if (typeof data === 'string') writeSync(fd, data);
      else writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
