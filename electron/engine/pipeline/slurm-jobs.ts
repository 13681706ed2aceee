/**
 * A cohort study's extraction as Slurm jobs (docs/cluster.md): an array job with one task per shard
 * (`hilum study --shard $SLURM_ARRAY_TASK_ID/N`) and the merge as a job that starts once every task
 * has succeeded (`--dependency=afterok`). The job files, their logs and a record of each submission
 * live in `<study>/slurm/`; each shard's own record is in `<study>/shards/` (cohort-shards.ts), and
 * the status joins the two with what Slurm's queue still knows. Hilum runs no scheduler of its own:
 * it writes job files and calls sbatch, squeue and scancel.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../core/atomic-write.js';
import { HilumError } from '../core/errors.js';
import { projectRoot } from '../core/version.js';
import type { SlurmSettings } from '../signatures/protocol.js';
import type { ExtractionKeys } from './cohort-features.js';
import type { CohortCase } from './cohort-manifest.js';
import { type ShardState, type ShardStatus, shardStates, slurmJobName } from './cohort-shards.js';

/** What the jobs run: the study's inputs, as absolute paths. */
export interface SlurmStudy {
  manifest: string;
  out: string;
  protocol?: string;
  /** The merge job writes features.csv and stops (`--extract-only`) instead of fitting. */
  extractOnly: boolean;
}

export interface SlurmSubmission {
  at: string;
  /** The shards (array task IDs) this submission ran. */
  tasks: number[];
  arrayJob: string;
  mergeJob: string;
  /** The merge job's `--dependency`. */
  dependency: string;
}

/** `<study>/slurm/jobs.json`: the inputs and every submission, latest last. */
export interface SlurmJobsRecord extends SlurmStudy {
  format: 'hilum-slurm-jobs/1';
  shards: number;
  submissions: SlurmSubmission[];
}

export const slurmDir = (out: string): string => path.join(out, 'slurm');
const recordFile = (out: string) => path.join(slurmDir(out), 'jobs.json');
/** A shard's job output: `index` and `arrayJob` are Slurm's `%a` and `%A` in the job file. */
const shardLog = (out: string, index: number | '%a', count: number, arrayJob: string) =>
  path.join(slurmDir(out), 'logs', `shard-${index}-of-${count}.${arrayJob}.log`);
const mergeLog = (out: string, job: string) => path.join(slurmDir(out), 'logs', `merge.${job}.log`);

/** The `hilum` a job runs: this Node and this installation's bin/hilum.js, by absolute path. */
export function hilumCommand(): string[] {
  return [process.execPath, path.join(projectRoot(), 'bin', 'hilum.js')];
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An `#SBATCH` line. sbatch splits these at white space outside double quotes, so a value with spaces is quoted. */
function directive(option: string, value?: string | number): string {
  if (value === undefined) return `#SBATCH ${option}`;
  const text = String(value);
  if (/["\n\r]/.test(text))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `a job file cannot carry ${option}=${JSON.stringify(text)} (a double quote or line break)` });
  return `#SBATCH ${option}=${/\s/.test(text) ? `"${text}"` : text}`;
}

function resourceLines(settings: SlurmSettings, job: { cpusPerTask: number; mem: string; time: string }): string[] {
  return [
    directive('--cpus-per-task', job.cpusPerTask),
    directive('--mem', job.mem),
    directive('--time', job.time),
    ...(settings.partition ? [directive('--partition', settings.partition)] : []),
    ...(settings.account ? [directive('--account', settings.account)] : []),
    ...(settings.qos ? [directive('--qos', settings.qos)] : []),
    ...settings.sbatchOptions.map((o) => directive(o)),
  ];
}

/** The two job files: extract.sbatch (the array, one task per shard) and merge.sbatch. */
export function slurmJobScripts(study: SlurmStudy, settings: SlurmSettings, command: string[] = hilumCommand()): { extract: string; merge: string } {
  const n = settings.shards;
  const inputs = ['--manifest', study.manifest, '--out', study.out, ...(study.protocol ? ['--protocol', study.protocol] : [])];
  const run = (args: string[]) => `exec ${[...command, 'study', ...inputs].map(shellWord).join(' ')} ${args.join(' ')}\n`;
  const header = (what: string, submit: string) => [
    '#!/bin/bash',
    `# ${what}`,
    `# Written by \`hilum study --slurm\` (or --emit-slurm), docs/cluster.md; by hand: ${submit}`,
  ];
  const extract = [
    ...header(`Feature extraction of a Hilum cohort study: one array task per shard (${n} shards).`, 'sbatch extract.sbatch'),
    directive('--job-name', 'hilum-extract'),
    directive('--array', `1-${n}`),
    ...resourceLines(settings, settings),
    directive('--output', shardLog(study.out, '%a', n, '%A')),
    directive('--chdir', study.out),
    run(['--shard', `"\${SLURM_ARRAY_TASK_ID}/${n}"`, '--jobs', '"${SLURM_CPUS_PER_TASK:-1}"']),
  ].join('\n');
  const merge = [
    ...header('Merge of the shards of a Hilum cohort study, then the fit and evaluation.', 'sbatch --dependency=afterok:<extraction job> merge.sbatch'),
    directive('--job-name', 'hilum-merge'),
    ...resourceLines(settings, {
      cpusPerTask: settings.merge.cpusPerTask,
      mem: settings.merge.mem ?? settings.mem,
      time: settings.merge.time ?? settings.time,
    }),
    directive('--output', mergeLog(study.out, '%j')),
    directive('--chdir', study.out),
    // A shard that fails leaves the merge's dependency unsatisfiable: Slurm then cancels it instead of keeping it queued.
    directive('--kill-on-invalid-dep', 'yes'),
    run(['--merge', ...(study.extractOnly ? ['--extract-only'] : [])]),
  ].join('\n');
  return { extract, merge };
}

/** Writes the job files into `<study>/slurm/` (and its logs folder); returns their paths. */
export function writeSlurmJobFiles(study: SlurmStudy, settings: SlurmSettings): { extract: string; merge: string } {
  const scripts = slurmJobScripts(study, settings);
  const dir = slurmDir(study.out);
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const files = { extract: path.join(dir, 'extract.sbatch'), merge: path.join(dir, 'merge.sbatch') };
  writeFileAtomically(files.extract, scripts.extract);
  writeFileAtomically(files.merge, scripts.merge);
  return files;
}

export function readSlurmJobs(out: string): SlurmJobsRecord | null {
  try {
    return JSON.parse(readFileSync(recordFile(out), 'utf8')) as SlurmJobsRecord;
  } catch {
    return null;
  }
}

/** Runs a Slurm command; a missing command or a refusal is a named error with Slurm's own message. */
function slurm(command: 'sbatch' | 'squeue' | 'scancel', args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    if (e.code === 'ENOENT')
      throw new HilumError({
        code: 'SLURM_UNAVAILABLE',
        message: `${command} was not found: Slurm's commands are not on this machine's PATH`,
        hint: 'Run this on a login node of the cluster, or write the job files with --emit-slurm and submit them there.',
      });
    throw new HilumError({
      code: 'SLURM_COMMAND_FAILED',
      message: `${command} ${args.join(' ')} failed: ${String(e.stderr || e.message).trim()}`,
      data: { command, args, status: e.status },
    });
  }
}

/** `sbatch --parsable` prints "jobid" or "jobid;cluster". */
function sbatch(args: string[]): string {
  return slurm('sbatch', ['--parsable', ...args])
    .trim()
    .split(';')[0];
}

interface QueueEntry {
  state: string;
  reason: string;
}

/**
 * What Slurm still knows of these jobs (array tasks as `A_i`): pending, running and — until it
 * forgets them (MinJobAge, 5 minutes by default) — finished ones. Null when squeue is not here.
 */
export function slurmQueue(jobIds: readonly string[]): Map<string, QueueEntry> | null {
  const queue = new Map<string, QueueEntry>();
  if (!jobIds.length) return queue;
  let text: string;
  try {
    text = slurm('squeue', ['--noheader', '--array', '--states=all', `--jobs=${[...new Set(jobIds)].join(',')}`, '--format=%i|%T|%r']);
  } catch (error) {
    if ((error as HilumError).code === 'SLURM_UNAVAILABLE') return null;
    // squeue refuses a list whose every job Slurm has forgotten.
    if (/Invalid job id/i.test((error as Error).message)) return queue;
    throw error;
  }
  for (const line of text.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (id && state) queue.set(id, { state, reason: reason ?? '' });
  }
  return queue;
}

const PENDING = /^(PENDING|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|RESV_DEL_HOLD)$/;
const RUNNING = /^(RUNNING|CONFIGURING|COMPLETING|SUSPENDED|STAGE_OUT|SIGNALING|RESIZING)$/;
const isPending = (q: QueueEntry | undefined) => q !== undefined && PENDING.test(q.state);
const isRunning = (q: QueueEntry | undefined) => q !== undefined && RUNNING.test(q.state);
const endedBadly = (q: QueueEntry | undefined) => q !== undefined && !PENDING.test(q.state) && !RUNNING.test(q.state) && q.state !== 'COMPLETED';
const reasonOf = (q: QueueEntry) => (q.reason && q.reason !== 'None' ? ` (${q.reason})` : '');

export interface SlurmShardStatus extends Omit<ShardStatus, 'state'> {
  state: ShardState | 'pending';
  /** The Slurm job (`A_i`) of the shard's last run or submission. */
  job?: string;
  /** That job's output file. */
  log?: string;
}

export interface StudyShardsStatus {
  count: number;
  /** Whether Slurm's queue was asked: 'squeue', 'unavailable' (not on this machine), or 'not submitted' (no --slurm submission on record). */
  queue: 'squeue' | 'unavailable' | 'not submitted';
  shards: SlurmShardStatus[];
  merge?: { job: string; state: 'pending' | 'running' | 'done' | 'failed' | 'ended'; detail?: string; log: string };
  record: SlurmJobsRecord | null;
}

/**
 * Every shard's state: the study folder's (cohort-shards.ts) corrected by Slurm's queue — a shard
 * waiting in the queue is pending; a run on record whose job has left the queue (scancel, out of
 * time or memory, a lost node) failed, even when the process had no chance to record it; a task that
 * ended badly before it started Hilum failed too.
 */
export function studyShardsStatus(out: string, cases: readonly CohortCase[], keys: ExtractionKeys, count: number): StudyShardsStatus {
  const record = readSlurmJobs(out);
  const files = shardStates(path.join(out, 'shards'), cases, keys, count);
  const submissions = record?.shards === count ? record.submissions : [];
  const latest = (index: number) => submissions.findLast((s) => s.tasks.includes(index));
  const recordJobs = files.flatMap((f) => (f.record?.slurm?.arrayJobId ? [f.record.slurm.arrayJobId] : f.record?.slurm ? [f.record.slurm.jobId] : []));
  const queue =
    submissions.length || recordJobs.length
      ? slurmQueue([...submissions.flatMap((s) => [s.arrayJob, s.mergeJob]), ...recordJobs])
      : new Map<string, QueueEntry>();
  const shards = files.map((f): SlurmShardStatus => {
    const submission = latest(f.shard.index);
    const submitted = submission ? `${submission.arrayJob}_${f.shard.index}` : undefined;
    const ran = f.record?.slurm ? slurmJobName(f.record.slurm) : undefined;
    const job = ran ?? submitted;
    const log = f.record?.slurm?.arrayJobId
      ? shardLog(out, f.shard.index, count, f.record.slurm.arrayJobId)
      : submission
        ? shardLog(out, f.shard.index, count, submission.arrayJob)
        : undefined;
    const base = { ...f, ...(job ? { job } : {}), ...(log ? { log } : {}) };
    if (!queue) return base;
    const q = submitted ? queue.get(submitted) : undefined;
    // A newer submission of the shard, still waiting or started, supersedes what the folder says of an older run.
    if (submitted && submitted !== ran && (isPending(q) || isRunning(q)))
      return {
        ...base,
        state: isPending(q) ? 'pending' : 'running',
        job: submitted,
        log: shardLog(out, f.shard.index, count, submission!.arrayJob),
        detail: `Slurm: ${q!.state}${reasonOf(q!)}`,
      };
    if (f.state === 'running' && ran) {
      const r = queue.get(ran);
      if (isRunning(r) || isPending(r)) return base;
      return {
        ...base,
        state: 'failed',
        detail: r ? `Slurm: ${r.state}${reasonOf(r)}` : 'its Slurm job ended without finishing (cancelled, out of time or memory, or its node lost)',
      };
    }
    if (f.state === 'failed' && ran && endedBadly(queue.get(ran))) return { ...base, detail: `${f.detail}; Slurm: ${queue.get(ran)!.state}` };
    if (f.state === 'missing' && q) {
      if (isPending(q)) return { ...base, state: 'pending', detail: `Slurm: ${q.state}${reasonOf(q)}` };
      if (isRunning(q)) return { ...base, state: 'running', detail: `Slurm: ${q.state}` };
      return { ...base, state: 'failed', detail: `Slurm: ${q.state}${reasonOf(q)}; the task wrote no table (see its log)` };
    }
    return base;
  });
  const last = submissions.at(-1);
  let merge: StudyShardsStatus['merge'];
  if (last) {
    const q = queue?.get(last.mergeJob);
    const log = mergeLog(out, last.mergeJob);
    const featuresAt = existsSync(path.join(out, 'features.csv')) ? statSync(path.join(out, 'features.csv')).mtime.toISOString() : '';
    if (isPending(q)) merge = { job: last.mergeJob, state: 'pending', detail: `Slurm: ${q!.state}${reasonOf(q!)}`, log };
    else if (isRunning(q)) merge = { job: last.mergeJob, state: 'running', log };
    else if (q?.state === 'COMPLETED' || (!q && featuresAt > last.at)) merge = { job: last.mergeJob, state: 'done', log };
    else if (q) merge = { job: last.mergeJob, state: 'failed', detail: `Slurm: ${q.state}${reasonOf(q)}`, log };
    else merge = { job: last.mergeJob, state: 'ended', detail: 'no longer in the queue and no features.csv since it was submitted: see its log', log };
  }
  return {
    count,
    queue: !submissions.length && !recordJobs.length ? 'not submitted' : queue ? 'squeue' : 'unavailable',
    shards,
    ...(merge ? { merge } : {}),
    record,
  };
}

/** The shards a resubmission takes: those that failed, are missing or stale (not done, running or pending). */
export function shardsToResubmit(status: StudyShardsStatus): number[] {
  return status.shards.filter((s) => s.state === 'failed' || s.state === 'missing' || s.state === 'stale').map((s) => s.shard.index);
}

/**
 * Submits the extraction (all shards, or `tasks` alone) and a merge job that waits for it — and for
 * the shards of earlier submissions that are still pending or running — and records the submission.
 * A whole new submission is refused while jobs of the study are still queued.
 */
export function submitSlurmStudy(
  study: SlurmStudy,
  settings: SlurmSettings,
  options: { tasks?: number[]; status?: StudyShardsStatus } = {},
): { submission: SlurmSubmission; files: { extract: string; merge: string }; cancelledMerge?: string } {
  const previous = readSlurmJobs(study.out);
  const status = options.status;
  if (!options.tasks && previous) {
    const queue = slurmQueue(previous.submissions.flatMap((s) => [s.arrayJob, s.mergeJob])) ?? new Map<string, QueueEntry>();
    const active = [...queue].filter(([, q]) => isPending(q) || isRunning(q)).map(([id]) => id);
    if (active.length)
      throw new HilumError({
        code: 'SLURM_ALREADY_SUBMITTED',
        message: `jobs of this study are still in Slurm's queue: ${active.join(', ')}`,
        hint: `hilum study --out ${study.out} --status shows them; cancel them with scancel first to start again.`,
      });
  }
  let cancelledMerge: string | undefined;
  let waitFor: string[] = [];
  if (options.tasks && status) {
    const active = status.shards.filter((s) => options.tasks!.includes(s.shard.index) && (s.state === 'pending' || s.state === 'running'));
    if (active.length)
      throw new HilumError({
        code: 'SLURM_SHARD_ACTIVE',
        message: `shard(s) ${active.map((s) => `${s.shard.index} (${s.state}, job ${s.job ?? '?'})`).join(', ')} of ${status.count} are still ${active.length > 1 ? 'queued or running' : active[0].state}`,
        hint: 'Wait for them, or cancel them with scancel, then resubmit.',
      });
    if (status.merge?.state === 'running')
      throw new HilumError({ code: 'SLURM_MERGE_RUNNING', message: `the merge job ${status.merge.job} is running; resubmit once it has ended` });
    // The last merge waits on a task that failed: Slurm cancels it (kill-on-invalid-dep) or it waits forever; a new one replaces it.
    if (status.merge?.state === 'pending') {
      slurm('scancel', [status.merge.job]);
      cancelledMerge = status.merge.job;
    }
    waitFor = status.shards
      .filter((s) => (s.state === 'pending' || s.state === 'running') && s.job && !options.tasks!.includes(s.shard.index))
      .map((s) => s.job!);
  }
  const files = writeSlurmJobFiles(study, settings);
  const at = new Date().toISOString();
  const tasks = options.tasks ?? Array.from({ length: settings.shards }, (_, k) => k + 1);
  const arrayJob = sbatch([...(options.tasks ? [`--array=${tasks.join(',')}`] : []), files.extract]);
  const dependency = `afterok:${[arrayJob, ...waitFor].join(':')}`;
  const mergeJob = sbatch([`--dependency=${dependency}`, files.merge]);
  const submission = { at, tasks, arrayJob, mergeJob, dependency };
  const record: SlurmJobsRecord = {
    format: 'hilum-slurm-jobs/1',
    ...study,
    shards: settings.shards,
    submissions: [...(previous?.shards === settings.shards ? previous.submissions : []), submission],
  };
  writeFileAtomically(recordFile(study.out), JSON.stringify(record, null, 1) + '\n');
  return { submission, files, ...(cancelledMerge ? { cancelledMerge } : {}) };
}
