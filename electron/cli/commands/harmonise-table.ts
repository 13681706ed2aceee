/**
 * The tables `hilum harmonise` reads and writes: a CSV with an ID in its first column, feature
 * columns, and the batch (and covariates) either in it or in a second CSV joined on the ID (a study's
 * features.csv with its manifest's centre column).
 */
import { csvLine } from '../../engine/core/csv.js';
import { HilumError } from '../../engine/core/errors.js';
import { readCsvRows } from '../read-csv.js';

export interface HarmoniseTable {
  header: string[];
  rows: string[][];
  ids: string[];
  /** Looks a column up in the table, then in the joined table; the values in row order. */
  column(name: string): string[];
  has(name: string): boolean;
}

function readCsvFile(file: string): string[][] {
  const rows = readCsvRows(file);
  if (rows.length < 2) throw new HilumError({ code: 'HARMONISE_INVALID', message: `${file} has no data rows` });
  return rows;
}

export function readHarmoniseTable(file: string, joinFile?: string): HarmoniseTable {
  const rows = readCsvFile(file);
  const header = rows[0];
  const body = rows.slice(1);
  const ids = body.map((r) => r[0]);
  const join = joinFile ? readCsvFile(joinFile) : null;
  const joinIndex = new Map(join?.slice(1).map((r) => [r[0], r]) ?? []);
  const column = (name: string): string[] => {
    const j = header.indexOf(name);
    if (j >= 0) return body.map((r) => r[j] ?? '');
    const k = join ? join[0].indexOf(name) : -1;
    if (k < 0)
      throw new HilumError({
        code: 'COLUMN_NOT_FOUND',
        message: `no column '${name}' in ${file}${joinFile ? ` or ${joinFile}` : ''}`,
      });
    return ids.map((id) => {
      const r = joinIndex.get(id);
      if (!r) throw new HilumError({ code: 'HARMONISE_VALUE_MISSING', message: `${joinFile} has no row for ${id} (joined on its first column)` });
      return r[k] ?? '';
    });
  };
  const has = (name: string) => header.includes(name) || (join?.[0].includes(name) ?? false);
  return { header, rows: body, ids, column, has };
}

export function numericColumn(table: HarmoniseTable, name: string): Float64Array {
  return Float64Array.from(table.column(name), (v) => (v.trim() === '' ? NaN : Number(v)));
}

/** The feature columns: those named, or every column of the table but the ID and the excluded ones whose values are all numbers. */
export function featureColumns(table: HarmoniseTable, named: string[] | undefined, exclude: Set<string>): string[] {
  if (named?.length) return named;
  return table.header.slice(1).filter((h) => !exclude.has(h) && table.column(h).every((v) => v.trim() !== '' && Number.isFinite(Number(v))));
}

/** The table's text with the given columns replaced (numbers as JavaScript prints doubles, which read back exactly). */
export function replacedCsv(table: HarmoniseTable, columns: Record<string, ArrayLike<number>>): string {
  const index = table.header.map((h) => columns[h]);
  let text = csvLine(table.header);
  table.rows.forEach((r, i) => (text += csvLine(r.map((v, j) => (index[j] ? String(index[j][i]) : v)))));
  return text;
}
