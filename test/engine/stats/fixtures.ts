import path from 'node:path';
import { readFileSync } from 'node:fs';
import { ROOT } from '../../helpers.js';

export const STATS_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'stats');

/** A numeric CSV as named columns (the reference data sets are all numeric; quotes around names are dropped). */
export function readCsv(name: string): Record<string, number[]> {
  const lines = readFileSync(path.join(STATS_FIXTURES, 'data', name), 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
  const cols: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) line.split(',').forEach((v, j) => cols[header[j]].push(Number(v)));
  return cols;
}

/** Parsed reference JSON (the layouts are documented in the reference README, not typed here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An expected-values JSON from the R reference; "Inf"/"-Inf"/"NA" strings become numbers/NaN. */
export function readExpected(name: string): Json {
  return JSON.parse(readFileSync(path.join(STATS_FIXTURES, 'expected', name), 'utf8'), (_k, v) =>
    v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NA' ? NaN : v,
  );
}
