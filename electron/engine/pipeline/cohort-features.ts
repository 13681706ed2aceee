/**
 * Feature extraction for a cohort study: for every patient, the radiomics features (and those of a
 * repeat segmentation when the manifest has one) and the backbone's outputs for the 2.5D bag (slice
 * probabilities, slice feature vectors pooled by mean and maximum). Each finished case is cached as
 * JSON under a key that hashes everything the values depend on (radiomics settings, bag
 * configuration, backbone SHA-256, engine version), stamped with the image path and the SHA-256 of
 * the mask it came from: an interrupted run resumes, a second study with another selection protocol
 * reuses every value, and a corrected mask is extracted again. Cases run in parallel in worker threads.
 *
 * For a cohort larger than one workstation, the extraction is split into shards (cohort-shards.ts)
 * whose partial feature tables join into the table a single run writes, byte for byte.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { csvLine, parseCsv } from '../core/csv.js';
import { HilumError, isHilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { WorkerPool, siblingModule } from '../core/worker-pool.js';
import type { Backbone } from '../deep/model-card.js';
import { extractionSettings, type ParameterSet } from '../radiomics/settings.js';
import type { CohortCase } from './cohort-manifest.js';
import type { PeritumoralPlan } from './radiomics-regions.js';

export interface CaseExtractionRequest {
  id: string;
  image: string;
  mask: string;
  repeatMask?: string;
  radiomics: boolean;
  radiomicsParams: ParameterSet;
  /** The peritumoral step (protocol radiomics.peritumoral), when the study has one. */
  peritumoral?: PeritumoralPlan;
  /** Backbone folder, when the deep outputs are needed. */
  deepModel?: string;
}

export interface CaseExtractionResult {
  id: string;
  /** Voxel spacing of the CT (mm: column, row, slice). */
  spacing: number[];
  radiomics?: Record<string, number>;
  repeatRadiomics?: Record<string, number>;
  deep?: { probabilities: number[]; features: number[][]; provider: string; bagSha256: string };
}

export interface ExtractionKeys {
  radiomics: string;
  deep: string;
}

export interface ExtractionFailure {
  id: string;
  code: string;
  message: string;
}

export interface ExtractionPlan {
  cases: CohortCase[];
  /** Repeat-segmentation mask of a case (absolute path), when it has one. */
  repeatMaskOf: (c: CohortCase) => string;
  radiomicsParams: ParameterSet;
  /** The peritumoral step: its features are cached with the tumour's, under one key. */
  peritumoral?: PeritumoralPlan;
  backbone: Backbone;
  /** Study folder: the cache lives in <dir>/features. */
  dir: string;
}

/**
 * The cache keys: SHA-256 (first 16 hex digits) of what the values depend on. A peritumoral step
 * joins the radiomics key only when there is one, so the keys of studies without it do not change.
 */
export function extractionKeys(params: ParameterSet, backbone: Backbone, peritumoral?: PeritumoralPlan): ExtractionKeys {
  const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
  const version = engineVersion();
  const settingsOf = (p: ParameterSet) => ({ settings: extractionSettings(p), imageType: p.imageType, featureClass: p.featureClass });
  return {
    radiomics: hash({
      version,
      ...settingsOf(params),
      ...(peritumoral ? { peritumoral: { ringMm: peritumoral.ringMm, ...settingsOf(peritumoral.params) } } : {}),
    }),
    deep: hash({ version, backbone: backbone.sha256, bag: backbone.bagConfig }),
  };
}

function cacheDir(dir: string, kind: 'radiomics' | 'deep', key: string): string {
  return path.join(dir, 'features', `${kind}-${key}`);
}

function cacheFile(dir: string, kind: 'radiomics' | 'deep', key: string, id: string): string {
  return path.join(cacheDir(dir, kind, key), `${encodeURIComponent(id)}.json`);
}

function repeatCacheFile(dir: string, key: string, id: string): string {
  return path.join(cacheDir(dir, 'radiomics', key), `${encodeURIComponent(id)}.repeat.json`);
}

/** SHA-256 of a mask file (masks are small), so a corrected mask is extracted again; a folder is identified by its path. */
export function fileDigest(file: string): string {
  try {
    return statSync(file).isFile() ? createHash('sha256').update(readFileSync(file)).digest('hex') : `folder:${file}`;
  } catch {
    return `missing:${file}`;
  }
}

/** What a case's cached features were extracted from: the image as the manifest names it, and the SHA-256 of the mask. */
export function caseSource(c: CohortCase): { image: string; maskSha256: string } {
  return { image: c.values.image_path ?? c.image, maskSha256: fileDigest(c.mask) };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/**
 * Extracts what the cache lacks for the given cases, `jobs` cases at a time. Failures do not stop
 * the batch: they are returned (and the caller reports them); finished cases are not redone unless
 * their mask (or image path) changed.
 */
export async function extractCohortFeatures(
  plan: ExtractionPlan,
  options: {
    jobs?: number;
    onProgress?: (done: number, total: number, failed: number) => void;
    /** Called once before extracting: how many cases need work and how many the cache already holds. */
    onPlan?: (todo: number, cached: number) => void;
    /**
     * Stops the batch: no new case starts, the cases running finish and are cached, then
     * `STUDY_CANCELLED` is thrown. Workers are never terminated mid-case (a native ONNX Runtime
     * call interrupted that way can abort the whole process).
     */
    signal?: AbortSignal;
  } = {},
): Promise<{ extracted: number; cached: number; failures: ExtractionFailure[] }> {
  const keys = extractionKeys(plan.radiomicsParams, plan.backbone, plan.peritumoral);
  const sources = new Map<string, { image: string; maskSha256: string; repeatMask: string; repeatSha256: string }>();
  const todo = plan.cases
    .map((c): CaseExtractionRequest => {
      const repeatMask = plan.repeatMaskOf(c);
      const source = {
        ...caseSource(c),
        repeatMask,
        repeatSha256: repeatMask ? fileDigest(repeatMask) : '',
      };
      sources.set(c.id, source);
      const fresh = (file: string, digest: string) => {
        const entry = readJson<{ image?: string; maskSha256: string }>(file);
        return entry !== null && entry.maskSha256 === digest && (entry.image === undefined || entry.image === source.image);
      };
      const radiomicsDone = fresh(cacheFile(plan.dir, 'radiomics', keys.radiomics, c.id), source.maskSha256);
      const repeatDone = !repeatMask || fresh(repeatCacheFile(plan.dir, keys.radiomics, c.id), source.repeatSha256);
      const deepDone = fresh(cacheFile(plan.dir, 'deep', keys.deep, c.id), source.maskSha256);
      return {
        id: c.id,
        image: c.image,
        mask: c.mask,
        ...(repeatDone ? {} : { repeatMask }),
        radiomics: !radiomicsDone,
        radiomicsParams: plan.radiomicsParams,
        ...(plan.peritumoral ? { peritumoral: plan.peritumoral } : {}),
        ...(deepDone ? {} : { deepModel: plan.backbone.dir }),
      };
    })
    .filter((r) => r.radiomics || r.repeatMask || r.deepModel);
  const cached = plan.cases.length - todo.length;
  const failures: ExtractionFailure[] = [];
  options.onPlan?.(todo.length, cached);
  if (!todo.length) return { extracted: 0, cached, failures };
  throwIfCancelled(options.signal);
  const jobs = Math.max(1, Math.min(options.jobs ?? 2, todo.length));
  const pool = new WorkerPool(siblingModule(import.meta.url, 'cohort-features-worker'), jobs);
  let done = 0;
  options.onProgress?.(0, todo.length, 0);
  const onAbort = () => pool.dropQueued(cancelledError());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      todo.map(async (req) => {
        try {
          const r = await pool.run<CaseExtractionResult>('extract', req);
          const source = sources.get(req.id)!;
          const stamp = { id: req.id, image: source.image, maskSha256: source.maskSha256 };
          if (r.radiomics)
            writeAtomic(cacheFile(plan.dir, 'radiomics', keys.radiomics, req.id), JSON.stringify({ ...stamp, spacing: r.spacing, features: r.radiomics }));
          if (r.repeatRadiomics)
            writeAtomic(
              repeatCacheFile(plan.dir, keys.radiomics, req.id),
              JSON.stringify({ id: req.id, maskSha256: source.repeatSha256, features: r.repeatRadiomics }),
            );
          if (r.deep) writeAtomic(cacheFile(plan.dir, 'deep', keys.deep, req.id), JSON.stringify({ ...stamp, ...r.deep }));
        } catch (error) {
          if (options.signal?.aborted) return; // dropped from the queue, not failed
          failures.push({ id: req.id, code: isHilumError(error) ? error.code : 'INTERNAL_ERROR', message: (error as Error).message });
        }
        options.onProgress?.(++done, todo.length, failures.length);
      }),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
  throwIfCancelled(options.signal);
  return { extracted: todo.length - failures.length, cached, failures };
}

/** A table of patient features, one row per patient in manifest order. */
export interface FeatureTable {
  keys: ExtractionKeys;
  ids: string[];
  names: string[];
  /** rows[i][j]: patient i, feature j. */
  rows: number[][];
  /** Radiomics of the repeat segmentation, for the patients that have one. */
  repeat: Map<string, number[]>;
  /** CT voxel spacing of each patient (mm), in row order. */
  spacing: number[][];
  /** SHA-256 of each patient's 2.5D bag, in row order. */
  bagSha256: string[];
}

interface CachedRadiomics {
  id: string;
  spacing: number[];
  features: Record<string, number>;
}
interface CachedDeep {
  id: string;
  bagSha256: string;
  probabilities: number[];
  features: number[][];
}

/** Deep columns of one patient: slice probabilities (deep_p_NN) and pooled slice features (deep_mean_NNN, deep_max_NNN). */
export function deepColumns(d: Pick<CachedDeep, 'probabilities' | 'features'>): Record<string, number> {
  const out: Record<string, number> = {};
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  d.probabilities.forEach((p, k) => (out[`deep_p_${pad(k, 2)}`] = p));
  const length = d.features[0]?.length ?? 0;
  for (let f = 0; f < length; f++) {
    let sum = 0;
    let max = -Infinity;
    for (const v of d.features) {
      sum += v[f];
      max = Math.max(max, v[f]);
    }
    out[`deep_mean_${pad(f, 3)}`] = sum / d.features.length;
    out[`deep_max_${pad(f, 3)}`] = max;
  }
  return out;
}

/**
 * Assembles the feature table of the given cases from the cache; a case missing from the cache is an
 * error naming it. Repeat-segmentation features are taken for the cases that have a repeat mask now
 * (`repeatMaskOf`), from the extraction of that very mask.
 */
export function featureTableFromCache(
  dir: string,
  cases: readonly CohortCase[],
  keys: ExtractionKeys,
  repeatMaskOf: (c: CohortCase) => string = () => '',
): FeatureTable {
  const missing: string[] = [];
  const table: FeatureTable = { keys, ids: [], names: [], rows: [], repeat: new Map(), spacing: [], bagSha256: [] };
  let radiomicsNames: string[] | null = null;
  for (const c of cases) {
    const rf = cacheFile(dir, 'radiomics', keys.radiomics, c.id);
    const df = cacheFile(dir, 'deep', keys.deep, c.id);
    if (!existsSync(rf) || !existsSync(df)) {
      missing.push(c.id);
      continue;
    }
    const r = JSON.parse(readFileSync(rf, 'utf8')) as CachedRadiomics;
    const cachedDeep = JSON.parse(readFileSync(df, 'utf8')) as CachedDeep;
    const d = deepColumns(cachedDeep);
    radiomicsNames ??= Object.keys(r.features);
    if (!table.names.length) table.names = [...radiomicsNames, ...Object.keys(d)];
    const row = table.names.map((n) => (n in r.features ? r.features[n] : d[n]));
    if (row.length !== table.names.length || row.some((v) => v === undefined) || Object.keys(r.features).length + Object.keys(d).length !== row.length)
      throw new HilumError({ code: 'FEATURES_INCONSISTENT', message: `${c.id}: its cached features have other names than the cohort's first case` });
    table.ids.push(c.id);
    table.rows.push(row);
    table.spacing.push(r.spacing);
    table.bagSha256.push(cachedDeep.bagSha256 ?? '');
    const repeatMask = repeatMaskOf(c);
    const repeat = repeatMask ? readJson<{ maskSha256: string; features: Record<string, number> }>(repeatCacheFile(dir, keys.radiomics, c.id)) : null;
    if (repeat && repeat.maskSha256 === fileDigest(repeatMask))
      table.repeat.set(
        c.id,
        radiomicsNames.map((n) => repeat.features[n]),
      );
  }
  if (missing.length)
    throw new HilumError({
      code: 'FEATURES_MISSING',
      message: `${missing.length} patient(s) have no extracted features: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
      hint: 'Run the extraction again (finished cases are kept), or merge the shards of a cluster run with --merge.',
      data: { missing },
    });
  return table;
}

/**
 * Writes a feature table as CSV (patient_id first; values as JavaScript prints doubles, which read
 * back exactly) with its keys in a sidecar JSON; `extra` fields join the sidecar (a shard's provenance).
 */
export function writeFeatureTable(file: string, table: FeatureTable, extra: Record<string, unknown> = {}): void {
  let text = csvLine(['patient_id', ...table.names]);
  table.rows.forEach((row, i) => (text += csvLine([table.ids[i], ...row.map(String)])));
  writeAtomic(file, text);
  const repeat = Object.fromEntries(table.repeat);
  writeAtomic(
    sidecar(file),
    JSON.stringify({
      format: 'hilum-feature-table/1',
      engineVersion: engineVersion(),
      keys: table.keys,
      patients: table.ids.length,
      spacing: table.spacing,
      bagSha256: table.bagSha256,
      repeat,
      ...extra,
    }) + '\n',
  );
}

/** The JSON file beside a feature table's CSV. */
export function sidecar(file: string): string {
  return file.replace(/\.csv$/i, '') + '.json';
}

export function readFeatureTable(file: string): FeatureTable {
  if (!existsSync(file) || !existsSync(sidecar(file)))
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `feature table ${file} (and its ${path.basename(sidecar(file))}) not found` });
  const meta = JSON.parse(readFileSync(sidecar(file), 'utf8')) as {
    keys: ExtractionKeys;
    repeat: Record<string, number[]>;
    spacing: number[][];
    bagSha256: string[];
  };
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const names = rows[0].slice(1);
  return {
    keys: meta.keys,
    ids: rows.slice(1).map((r) => r[0]),
    names,
    rows: rows.slice(1).map((r) => r.slice(1).map(Number)),
    repeat: new Map(Object.entries(meta.repeat ?? {})),
    spacing: meta.spacing,
    bagSha256: meta.bagSha256,
  };
}

function cancelledError(): HilumError {
  return new HilumError({
    code: 'STUDY_CANCELLED',
    message: 'the study was cancelled; the patients extracted so far are cached in the study folder',
    hint: 'Start the study again on the same folder to resume.',
  });
}

/** Throws `STUDY_CANCELLED` once the signal has fired (checked between steps of a study). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
