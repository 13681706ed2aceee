/**
 * A cohort manifest: one row per patient with patient_id, centre, image_path, mask_path and the 0/1
 * outcome label; optionally latent_probability (phantom cohorts: the generator's true risk), a
 * repeat segmentation column for the ICC filter, and any clinical columns. Paths are relative to
 * the manifest. `hilum phantom` writes this layout; a hospital writes the same columns.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../core/csv.js';
import { HilumError } from '../core/errors.js';

export interface CohortCase {
  id: string;
  centre: string;
  label: number;
  /** Absolute paths (resolved against the manifest's folder); empty when the manifest has none. */
  image: string;
  mask: string;
  /** Every column of the row as written (lower-case header names). */
  values: Record<string, string>;
  /** The generator's true probability (phantoms only). */
  latentProbability?: number;
}

export interface CohortManifest {
  file: string;
  columns: string[];
  cases: CohortCase[];
}

const REQUIRED = ['patient_id', 'centre', 'label'];

export function readCohortManifest(file: string, options: { needImages?: boolean } = {}): CohortManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `manifest ${file} does not exist` });
  }
  const rows = parseCsv(text);
  const columns = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const need = options.needImages === false ? REQUIRED : [...REQUIRED, 'image_path', 'mask_path'];
  const missing = need.filter((c) => !columns.includes(c));
  if (missing.length) throw new HilumError({ code: 'MANIFEST_INVALID', message: `manifest ${file} lacks the column(s) ${missing.join(', ')}` });
  if (rows.length < 2) throw new HilumError({ code: 'MANIFEST_INVALID', message: `manifest ${file} has no patients` });
  const base = path.dirname(path.resolve(file));
  const seen = new Set<string>();
  const cases = rows.slice(1).map((r, k): CohortCase => {
    const where = `manifest ${file}, row ${k + 2}`;
    if (r.length !== columns.length)
      throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where}: ${r.length} fields where the header has ${columns.length}` });
    const values = Object.fromEntries(columns.map((c, j) => [c, r[j].trim()]));
    const id = values.patient_id;
    if (!id) throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where}: patient_id is empty` });
    if (seen.has(id)) throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where}: patient_id ${id} appears twice` });
    seen.add(id);
    const label = Number(values.label);
    if (values.label === '' || (label !== 0 && label !== 1))
      throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where} (${id}): label must be 0 or 1, got '${values.label}'` });
    if (!values.centre) throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where} (${id}): centre is empty` });
    if (options.needImages !== false && (!values.image_path || !values.mask_path))
      throw new HilumError({
        code: 'MANIFEST_INVALID',
        message: `${where} (${id}): image_path and mask_path are needed (a cohort written with --no-images has none)`,
      });
    const c: CohortCase = {
      id,
      centre: values.centre,
      label,
      image: values.image_path ? path.resolve(base, values.image_path) : '',
      mask: values.mask_path ? path.resolve(base, values.mask_path) : '',
      values,
    };
    if (values.latent_probability !== undefined && values.latent_probability !== '') {
      const p = Number(values.latent_probability);
      if (!(p >= 0 && p <= 1))
        throw new HilumError({ code: 'MANIFEST_INVALID', message: `${where} (${id}): latent_probability ${values.latent_probability} is not in [0, 1]` });
      c.latentProbability = p;
    }
    return c;
  });
  return { file: path.resolve(file), columns, cases };
}

/** A path column of a case, resolved against the manifest (empty when blank or absent). */
export function casePath(manifest: CohortManifest, c: CohortCase, column: string): string {
  const v = c.values[column];
  return v ? path.resolve(path.dirname(manifest.file), v) : '';
}
