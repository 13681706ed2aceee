/**
 * The `train` stage of a cohort study: the 2.5D bags of the training split's patients (and only
 * theirs) are cut by Hilum's own sampler into <study>/backbone/bags, then the PyTorch trainer
 * (deep/trainer-process.ts) cross-fits the backbone in folds and trains the final model into
 * <study>/backbone/model: ONNX, card, out-of-fold outputs. Both steps are keyed by what they depend
 * on, so a study run again on the same folder reuses the bags and the finished folds, and a
 * finished model needs no Python at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Finding, HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { exportCohortBags } from './cohort-bags.js';
import { parseBagConfig } from '../deep/bag-config.js';
import { type Backbone, loadBackbone, shippedBackboneDir } from '../deep/model-card.js';
import { type TrainerEvent, type TrainerRecipe, checkPytorch, runTrainer, trainerPython, trainerScript } from '../deep/trainer-process.js';
import type { DeepTrainingSettings, StudyProtocol } from '../signatures/protocol.js';
import type { SplitName } from '../signatures/split.js';
import { caseSource } from './cohort-features.js';
import type { CohortManifest } from './cohort-manifest.js';

/** Where a study keeps its trained backbone: bags and model. */
export function studyBackboneDirs(out: string): { root: string; bags: string; model: string } {
  const root = path.join(out, 'backbone');
  return { root, bags: path.join(root, 'bags'), model: path.join(root, 'model') };
}

/** Training progress for the CLI bar and the research page: optimiser steps of all models together. */
export interface TrainingProgress {
  step: number;
  total: number;
  /** 'fold 2/3' or 'final'. */
  model: string;
  epoch: number;
  epochs: number;
  loss: number;
}

export interface TrainingStageResult {
  backbone: Backbone;
  findings: Finding[];
  /** Whether a finished model with the same key was found (no training ran). */
  reused: boolean;
  seconds: { bags: number; train: number };
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** The recipe part of the protocol (the interpreter is where it runs, not what it trains). */
export function trainerRecipe(settings: DeepTrainingSettings): TrainerRecipe {
  const { enabled: _enabled, python: _python, ...recipe } = settings;
  return recipe;
}

/**
 * Trains (or reuses) the study's backbone. With `reuseOnly` (a shard of a cluster run, or its
 * merge), a missing or outdated model is an error instead: the training runs once, before the shards.
 */
export async function trainStudyBackbone(opts: {
  out: string;
  manifest: CohortManifest;
  split: SplitName[];
  protocol: StudyProtocol;
  reuseOnly?: boolean;
  /** Bags cut in parallel (worker threads). */
  jobs?: number;
  signal?: AbortSignal;
  onBagsProgress?: (done: number, total: number) => void;
  onTrainingProgress?: (p: TrainingProgress) => void;
  onTrainerEvent?: (e: TrainerEvent) => void;
}): Promise<TrainingStageResult> {
  const settings = opts.protocol.deep.training!;
  const dirs = studyBackboneDirs(opts.out);
  const cases = opts.manifest.cases.filter((_, i) => opts.split[i] === 'training');
  // The bags are cut as the shipped backbone's card says (so in-study and shipped models see the same
  // inputs), with the protocol's changes, if any.
  const shipped = loadBackbone(shippedBackboneDir());
  const bagConfig = settings.bag ? parseBagConfig({ ...shipped.bagConfig, ...settings.bag }, 'deep.training.bag') : shipped.bagConfig;
  const bagsKey = hash({ engine: engineVersion(), bagConfig, cases: cases.map((c) => [c.id, c.label, caseSource(c)]) });
  const recipe = trainerRecipe(settings);
  const initFrom = recipe.init === 'shipped' ? shipped : null;
  const shippedPooling = initFrom?.card.architecture.pooling ?? 'average';
  if (
    initFrom &&
    (recipe.architecture.family !== initFrom.card.architecture.family ||
      initFrom.card.architecture.stageWidths[0] !== recipe.architecture.width ||
      recipe.architecture.pooling !== shippedPooling)
  )
    throw new HilumError({
      code: 'PROTOCOL_INVALID',
      message: `deep.training.init: shipped fine-tunes the shipped backbone (${initFrom.card.architecture.family}, width ${initFrom.card.architecture.stageWidths[0]}, ${shippedPooling} pooling); the protocol asks for ${recipe.architecture.family}, width ${recipe.architecture.width}, ${recipe.architecture.pooling} pooling`,
      hint: 'Use the shipped architecture, or init: scratch.',
    });
  const key = hash({ engine: engineVersion(), trainer: hash(readFileSync(trainerScript(), 'utf8')), recipe, bagsKey, init: initFrom?.sha256 ?? null });
  const finished = finishedModel(dirs.model, key);
  const findings = initFrom ? initOverlap(initFrom, opts.manifest.cases) : [];
  if (finished) return { backbone: finished, findings, reused: true, seconds: { bags: 0, train: 0 } };
  if (opts.reuseOnly)
    throw new HilumError({
      code: 'STUDY_BACKBONE_NOT_TRAINED',
      message: `the protocol trains the backbone in the study, and ${dirs.model} holds no finished model for this split and recipe`,
      hint: 'Train it once before the shards: hilum study --manifest … --out … --protocol … --train-only.',
    });

  const python = trainerPython(settings.python);
  await checkPytorch(python);
  let t = performance.now();
  const bagsKeyFile = path.join(dirs.bags, 'bags-key.json');
  if (readKey(bagsKeyFile) !== bagsKey) {
    opts.onBagsProgress?.(0, cases.length);
    // Cut `jobs` at a time in worker threads (the extraction's), written in case order.
    await exportCohortBags(
      cases.map((c) => ({ id: c.id, centre: c.centre, label: c.label, image: c.image, mask: c.mask })),
      dirs.bags,
      bagConfig,
      opts.jobs ?? 2,
      (done, total) => {
        if (opts.signal?.aborted)
          throw new HilumError({
            code: 'STUDY_CANCELLED',
            message: 'the study was cancelled while the training bags were cut',
            hint: 'Start the study again to resume.',
          });
        opts.onBagsProgress?.(done, total);
      },
    );
    writeFileSync(bagsKeyFile, JSON.stringify({ key: bagsKey }) + '\n');
  }
  const bagsSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const synthetic = opts.protocol.dataSource === 'synthetic';
  await runTrainer(
    {
      bags: dirs.bags,
      out: dirs.model,
      trainIds: cases.map((c) => c.id),
      recipe,
      key,
      bagEngineVersion: engineVersion(),
      name: `${opts.protocol.name}-backbone`,
      notice: synthetic
        ? 'SYNTHETIC: trained on generated phantom data, not on patients. A demonstration, not for clinical use.'
        : `Trained in the Hilum cohort study ${opts.protocol.name} on its training split; validate locally before clinical use.`,
      ...(initFrom ? { initModel: initFrom.dir, initModelSha256: initFrom.sha256 } : {}),
      data: `the training split (${cases.length} patients) of ${path.basename(opts.manifest.file)}${synthetic ? ' (SYNTHETIC phantom cohort)' : ''}`,
    },
    {
      python,
      signal: opts.signal,
      onEvent: (e) => {
        opts.onTrainerEvent?.(e);
        if (e.type === 'progress') opts.onTrainingProgress?.({ step: e.step, total: e.total, model: e.model, epoch: e.epoch, epochs: e.epochs, loss: e.loss });
      },
    },
  );
  const backbone = loadBackbone(dirs.model);
  return { backbone, findings, reused: false, seconds: { bags: bagsSeconds, train: (performance.now() - t) / 1000 } };
}

/**
 * Fine-tuning starts every model, fold models included, from weights trained on the shipped
 * backbone's patients: those of them in this study make its out-of-fold (and, held out, its
 * validation and external) results optimistic. IDs repeat across phantom seeds, so this is a warning.
 */
function initOverlap(init: Backbone, cases: readonly CohortManifest['cases'][number][]): Finding[] {
  const trained = new Set(Array.isArray(init.card.training.trainIds) ? (init.card.training.trainIds as string[]) : []);
  const shared = cases.filter((c) => trained.has(c.id)).map((c) => c.id);
  if (!shared.length) return [];
  return [
    {
      code: 'STUDY_BACKBONE_INIT_OVERLAP',
      severity: 'warning',
      message: `deep.training.init: shipped starts from ${init.card.name}, whose training patients include ${shared.length} patient ID(s) of this study (e.g. ${shared.slice(0, 5).join(', ')}); if they are the same patients, the out-of-fold, validation and external results of the deep signatures are optimistic`,
      hint: 'Use init: scratch for a study of those patients.',
      data: { overlapping: shared.length },
    },
  ];
}

function readKey(file: string): string | null {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { key?: string }).key ?? null;
  } catch {
    return null;
  }
}

/** The model folder's backbone when it is complete and was trained with this key; null otherwise. */
function finishedModel(dir: string, key: string): Backbone | null {
  if (!existsSync(path.join(dir, 'card.json'))) return null;
  try {
    const backbone = loadBackbone(dir);
    return backbone.card.training.key === key ? backbone : null;
  } catch {
    return null;
  }
}
