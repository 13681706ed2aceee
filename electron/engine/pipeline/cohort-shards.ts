/**
 * A cohort's extraction split over cluster tasks. Case k of the manifest (0-based) belongs to shard
 * k mod N + 1. Each shard writes, in `<study>/shards/`:
 *  - `features-i-of-N.csv` (+ `.json`): its partial feature table, the sidecar naming what every row
 *    was extracted from (image, mask SHA-256) so that a table the manifest has outgrown is seen as stale;
 *  - `state-i-of-N.json`: its run — running, done or failed (with the error), on which host and
 *    process, under which Slurm job — written when it starts and when it ends, so a shard killed
 *    mid-run is still on record as started.
 * `shardStates` reads that back (done, stale, running, failed, missing) and `mergeShardTables` joins
 * the tables of all N shards into the table a single run writes, byte for byte, refusing a missing or
 * stale shard by name.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../core/atomic-write.js';
import { HilumError } from '../core/errors.js';
import { type ExtractionKeys, type FeatureTable, caseSource, readFeatureTable, sidecar } from './cohort-features.js';
import type { CohortCase } from './cohort-manifest.js';

export interface ShardSpec {
  /** 1-based shard number. */
  index: number;
  count: number;
}

/** Parses "i/N" (1 ≤ i ≤ N). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1 && index <= count))
    throw new HilumError({
      code: 'INVALID_ARGUMENT',
      message: `--shard must be i/N with 1 ≤ i ≤ N, got '${text}'`,
      hint: 'e.g. --shard 3/8 (Slurm: --shard $((SLURM_ARRAY_TASK_ID))/8)',
    });
  return { index, count };
}

/** The cases of one shard: case k (0-based, manifest order) belongs to shard (k mod N) + 1. */
export function shardCases<T>(cases: readonly T[], shard: ShardSpec | undefined): T[] {
  return shard ? cases.filter((_, k) => k % shard.count === shard.index - 1) : [...cases];
}

/** File name of shard i of N's partial table. */
export function shardTableName(shard: ShardSpec): string {
  return `features-${shard.index}-of-${shard.count}.csv`;
}

function stateFile(shardsDir: string, shard: ShardSpec): string {
  return path.join(shardsDir, `state-${shard.index}-of-${shard.count}.json`);
}

/** The Slurm job a process runs in (from the environment Slurm gives every job), if any. */
export interface SlurmJobRef {
  jobId: string;
  arrayJobId?: string;
  arrayTaskId?: string;
}

/** One run of one shard, as `state-i-of-N.json` records it. */
export interface ShardRecord {
  format: 'hilum-shard-state/1';
  shard: ShardSpec;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  host: string;
  pid: number;
  slurm?: SlurmJobRef;
  /** The manifest the shard was run on (absolute). */
  manifest: string;
  patients?: number;
  error?: { code: string; message: string };
}

export function slurmJobFromEnv(env: NodeJS.ProcessEnv = process.env): SlurmJobRef | undefined {
  if (!env.SLURM_JOB_ID) return undefined;
  return {
    jobId: env.SLURM_JOB_ID,
    ...(env.SLURM_ARRAY_JOB_ID ? { arrayJobId: env.SLURM_ARRAY_JOB_ID } : {}),
    ...(env.SLURM_ARRAY_TASK_ID ? { arrayTaskId: env.SLURM_ARRAY_TASK_ID } : {}),
  };
}

/** The Slurm job ID as squeue prints it: `A_i` for an array task, else the job ID. */
export function slurmJobName(ref: SlurmJobRef): string {
  return ref.arrayJobId && ref.arrayTaskId ? `${ref.arrayJobId}_${ref.arrayTaskId}` : ref.jobId;
}

export function readShardRecord(shardsDir: string, shard: ShardSpec): ShardRecord | null {
  try {
    return JSON.parse(readFileSync(stateFile(shardsDir, shard), 'utf8')) as ShardRecord;
  } catch {
    return null;
  }
}

function writeShardRecord(shardsDir: string, record: ShardRecord): void {
  writeFileAtomically(stateFile(shardsDir, record.shard), JSON.stringify(record, null, 1) + '\n');
}

/**
 * Records that this process starts shard i of N, and removes the table of an earlier run of it: until
 * this run finishes, the shard has no table, so neither a failed re-run nor a merge can take an old one for new.
 */
export function startShardRun(shardsDir: string, shard: ShardSpec, manifest: string): void {
  const table = path.join(shardsDir, shardTableName(shard));
  rmSync(table, { force: true });
  rmSync(sidecar(table), { force: true });
  const slurm = slurmJobFromEnv();
  writeShardRecord(shardsDir, {
    format: 'hilum-shard-state/1',
    shard,
    state: 'running',
    startedAt: new Date().toISOString(),
    host: os.hostname(),
    pid: process.pid,
    ...(slurm ? { slurm } : {}),
    manifest: path.resolve(manifest),
  });
}

/** Records the end of this process's run of the shard: done (its table written) or failed with the error. */
export function endShardRun(shardsDir: string, shard: ShardSpec, outcome: { patients: number } | { error: { code: string; message: string } }): void {
  const record = readShardRecord(shardsDir, shard);
  // Only the run this process started is ended here (another run may have taken the shard over since).
  if (!record || record.pid !== process.pid || record.host !== os.hostname() || record.state !== 'running') return;
  writeShardRecord(shardsDir, { ...record, ...outcome, state: 'error' in outcome ? 'failed' : 'done', finishedAt: new Date().toISOString() });
}

/** What a shard table's sidecar records beyond the table's own fields: the shard and what each row came from. */
export function shardProvenance(shard: ShardSpec, cases: readonly CohortCase[]): Record<string, unknown> {
  const sources = cases.map(caseSource);
  return { shard, sources: { id: cases.map((c) => c.id), image: sources.map((s) => s.image), maskSha256: sources.map((s) => s.maskSha256) } };
}

/**
 * Why the table of a shard no longer stands for that shard of the manifest, or null when it does:
 * extracted with other settings or another backbone, other patients than the shard now holds, or a
 * patient's image or mask changed since.
 */
function staleReason(shardsDir: string, shard: ShardSpec, cases: readonly CohortCase[], keys: ExtractionKeys): string | null {
  const file = path.join(shardsDir, shardTableName(shard));
  let meta: { keys?: ExtractionKeys; sources?: { id: string[]; image: string[]; maskSha256: string[] } };
  try {
    meta = JSON.parse(readFileSync(sidecar(file), 'utf8'));
  } catch {
    return `the .json beside its table ${shardTableName(shard)} cannot be read`;
  }
  if (meta.keys?.radiomics !== keys.radiomics || meta.keys?.deep !== keys.deep)
    return 'extracted with other radiomics settings or another backbone than this protocol names';
  if (!meta.sources) return 'its table does not record what it was extracted from (written by an earlier Hilum)';
  const { id: ids, image, maskSha256 } = meta.sources;
  const expected = shardCases(cases, shard);
  if (ids.join('\u0000') !== expected.map((c) => c.id).join('\u0000')) {
    const had = new Set(ids);
    const has = new Set(expected.map((c) => c.id));
    const added = [...has].filter((id) => !had.has(id));
    const removed = ids.filter((id) => !has.has(id));
    const what = [added.length ? `new: ${added.slice(0, 5).join(', ')}` : '', removed.length ? `gone: ${removed.slice(0, 5).join(', ')}` : ''].filter(Boolean);
    return `the manifest's shard ${shard.index} now holds other patients (${what.join('; ') || 'in another order'})`;
  }
  const changed = expected.flatMap((c, k) => {
    const now = caseSource(c);
    return now.image !== image[k] ? [`${c.id} (image)`] : now.maskSha256 !== maskSha256[k] ? [`${c.id} (mask)`] : [];
  });
  return changed.length ? `the image or mask of ${changed.length} patient(s) changed since it was extracted: ${changed.slice(0, 5).join(', ')}` : null;
}

export type ShardState = 'done' | 'stale' | 'running' | 'failed' | 'missing';

export interface ShardStatus {
  shard: ShardSpec;
  state: ShardState;
  /** Why, for stale and failed shards; where and since when, for running ones. */
  detail?: string;
  record?: ShardRecord;
}

/** Whether a process runs, when it is on this host; undefined when it is elsewhere. */
function processAlive(record: ShardRecord): boolean | undefined {
  if (record.host !== os.hostname()) return undefined;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state of every shard of N from the study folder alone (a scheduler may know more: see
 * slurm-jobs.ts). A shard whose table stands for its part of the manifest is done; one whose table
 * does not is stale; a run on record without a table is running, or failed when its error is recorded
 * or its process (on this host) is gone; a shard with neither is missing.
 */
export function shardStates(shardsDir: string, cases: readonly CohortCase[], keys: ExtractionKeys, count: number): ShardStatus[] {
  return Array.from({ length: count }, (_, k): ShardStatus => {
    const shard = { index: k + 1, count };
    const record = readShardRecord(shardsDir, shard) ?? undefined;
    const withRecord = record ? { record } : {};
    const hasTable = existsSync(path.join(shardsDir, shardTableName(shard)));
    if (record?.state === 'running') {
      if (processAlive(record) === false)
        return { shard, state: 'failed', detail: `its process (${record.pid} on ${record.host}) ended without finishing`, ...withRecord };
      return { shard, state: 'running', detail: `since ${record.startedAt} on ${record.host}`, ...withRecord };
    }
    if (record?.state === 'failed') return { shard, state: 'failed', detail: `${record.error?.code}: ${record.error?.message}`, ...withRecord };
    if (!hasTable) return { shard, state: 'missing', ...(record ? { detail: 'its table is gone', record } : {}) };
    const stale = staleReason(shardsDir, shard, cases, keys);
    return stale ? { shard, state: 'stale', detail: stale, ...withRecord } : { shard, state: 'done', ...withRecord };
  });
}

/** N of the shard tables and state records in a study's shards folder: one number, or none when the folder holds no shard. */
export function shardCountsIn(shardsDir: string): number[] {
  const files = existsSync(shardsDir) ? readdirSync(shardsDir) : [];
  const counts = new Set<number>();
  for (const f of files) {
    const m = /^features-\d+-of-(\d+)\.csv$/.exec(f) ?? /^state-\d+-of-(\d+)\.json$/.exec(f);
    if (m) counts.add(Number(m[1]));
  }
  return [...counts].sort((a, b) => a - b);
}

/** One line per shard that is not done: "2: failed (…)". */
export function describeShards(states: readonly ShardStatus[]): string {
  return states.map((s) => `${s.shard.index}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`).join('; ');
}

/**
 * Joins the partial tables of a sharded extraction (in `shardsDir`) into one table in manifest
 * order. Every shard of the same N must be done: a shard without its table (missing, running,
 * failed) or with a stale one (other settings, patients, images or masks than now) is refused by name.
 */
export function mergeShardTables(shardsDir: string, cases: readonly CohortCase[], keys: ExtractionKeys): FeatureTable {
  const tables = existsSync(shardsDir) ? readdirSync(shardsDir).filter((f) => /^features-\d+-of-\d+\.csv$/.test(f)) : [];
  if (!tables.length) throw new HilumError({ code: 'SHARDS_MISSING', message: `no shard tables (features-i-of-N.csv) in ${shardsDir}` });
  const counts = new Set(tables.map((f) => Number(/-of-(\d+)\.csv$/.exec(f)![1])));
  if (counts.size !== 1)
    throw new HilumError({
      code: 'SHARDS_INCONSISTENT',
      message: `${shardsDir} holds shards of different runs (N = ${[...counts].join(', ')})`,
      hint: 'Remove the tables of the run you do not want (features-i-of-N.csv and .json).',
    });
  const count = [...counts][0];
  const states = shardStates(shardsDir, cases, keys, count);
  const absent = states.filter((s) => s.state === 'missing' || s.state === 'running' || s.state === 'failed');
  const stale = states.filter((s) => s.state === 'stale');
  if (absent.length || stale.length) {
    const details = describeShards([...absent, ...stale].filter((s) => s.detail));
    throw new HilumError({
      code: absent.length ? 'SHARDS_MISSING' : 'SHARDS_STALE',
      message: [
        absent.length ? `shard(s) ${absent.map((s) => s.shard.index).join(', ')} of ${count} have not written their table` : '',
        stale.length ? `shard(s) ${stale.map((s) => s.shard.index).join(', ')} of ${count} are stale` : '',
      ]
        .filter(Boolean)
        .join('; ')
        .concat(details ? ` — ${details}` : ''),
      hint: 'Run (or re-run) those shards (hilum study --resubmit-failed on Slurm); finished patients are cached.',
      data: { shards: [...absent, ...stale].map((s) => ({ shard: s.shard.index, count, state: s.state, detail: s.detail })) },
    });
  }
  const parts = states.map((s) => readFeatureTable(path.join(shardsDir, shardTableName(s.shard))));
  const first = parts[0];
  for (const p of parts)
    if (p.names.join('\u0000') !== first.names.join('\u0000'))
      throw new HilumError({ code: 'SHARDS_INCONSISTENT', message: 'the shard tables have different feature columns' });
  const byId = new Map<string, number[]>();
  const spacingById = new Map<string, number[]>();
  const bagById = new Map<string, string>();
  const repeat = new Map<string, number[]>();
  for (const p of parts)
    p.ids.forEach((id, i) => {
      byId.set(id, p.rows[i]);
      spacingById.set(id, p.spacing[i]);
      bagById.set(id, p.bagSha256[i]);
      const r = p.repeat.get(id);
      if (r) repeat.set(id, r);
    });
  const lacking = cases.filter((c) => !byId.has(c.id)).map((c) => c.id);
  if (lacking.length)
    throw new HilumError({
      code: 'SHARDS_INCONSISTENT',
      message: `the shard tables lack ${lacking.length} patient(s) their .json files list: ${lacking.slice(0, 10).join(', ')}`,
    });
  return {
    keys: first.keys,
    ids: cases.map((c) => c.id),
    names: first.names,
    rows: cases.map((c) => byId.get(c.id)!),
    repeat,
    spacing: cases.map((c) => spacingById.get(c.id)!),
    bagSha256: cases.map((c) => bagById.get(c.id)!),
  };
}
