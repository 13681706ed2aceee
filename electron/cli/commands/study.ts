import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { endShardRun, parseShard } from '../../engine/pipeline/cohort-shards.js';
import { runStudy, type StudyStage } from '../../engine/pipeline/cohort-study.js';
import type { TrainingProgress } from '../../engine/pipeline/study-training.js';
import type { TrainerEvent } from '../../engine/deep/trainer-process.js';
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
  trainOnly?: boolean;
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
    .option(
      '--train-only',
      "with the protocol's deep.training: cut the training bags and train the backbone into <out>/backbone, then stop (before --slurm or shards)",
    )
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
      const progress = studyProgress();
      const onProgress = progress.onProgress;
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      // A shard stopped by a signal (scancel, a time limit, Ctrl-C) records so before it goes; a SIGKILL leaves "running", which --status checks against Slurm.
      const onSignal = (signal: NodeJS.Signals) => {
        endShardRun(path.join(opts.out, 'shards'), shard!, {
          error: { code: 'SHARD_TERMINATED', message: `terminated by ${signal} (cancelled, past its time limit, or stopped by the system)` },
        });
        progress.stop();
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
          trainOnly: opts.trainOnly,
          onProgress,
          onTrainingProgress: progress.onTraining,
          onTrainerEvent: progress.onTrainerEvent,
        });
      } finally {
        progress.stop();
        for (const signal of ['SIGTERM', 'SIGINT'] as const) process.off(signal, onSignal);
      }
      const counts = ['training', 'validation', 'external'].map((s) => `${s} ${result.split.filter((x) => x === s).length}`).join(', ');
      if (opts.splitOnly) {
        process.stdout.write(`wrote ${path.join(opts.out, 'split.csv')}: ${counts}\n`);
        return;
      }
      if (opts.trainOnly) {
        process.stdout.write(
          result.training
            ? `backbone ${result.training.reused ? 'already trained' : 'trained'} in ${result.training.dir}\n`
            : 'the protocol does not train the backbone (deep.training.enabled is not true): nothing to do\n',
        );
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

/**
 * The CLI's view of a study's progress on stderr: a bar for the training bags, the backbone
 * training (optimiser steps of every fold and the final model, with the model, epoch and loss) and
 * the feature extraction on a terminal; a line every 5 % otherwise (logs, Slurm).
 */
function studyProgress() {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: '{stage} |{bar}| {value}/{total} {unit}{detail}, ETA {eta_formatted}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const barred: Partial<Record<StudyStage, { label: string; unit: string }>> = {
    bags: { label: 'training bags', unit: 'patients' },
    train: { label: 'backbone', unit: 'steps' },
    extract: { label: 'features', unit: 'patients' },
  };
  let lastStage: StudyStage | null = null;
  let lastLogged = 0;
  let detail = '';
  const onProgress = (stage: StudyStage, done: number, total: number, failed: number) => {
    const shown = barred[stage];
    if (!shown) {
      if (stage !== lastStage) {
        bar?.stop();
        process.stderr.write(`${stage}…\n`);
      }
      lastStage = stage;
      return;
    }
    const extra = stage === 'extract' ? `, ${failed} failed` : detail;
    if (bar) {
      if (lastStage !== stage) {
        bar.stop();
        bar.start(total, 0, { stage: shown.label, unit: shown.unit, detail: extra });
      }
      bar.update(done, { stage: shown.label, unit: shown.unit, detail: extra });
      if (done === total) bar.stop();
    } else if (lastStage !== stage || done === total || done - lastLogged >= Math.max(1, Math.round(total / 20))) {
      process.stderr.write(`${shown.label}: ${done}/${total} ${shown.unit}${extra}\n`);
      lastLogged = done;
    }
    lastStage = stage;
  };
  return {
    onProgress,
    onTraining: (p: TrainingProgress) => {
      detail = ` (${p.model}, epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(3)})`;
    },
    onTrainerEvent: (e: TrainerEvent) => {
      const say = (text: string) => {
        if (bar && lastStage === 'train') bar.stop();
        process.stderr.write(text + '\n');
        if (bar && lastStage === 'train') lastStage = null;
      };
      if (e.type === 'start') say(`backbone training: PyTorch ${e.torch} on ${e.device} (${e.threads} thread(s)), ${e.patients} training patients`);
      else if (e.type === 'fold-done' && e.reused) say(`backbone training: ${e.model} already trained, reused`);
      else if (e.type === 'done')
        say(`backbone training: done in ${e.seconds.toFixed(0)} s (out-of-fold AUC ${e.outOfFoldAuc ?? '—'}, final model on training ${e.trainAuc ?? '—'})`);
    },
    stop: () => bar?.stop(),
  };
}
