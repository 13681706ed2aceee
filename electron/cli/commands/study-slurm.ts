/**
 * `hilum study --slurm | --emit-slurm | --status | --resubmit-failed`: the study's extraction as
 * Slurm jobs, and the state of its shards (docs/cluster.md). The jobs themselves run `hilum study
 * --shard i/N` and `--merge`.
 */
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { readCohortManifest } from '../../engine/pipeline/cohort-manifest.js';
import { parseShard, readShardRecord, shardCountsIn } from '../../engine/pipeline/cohort-shards.js';
import { protocolExtractionKeys } from '../../engine/pipeline/cohort-study.js';
import {
  type SlurmStudy,
  type StudyShardsStatus,
  readSlurmJobs,
  shardsToResubmit,
  studyShardsStatus,
  submitSlurmStudy,
  writeSlurmJobFiles,
} from '../../engine/pipeline/slurm-jobs.js';
import { defaultProtocol, readProtocol, slurmSettingsOf } from '../../engine/signatures/protocol.js';

export interface SlurmModeOptions {
  slurm?: boolean;
  emitSlurm?: boolean;
  status?: boolean;
  resubmitFailed?: boolean;
}

interface Options extends SlurmModeOptions {
  manifest?: string;
  out: string;
  protocol?: string;
  shard?: string;
  merge?: boolean;
  splitOnly?: boolean;
  extractOnly?: boolean;
  json?: boolean;
}

export function slurmMode(opts: SlurmModeOptions): boolean {
  return Boolean(opts.slurm || opts.emitSlurm || opts.status || opts.resubmitFailed);
}

const say = (text: string) => process.stdout.write(text + '\n');

export async function runSlurmMode(opts: Options): Promise<void> {
  const modes = (['slurm', 'emitSlurm', 'status', 'resubmitFailed'] as const).filter((m) => opts[m]);
  const flag = (m: string) => `--${m.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (modes.length > 1) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `give one of ${modes.map(flag).join(', ')}` });
  for (const other of ['merge', 'splitOnly'] as const)
    if (opts[other]) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag(modes[0])} cannot be combined with ${flag(other)}` });
  if (opts.shard && !opts.slurm)
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag(modes[0])} cannot be combined with --shard (--slurm --shard i/N resubmits one shard)` });

  const out = path.resolve(opts.out);
  const record = readSlurmJobs(out);
  const shard = opts.shard ? parseShard(opts.shard) : undefined;
  // After a submission the record names the inputs, so --status and resubmissions need only --out.
  const fromRecord = record && (!opts.manifest || path.resolve(opts.manifest) === record.manifest) ? record : null;
  const manifest = opts.manifest ? path.resolve(opts.manifest) : (fromRecord?.manifest ?? (opts.status ? manifestOfShardRecords(out) : undefined));
  if (!manifest)
    throw new HilumError({
      code: 'INVALID_ARGUMENT',
      message: `--manifest <cohort.csv> is needed${opts.status || opts.resubmitFailed || shard ? ` (${out} has no Slurm submission on record)` : ''}`,
    });
  const protocolFile = opts.protocol ? path.resolve(opts.protocol) : fromRecord?.protocol;
  const protocol = protocolFile ? readProtocol(protocolFile) : defaultProtocol();
  const cohort = readCohortManifest(manifest);
  const study: SlurmStudy = {
    manifest,
    out,
    ...(protocolFile ? { protocol: protocolFile } : {}),
    extractOnly: Boolean(opts.extractOnly ?? fromRecord?.extractOnly),
  };

  if ((opts.slurm && !shard) || opts.emitSlurm) {
    const settings = slurmSettingsOf(protocol);
    if (settings.shards > cohort.cases.length)
      throw new HilumError({
        code: 'INVALID_ARGUMENT',
        message: `slurm.shards is ${settings.shards}, more than the ${cohort.cases.length} patients of ${manifest}`,
      });
    if (opts.emitSlurm) {
      const files = writeSlurmJobFiles(study, settings);
      say(`wrote ${files.extract} (${settings.shards} array tasks) and ${files.merge}; submit them with`);
      say(`  jid=$(sbatch --parsable ${files.extract})`);
      say(`  sbatch --dependency=afterok:$jid ${files.merge}`);
      return;
    }
    const { submission } = submitSlurmStudy(study, settings);
    report(
      opts,
      { submission },
      `submitted the extraction as Slurm array job ${submission.arrayJob} (${settings.shards} shards, ${settings.cpusPerTask} CPU(s) and ${settings.mem} each, ` +
        `${settings.time}) and the merge as job ${submission.mergeJob} (${submission.dependency}); logs in ${path.join(out, 'slurm', 'logs')}\n` +
        `follow it with: hilum study --out ${out} --status`,
    );
    return;
  }

  const count = shard?.count ?? record?.shards ?? onlyShardCount(out);
  if (record && record.shards !== count)
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `the study was submitted in ${record.shards} shards, not ${count}` });
  const status = studyShardsStatus(out, cohort.cases, protocolExtractionKeys(protocol, out), count);
  if (opts.status) {
    report(opts, status, statusText(out, status));
    return;
  }
  if (!record)
    throw new HilumError({
      code: 'INVALID_ARGUMENT',
      message: `${out} has no Slurm submission on record (slurm/jobs.json): submit the study with --slurm first`,
    });
  const tasks = shard ? [shard.index] : shardsToResubmit(status);
  if (!tasks.length) {
    report(opts, { submission: null, status }, `nothing to resubmit: no shard of ${count} failed, is missing or stale\n${statusText(out, status)}`);
    return;
  }
  const { submission, cancelledMerge } = submitSlurmStudy(study, { ...slurmSettingsOf(protocol), shards: count }, { tasks, status });
  report(
    opts,
    { submission, ...(cancelledMerge ? { cancelledMerge } : {}) },
    `resubmitted shard(s) ${tasks.join(', ')} of ${count} as Slurm array job ${submission.arrayJob} and the merge as job ${submission.mergeJob} (${submission.dependency})` +
      (cancelledMerge ? `; cancelled the previous merge job ${cancelledMerge}` : ''),
  );
}

function report(opts: Options, json: unknown, text: string): void {
  say(opts.json ? JSON.stringify(json, null, 1) : text);
}

/** N of a study folder's shards when no submission records it: the one N its shard files use. */
function onlyShardCount(out: string): number {
  const counts = shardCountsIn(path.join(out, 'shards'));
  if (counts.length === 1) return counts[0];
  throw new HilumError({
    code: counts.length ? 'SHARDS_INCONSISTENT' : 'SHARDS_MISSING',
    message: counts.length
      ? `${out}/shards holds shards of different runs (N = ${counts.join(', ')})`
      : `${out} has no shards and no Slurm submission on record`,
  });
}

/** The manifest a shard of this study was run on (its state record names it). */
function manifestOfShardRecords(out: string): string | undefined {
  const counts = shardCountsIn(path.join(out, 'shards'));
  for (const count of counts)
    for (let index = 1; index <= count; index++) {
      const r = readShardRecord(path.join(out, 'shards'), { index, count });
      if (r?.manifest) return r.manifest;
    }
  return undefined;
}

function statusText(out: string, status: StudyShardsStatus): string {
  const last = status.record?.submissions.at(-1);
  const rel = (file: string) => path.relative(out, file);
  const lines = [
    `${out}: ${status.count} shard(s)${
      last ? `; last Slurm submission ${last.at}: array job ${last.arrayJob} (shards ${last.tasks.join(', ')}), merge job ${last.mergeJob}` : ''
    }${status.queue === 'unavailable' ? ' (squeue is not on this machine: states from the study folder alone)' : ''}`,
  ];
  for (const s of status.shards)
    lines.push(
      [
        `shard ${s.shard.index}/${status.count}`.padEnd(12),
        s.state.padEnd(8),
        s.job ? `job ${s.job}`.padEnd(14) : ''.padEnd(14),
        (s.record?.patients !== undefined && s.state === 'done' ? `${s.record.patients} patients` : (s.detail ?? '')) +
          (s.log && (s.state === 'failed' || s.state === 'running') ? ` — log ${rel(s.log)}` : ''),
      ]
        .join(' ')
        .trimEnd(),
    );
  if (status.merge)
    lines.push(
      `${'merge'.padEnd(12)} ${status.merge.state.padEnd(8)} ${`job ${status.merge.job}`.padEnd(14)} ${status.merge.detail ?? ''}${
        status.merge.state === 'failed' || status.merge.state === 'ended' ? ` — log ${rel(status.merge.log)}` : ''
      }`.trimEnd(),
    );
  const redo = shardsToResubmit(status);
  if (redo.length)
    lines.push(
      status.record
        ? `failed, missing or stale: ${redo.join(', ')} — resubmit them alone with: hilum study --out ${out} --resubmit-failed`
        : `failed, missing or stale: ${redo.join(', ')} — run them again (hilum study ... --shard i/${status.count})`,
    );
  return lines.join('\n');
}
