import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { WorkerPool, defaultPoolSize, siblingModule } from '../core/worker-pool.js';
import { type SeriesEncoding } from '../imaging/dicom/write-series.js';
import { aucMannWhitney } from '../stats/roc.js';
import { type ManifestRow, SYNTHETIC_NOTICE, manifestCsv } from './patient-files.js';
import type { PatientTask } from './phantom-worker.js';
import { PHANTOM_VERSION } from './patient.js';
import { RISK_MODEL } from './risk-model.js';
import { CENTRES } from './scanner.js';

export interface CentreCount {
  id: string;
  count: number;
}

export interface CohortOptions {
  outDir: string;
  centres: CentreCount[];
  seed: string | number;
  /** Worker threads (default: the machine's cores, at most 4). */
  jobs?: number;
  /** Write CT series and masks (default true); false writes clinical data and the manifest only. */
  images?: boolean;
  encoding?: SeriesEncoding;
  onProgress?: (done: number, total: number) => void;
}

export interface CohortSummary {
  notice: string;
  phantomVersion: number;
  riskModelVersion: number;
  engineVersion: string;
  seed: string;
  centres: CentreCount[];
  patients: number;
  events: number;
  prevalence: number;
  /** AUC of the true latent probability for the labels: the best any model can do on this cohort. */
  oracleAuc: number;
  byCentre: Record<string, { patients: number; events: number; prevalence: number; oracleAuc: number }>;
}

/** Parses 'A:781,B:318' into centre counts, checking the centres exist. */
export function parseCentres(spec: string): CentreCount[] {
  const out = spec.split(',').map((part) => {
    const [id, count] = part.split(':').map((s) => s.trim());
    const n = Number(count);
    if (!CENTRES[id])
      throw new HilumError({ code: 'INVALID_ARGUMENT', message: `unknown centre '${id}' in '${spec}' (known: ${Object.keys(CENTRES).join(', ')})` });
    if (!Number.isInteger(n) || n < 0) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `'${part}': the patient count must be a whole number` });
    return { id, count: n };
  });
  return out;
}

/** Patient ids in cohort order: centre letter and a 4-digit number per centre (A0001 …). */
export function cohortPatientIds(centres: CentreCount[]): { id: string; centre: string }[] {
  return centres.flatMap((c) => Array.from({ length: c.count }, (_, i) => ({ id: `${c.id}${String(i + 1).padStart(4, '0')}`, centre: c.id })));
}

/**
 * Generates a synthetic two-centre cohort in worker threads: every patient's files (see
 * patient-files.ts), manifest.csv in patient order, and cohort.json with the prevalence and the
 * oracle AUC. Deterministic: the same seed and counts give byte-identical files.
 */
export async function generateCohort(options: CohortOptions): Promise<{ manifestPath: string; rows: ManifestRow[]; summary: CohortSummary }> {
  const patients = cohortPatientIds(options.centres);
  if (!patients.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'the cohort has no patients' });
  mkdirSync(options.outDir, { recursive: true });
  const pool = new WorkerPool(siblingModule(import.meta.url, 'phantom-worker'), Math.max(1, Math.min(options.jobs ?? defaultPoolSize(), patients.length)));
  const rows: ManifestRow[] = new Array(patients.length);
  let done = 0;
  try {
    await Promise.all(
      patients.map(async ({ id, centre }, index) => {
        const task: PatientTask = {
          seed: String(options.seed),
          id,
          centre,
          outDir: options.outDir,
          options: { images: options.images ?? true, encoding: options.encoding },
        };
        rows[index] = await pool.run<ManifestRow>('patient', task);
        options.onProgress?.(++done, patients.length);
      }),
    );
  } finally {
    await pool.close();
  }
  const manifestPath = path.join(options.outDir, 'manifest.csv');
  writeFileSync(manifestPath, manifestCsv(rows));
  const summary = summarise(rows, options);
  writeFileSync(path.join(options.outDir, 'cohort.json'), JSON.stringify(summary, null, 2) + '\n');
  return { manifestPath, rows, summary };
}

function summarise(rows: ManifestRow[], options: CohortOptions): CohortSummary {
  const stats = (subset: ManifestRow[]) => {
    const cases = subset.filter((r) => r.label === 1).map((r) => r.latent_probability);
    const controls = subset.filter((r) => r.label === 0).map((r) => r.latent_probability);
    return {
      patients: subset.length,
      events: cases.length,
      prevalence: subset.length ? cases.length / subset.length : NaN,
      oracleAuc: cases.length && controls.length ? aucMannWhitney(cases, controls, '<') : NaN,
    };
  };
  const all = stats(rows);
  return {
    notice: SYNTHETIC_NOTICE,
    phantomVersion: PHANTOM_VERSION,
    riskModelVersion: RISK_MODEL.version,
    engineVersion: engineVersion(),
    seed: String(options.seed),
    centres: options.centres,
    patients: all.patients,
    events: all.events,
    prevalence: all.prevalence,
    oracleAuc: all.oracleAuc,
    byCentre: Object.fromEntries(options.centres.map((c) => [c.id, stats(rows.filter((r) => r.centre === c.id))])),
  };
}
