import { HilumError } from '../electron/engine/core/errors.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const IMAGING = path.join(ROOT, 'test', 'fixtures', 'imaging');
export const DEMO = path.join(ROOT, 'resources', 'demo');

export function fixture(...parts: string[]): string {
  return path.join(IMAGING, ...parts);
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'hilum-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `run` and returns the HilumError it throws (fails when it throws nothing or something else). */
export function errorOf(run: () => unknown): HilumError {
  try {
    run();
  } catch (error) {
    if (error instanceof HilumError) return error;
    throw error;
  }
  throw new Error('expected a HilumError');
}
