import { readFileSync } from 'node:fs';
import { parseCsv } from '../engine/core/csv.js';
import { HilumError } from '../engine/core/errors.js';

/** The rows of a CSV file the user named (header first); a file that cannot be read is PATH_NOT_FOUND. */
export function readCsvRows(file: string): string[][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${file} does not exist` });
  }
  return parseCsv(text);
}
