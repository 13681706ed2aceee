import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { endShardRun, parseShard } from '../../engine/pipeline/cohort-shards.js';
import { runStudy, type StudyStage } from '../../engine/pipeline/cohort-study.js';
import { writeStudyOutputs } from '../../engine/pipeline/study-outputs.js';
import { metricsMarkdown } from '../../engine/report/study-report.js';
import { defaultProtocol, readProtocol } from '../../engine/signatures/protocol.js';
import { formatFinding } from '../output.js';
import { type SlurmModeOptions, runSlurmMode, slurmMode } from './study-slurm.js';

interface StudyOptions extends SlurmModeOptions {
  manifest?: string;
  out: string;
  protocol?: string;
  jobs?: string;
  shard?: string;
  merge?: boolean;
  splitOnly?: boolean;
  extractOnly?: boolean;
  json?: boolean;
}

export function registerStudy(program: Command): void {
  program
    .command('study')
    .description(
      "cohort study (the paper's method on your own cohort): split, extract or reuse cached features (resumable), fit the clinical, radiomics, MIL, DLRad and " +
        'combined signatures on the training split, evaluate them on training, validation and external test, and write the table, plots, nomogram and the model bundle (docs/study.md)',
    )
    .option(
      '--manifest <cohort.csv>',
      'cohort manifest: patient_id, centre, image_path, mask_path, label and the clinical columns (as `hilum phantom` writes it); needed except with --status and --resubmit-failed after --slurm',
    )
    .requiredOption('--out <dir>', 'study folder: feature cache, tables, plots, bundle')
    .option('--protocol <file>', 'study protocol (YAML or JSON); the documented defaults without it')
    .option('--jobs <n>', 'patients extracted in parallel (worker threads)', '2')
    .option('--shard <i/N>', 'extract only every N-th patient (i-th of N) into a partial feature table, for a cluster array job (docs/cluster.md)')
    .option('--merge', 'join the partial tables of all N shards in <out>/shards, then fit and evaluate')
    .option(
      '--slurm',
      "submit the extraction to Slurm as an array job (one task per shard; shards and resources from the protocol's slurm section) and the merge as a job that waits for it; with --shard i/N, resubmit that shard alone",
    )
    .option('--emit-slurm', 'write the Slurm job files to <out>/slurm and print how to submit them; submits nothing')
    .option('--status', "each shard's state (done, running, pending, failed, stale, missing) and Slurm job, from the study folder and Slurm's queue")
    .option('--resubmit-failed', 'resubmit the failed, missing and stale shards of the last --slurm submission alone, with a new merge job')
    .option('--split-only', 'write <out>/split.csv (training / validation / external) and stop')
    .option('--extract-only', 'extract the features and write <out>/features.csv, then stop (with --slurm: the merge job stops there)')
    .option('--json', 'print the result summary as JSON')
    .action(async (opts: StudyOptions) => {
      const jobs = Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1)
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--jobs must be a positive integer, got '${opts.jobs}'` });
      if (opts.shard && opts.merge)
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give --shard (extract one part) or --merge (join the parts), not both' });
      if (slurmMode(opts)) {
        await runSlurmMode(opts);
        return;
      }
      if (!opts.manifest) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--manifest <cohort.csv> is needed' });
      const protocol = opts.protocol ? readProtocol(opts.protocol) : defaultProtocol();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: '{stage} |{bar}| {value}/{total} patients, {failed} failed, ETA {eta_formatted}', hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
        : null;
      let lastStage: StudyStage | null = null;
      let lastLogged = 0;
      const onProgress = (stage: StudyStage, done: number, total: number, failed: number) => {
        if (stage !== 'extract') {
          if (stage !== lastStage) process.stderr.write(`${stage}…\n`);
          lastStage = stage;
          return;
        }
        if (bar) {
          if (lastStage !== 'extract') bar.start(total, 0, { stage: 'features', failed: 0 });
          bar.update(done, { stage: 'features', failed });
          if (done === total) bar.stop();
        } else if (done === total || done - lastLogged >= Math.max(1, Math.round(total / 20))) {
          process.stderr.write(`features: ${done}/${total} patients (${failed} failed)\n`);
          lastLogged = done;
        }
        lastStage = 'extract';
      };
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      // A shard stopped by a signal (scancel, a time limit, Ctrl-C) records so before it goes; a SIGKILL leaves "running", which --status checks against Slurm.
      const onSignal = (signal: NodeJS.Signals) => {
        endShardRun(path.join(opts.out, 'shards'), shard!, {
          error: { code: 'SHARD_TERMINATED', message: `terminated by ${signal} (cancelled, past its time limit, or stopped by the system)` },
        });
        bar?.stop();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      if (shard) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, onSignal);
      let result;
      try {
        result = await runStudy({
          manifest: opts.manifest,
          out: opts.out,
          protocol,
          jobs,
          shard,
          merge: opts.merge,
          splitOnly: opts.splitOnly,
          extractOnly: opts.extractOnly,
          onProgress,
        });
      } finally {
        bar?.stop();
        for (const signal of ['SIGTERM', 'SIGINT'] as const) process.off(signal, onSignal);
      }
      const counts = ['training', 'validation', 'external'].map((s) => `${s} ${result.split.filter((x) => x === s).length}`).join(', ');
      if (opts.splitOnly) {
        process.stdout.write(`wrote ${path.join(opts.out, 'split.csv')}: ${counts}\n`);
        return;
      }
      if (shard) {
        process.stdout.write(`shard ${shard.index}/${shard.count}: features of ${result.table?.ids.length} patients in ${path.join(opts.out, 'shards')}\n`);
        return;
      }
      if (opts.extractOnly || !result.bundle || !result.fit || !result.metrics) {
        process.stdout.write(`wrote ${path.join(opts.out, 'features.csv')}: ${result.table?.ids.length} patients × ${result.table?.names.length} features\n`);
        return;
      }
      const bundleFile = writeStudyOutputs(opts.out, result);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            {
              out: opts.out,
              bundle: bundleFile,
              contentSha256: result.bundle.contentSha256,
              split: counts,
              extraction: result.extraction,
              metrics: result.metrics.rows,
              oracle: result.metrics.oracle,
              delong: result.metrics.delong,
              findings: result.findings,
              seconds: result.seconds,
            },
            null,
            1,
          ) + '\n',
        );
        return;
      }
      process.stdout.write(
        [
          `${result.bundle.name}: ${counts}${result.extraction ? ` (features: ${result.extraction.extracted} extracted, ${result.extraction.cached} cached)` : ''}`,
          result.bundle.synthetic ? `  ${result.bundle.notice}` : '',
          '',
          metricsMarkdown(result.metrics),
          ...result.findings.filter((f) => f.severity !== 'info').map((f) => formatFinding(f)),
          `bundle ${bundleFile} (SHA-256 ${result.bundle.contentSha256})`,
          `tables, plots and nomogram in ${opts.out}; seconds: ${Object.entries(result.seconds)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')}`,
        ]
          .filter((l, i, all) => l !== '' || all[i - 1] !== '')
          .join('\n') + '\n',
      );
    });
}
