/**
 * The cohort study (research workflow): manifest → split → features (extracted or from the cache;
 * or one shard of them; or the merged shards) → the five signatures fitted on training → the
 * paper's evaluation on training, validation and external test → the model bundle and the study
 * report. Every step's choices come from the protocol, which is frozen into the bundle.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../core/errors.js';
import { HilumError, isHilumError } from '../core/errors.js';
import { engineVersion, shippedDataRoot } from '../core/version.js';
import { type Backbone, loadBackbone, readOutOfFold, shippedBackboneDir } from '../deep/model-card.js';
import { readParameterFile } from '../radiomics/settings.js';
import { sha256Hex } from '../signatures/canonical-json.js';
import { type ModelBundle, type NomogramScales, SYNTHETIC_NOTICE, embedBackbone, sealBundle } from '../signatures/bundle.js';
import { deepOutputsFromColumns } from '../signatures/deep-features.js';
import { SIGNATURE_NAMES, type SignatureName, type SignatureSetFit, fitSignatureSet } from '../signatures/fit-set.js';
import type { StudyProtocol } from '../signatures/protocol.js';
import { manifestBatches } from '../signatures/harmonisation.js';
import { SPLITS, type SplitName, splitCohort } from '../signatures/split.js';
import { assertBinaryOutcome } from '../stats/validate.js';
import { evaluateStudy, type StudyMetrics } from '../signatures/study-metrics.js';
import { quantileType7 } from '../stats/descriptive.js';
import { buildNomogram } from '../stats/nomogram.js';
import { csvLine } from '../core/csv.js';
import {
  type ExtractionKeys,
  type FeatureTable,
  extractCohortFeatures,
  extractionKeys,
  featureTableFromCache,
  throwIfCancelled,
  writeFeatureTable,
} from './cohort-features.js';
import { type ShardSpec, endShardRun, mergeShardTables, shardCases, shardProvenance, shardTableName, startShardRun } from './cohort-shards.js';
import { type CohortManifest, casePath, readCohortManifest } from './cohort-manifest.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';
import type { TrainerEvent } from '../deep/trainer-process.js';
import { type TrainingProgress, studyBackboneDirs, trainStudyBackbone } from './study-training.js';
import { appendAll } from '../core/append-all.js';
import type { PeritumoralPlan } from './radiomics-regions.js';

export type StudyStage = 'bags' | 'train' | 'extract' | 'fit' | 'evaluate' | 'report';

export interface StudyOptions {
  manifest: string;
  out: string;
  protocol: StudyProtocol;
  jobs?: number;
  shard?: ShardSpec;
  merge?: boolean;
  splitOnly?: boolean;
  extractOnly?: boolean;
  /** Stop after the in-study backbone training (before extraction), e.g. before the shards of a cluster run. */
  trainOnly?: boolean;
  now?: Date;
  onProgress?: (stage: StudyStage, done: number, total: number, failed: number) => void;
  /** Before extraction: patients to extract and patients whose features the study folder already holds. */
  onExtractionPlan?: (todo: number, cached: number) => void;
  /** In-study backbone training: optimiser steps of all fold models and the final model together. */
  onTrainingProgress?: (p: TrainingProgress) => void;
  /** Every event the trainer reports (start with the PyTorch version and device, folds done or reused). */
  onTrainerEvent?: (e: TrainerEvent) => void;
  /** Cancels the study between patients and between stages (`STUDY_CANCELLED`); finished patients stay cached. */
  signal?: AbortSignal;
}

export interface StudyResult {
  manifest: CohortManifest;
  split: SplitName[];
  table?: FeatureTable;
  fit?: SignatureSetFit;
  metrics?: StudyMetrics;
  bundle?: ModelBundle;
  findings: Finding[];
  extraction?: { extracted: number; cached: number; failures: number };
  /** The in-study backbone training, when the protocol asks for it. */
  training?: { dir: string; reused: boolean };
  /** Whether the training split's MIL features came from out-of-fold backbone outputs. */
  outOfFold?: { used: boolean; folds: number; patients: number };
  seconds: Record<string, number>;
}

/** The built-in radiomics parameter file for CT cohort studies. */
export function defaultRadiomicsParameterFile(): string {
  return path.join(shippedDataRoot(), 'resources', 'radiomics', 'hilum-ct.yaml');
}

/** The built-in radiomics parameter file for the peritumoral ring. */
export function defaultPeritumoralParameterFile(): string {
  return path.join(shippedDataRoot(), 'resources', 'radiomics', 'hilum-ct-peritumoral.yaml');
}

/** The protocol's peritumoral step with its parameter file read (undefined without one). */
export function protocolPeritumoral(protocol: StudyProtocol): (PeritumoralPlan & { parameterFile: string }) | undefined {
  const p = protocol.radiomics.peritumoral;
  if (!p) return undefined;
  const parameterFile = p.parameterFile ?? defaultPeritumoralParameterFile();
  return { ringMm: p.ringMm, params: readParameterFile(parameterFile), parameterFile };
}

/**
 * The extraction keys of a protocol's study: what its cached features and shard tables must have
 * been extracted with. With in-study training the backbone is the study folder's (`out`), once trained.
 */
export function protocolExtractionKeys(protocol: StudyProtocol, out?: string): ExtractionKeys {
  const params = readParameterFile(protocol.radiomics.parameterFile ?? defaultRadiomicsParameterFile());
  const dir = protocol.deep.training?.enabled && out ? studyBackboneDirs(out).model : (protocol.deep.model ?? shippedBackboneDir());
  return extractionKeys(params, loadBackbone(dir), protocolPeritumoral(protocol));
}

/**
 * Runs the study. A shard's run is on record in the study folder from its start to its end (done,
 * or failed with the error), so `hilum study --status` can tell a finished shard from a killed one.
 */
export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  if (!opts.shard) return runStudySteps(opts);
  const shardsDir = path.join(opts.out, 'shards');
  startShardRun(shardsDir, opts.shard, opts.manifest);
  try {
    const result = await runStudySteps(opts);
    endShardRun(shardsDir, opts.shard, { patients: result.table?.ids.length ?? 0 });
    return result;
  } catch (error) {
    endShardRun(shardsDir, opts.shard, { error: { code: isHilumError(error) ? error.code : 'INTERNAL_ERROR', message: (error as Error).message } });
    throw error;
  }
}

async function runStudySteps(opts: StudyOptions): Promise<StudyResult> {
  const seconds: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    seconds[name] = (now - t) / 1000;
    t = now;
  };
  const { protocol } = opts;
  const manifest = readCohortManifest(opts.manifest);
  const split = splitCohort(manifest.cases, protocol.split);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(
    path.join(opts.out, 'split.csv'),
    'patient_id,centre,label,split\n' + manifest.cases.map((c, i) => `${c.id},${c.centre},${c.label},${split[i]}`).join('\n') + '\n',
  );
  const result: StudyResult = { manifest, split, findings: [], seconds };
  if (opts.splitOnly) return result;
  // A split without both outcome classes cannot be fitted or evaluated: say so before hours of extraction.
  for (const part of SPLITS) {
    const rows = split.flatMap((s, i) => (s === part ? [i] : []));
    if (rows.length)
      assertBinaryOutcome(
        `${protocol.outcome.column} in the ${part} split`,
        Float64Array.from(rows, (i) => manifest.cases[i].label),
        { rowIds: rows.map((i) => manifest.cases[i].id) },
      );
  }

  const parameterFile = protocol.radiomics.parameterFile ?? defaultRadiomicsParameterFile();
  const params = readParameterFile(parameterFile);
  let backbone: Backbone;
  if (protocol.deep.training?.enabled) {
    throwIfCancelled(opts.signal);
    const trained = await trainStudyBackbone({
      out: opts.out,
      manifest,
      split,
      protocol,
      reuseOnly: Boolean(opts.shard || opts.merge),
      jobs: opts.jobs,
      signal: opts.signal,
      onBagsProgress: (d, n) => opts.onProgress?.('bags', d, n, 0),
      onTrainingProgress: (p) => {
        opts.onProgress?.('train', p.step, p.total, 0);
        opts.onTrainingProgress?.(p);
      },
      onTrainerEvent: opts.onTrainerEvent,
    });
    backbone = trained.backbone;
    appendAll(result.findings, trained.findings);
    result.training = { dir: backbone.dir, reused: trained.reused };
    seconds.bags = trained.seconds.bags;
    seconds.train = trained.seconds.train;
    t = performance.now();
    if (opts.trainOnly) return result;
  } else backbone = loadBackbone(protocol.deep.model ?? shippedBackboneDir());
  const overlap = backboneOverlap(backbone, manifest, split);
  if (overlap) result.findings.push(overlap);
  const peritumoral = protocolPeritumoral(protocol);
  const keys = extractionKeys(params, backbone, peritumoral);
  const repeatColumn = protocol.radiomics.repeatMaskColumn.toLowerCase();
  const plan = {
    repeatMaskOf: (c: (typeof manifest.cases)[number]) => casePath(manifest, c, repeatColumn),
    radiomicsParams: params,
    ...(peritumoral ? { peritumoral: { ringMm: peritumoral.ringMm, params: peritumoral.params } } : {}),
    backbone,
    dir: opts.out,
  };

  let table: FeatureTable;
  if (opts.merge) {
    table = mergeShardTables(path.join(opts.out, 'shards'), manifest.cases, keys);
  } else {
    const cases = shardCases(manifest.cases, opts.shard);
    const r = await extractCohortFeatures(
      { ...plan, cases },
      {
        jobs: opts.jobs,
        onProgress: (d, n, f) => opts.onProgress?.('extract', d, n, f),
        onPlan: opts.onExtractionPlan,
        signal: opts.signal,
      },
    );
    result.extraction = { extracted: r.extracted, cached: r.cached, failures: r.failures.length };
    if (r.failures.length) {
      const file = path.join(opts.out, 'extraction-failures.csv');
      writeFileSync(file, csvLine(['patient_id', 'code', 'message']) + r.failures.map((f) => csvLine([f.id, f.code, f.message])).join(''));
      throw new HilumError({
        code: 'STUDY_EXTRACTION_FAILURES',
        message: `features of ${r.failures.length} of ${cases.length} patient(s) could not be extracted (first: ${r.failures[0].id}: ${r.failures[0].message}); all are listed in ${file}`,
        hint: 'Fix or remove those patients in the manifest and run the same command again: finished cases are cached.',
        data: { failures: r.failures.slice(0, 20) },
      });
    }
    table = featureTableFromCache(opts.out, cases, keys, plan.repeatMaskOf);
    if (opts.shard) {
      writeFeatureTable(path.join(opts.out, 'shards', shardTableName(opts.shard)), table, shardProvenance(opts.shard, cases));
      lap('extract');
      result.table = table;
      return result;
    }
  }
  writeFeatureTable(path.join(opts.out, 'features.csv'), table);
  result.table = table;
  lap('extract');
  if (opts.extractOnly) return result;

  // Fit on training.
  throwIfCancelled(opts.signal);
  opts.onProgress?.('fit', 0, 1, 0);
  const radiomicsNames = table.names.filter((n) => !n.startsWith('deep_'));
  const columnIndex = new Map(table.names.map((n, j) => [n, j]));
  const radiomics = Object.fromEntries(radiomicsNames.map((n) => [n, Float64Array.from(table.rows, (r) => r[columnIndex.get(n)!])]));
  const rowOf = new Map(table.ids.map((id, i) => [id, i]));
  const deep = table.rows.map((r) => deepOutputsFromColumns(table.names, (n) => r[columnIndex.get(n)!]));
  result.outOfFold = useOutOfFold(backbone, protocol, table, split, deep, result.findings);
  const fit = fitSignatureSet(
    {
      ids: table.ids,
      y: Float64Array.from(manifest.cases, (c) => c.label),
      split,
      clinicalValues: manifest.cases.map((c) => c.values),
      radiomics,
      radiomicsNames,
      deep,
      batch: manifestBatches(manifest.cases, protocol.harmonisation?.batchColumn),
      repeat: new Map([...table.repeat].map(([id, v]) => [rowOf.get(id)!, v])),
    },
    protocol,
  );
  result.fit = fit;
  appendAll(result.findings, fit.findings);
  lap('fit');
  throwIfCancelled(opts.signal);
  opts.onProgress?.('evaluate', 0, 1, 0);
  const latent = manifest.cases.map((c) => c.latentProbability);
  const metrics = evaluateStudy(
    manifest.cases.map((c) => c.label),
    split,
    fit.scores.probability,
    latent.every((v) => v !== undefined) ? latent : undefined,
  );
  result.metrics = metrics;
  result.bundle = buildBundle(opts, manifest, split, table, fit, metrics, backbone, parameterFile, keys, result.outOfFold);
  lap('evaluate');
  return result;
}

/**
 * A backbone trained on patients that the study holds out would leak them into validation and
 * test. Patient IDs are compared (the card lists its training IDs); IDs can repeat across cohorts
 * (phantom cohorts of other seeds reuse A0001…), so an overlap is reported, prominently, not refused.
 */
function backboneOverlap(backbone: Backbone, manifest: CohortManifest, split: SplitName[]): Finding | null {
  const trainIds = backbone.card.training.trainIds;
  if (!Array.isArray(trainIds)) return null;
  const trained = new Set(trainIds as string[]);
  const leaked = manifest.cases.filter((c, i) => split[i] !== 'training' && trained.has(c.id)).map((c) => c.id);
  if (!leaked.length) return null;
  return {
    code: 'STUDY_BACKBONE_OVERLAP',
    severity: 'warning',
    message: `the backbone ${backbone.card.name} lists ${leaked.length} training patient ID(s) that this study holds out for validation or external test (e.g. ${leaked.slice(0, 5).join(', ')}); if they are the same patients, the MIL, DLRad and combined results there are optimistic`,
    hint: 'Train the backbone in the study, on its own training split: protocol deep.training.enabled: true (docs/deep.md).',
    data: { overlapping: leaked.length },
  };
}

/**
 * Cross-fitting: the backbone has seen every training patient, so its outputs for them are
 * optimistic, and signatures fitted on them over-trust the deep features. When the backbone ships
 * out-of-fold probabilities for every training patient (protocol deep.outOfFold: auto), the
 * training rows use those instead (in place); validation and external rows keep the final model's.
 */
function useOutOfFold(
  backbone: Backbone,
  protocol: StudyProtocol,
  table: FeatureTable,
  split: SplitName[],
  deep: { probabilities: number[]; meanFeatures: number[] }[],
  findings: Finding[],
): { used: boolean; folds: number; patients: number } {
  const ids = table.ids;
  const folds = backbone.card.outOfFold?.folds ?? 0;
  if (protocol.deep.outOfFold === 'off' || !folds) return { used: false, folds, patients: 0 };
  const oof = readOutOfFold(backbone);
  const training = ids.flatMap((id, i) => (split[i] === 'training' ? [i] : []));
  // Matched by the bag's SHA-256, not only the ID: phantom cohorts of other seeds reuse IDs.
  const lacking = training.filter((i) => {
    const o = oof.get(ids[i]);
    return !o || o.bag !== table.bagSha256[i] || o.p.length !== deep[i].probabilities.length;
  });
  if (lacking.length) {
    findings.push({
      code: 'DEEP_OUT_OF_FOLD_UNUSED',
      severity: 'warning',
      message: `the backbone's out-of-fold outputs do not cover ${lacking.length} of the ${training.length} training patients (e.g. ${ids[lacking[0]]}; matched by ID and bag SHA-256); the training split uses the final model's outputs, which are optimistic for patients the backbone was trained on`,
      hint: 'Train the backbone in the study, on its own split: protocol deep.training.enabled: true (docs/deep.md).',
    });
    return { used: false, folds, patients: 0 };
  }
  for (const i of training) deep[i].probabilities = oof.get(ids[i])!.p;
  findings.push({
    code: 'DEEP_OUT_OF_FOLD',
    severity: 'info',
    message: `MIL features of the ${training.length} training patients come from out-of-fold backbone outputs (${folds} folds)${protocol.deep.pcaComponents ? '; the deep principal components still use the final model' : ''}`,
  });
  return { used: true, folds, patients: training.length };
}

const PERCENTILES = Array.from({ length: 21 }, (_, k) => k / 20);

function buildBundle(
  opts: StudyOptions,
  manifest: CohortManifest,
  split: SplitName[],
  table: FeatureTable,
  fit: SignatureSetFit,
  metrics: StudyMetrics,
  backbone: Backbone,
  parameterFile: string,
  keys: { radiomics: string; deep: string },
  outOfFold: { used: boolean; folds: number; patients: number },
): ModelBundle {
  // Where the study ran (its cluster resources) is no part of the model.
  const { slurm: _slurm, ...protocol } = opts.protocol;
  const peritumoral = protocolPeritumoral(protocol);
  const trainRows = split.flatMap((s, i) => (s === 'training' ? [i] : []));
  // Rounded to 0.001 (mm): DICOM spacings computed from positions carry floating-point noise.
  const range = (values: number[]): [number, number] => [Math.round(arrayMin(values) * 1000) / 1000, Math.round(arrayMax(values) * 1000) / 1000];
  const centres: Record<string, number> = {};
  for (const c of manifest.cases) centres[c.centre] = (centres[c.centre] ?? 0) + 1;
  const cohorts: ModelBundle['provenance']['cohorts'] = {};
  for (const part of ['training', 'validation', 'external'] as const) {
    const rows = split.flatMap((s, i) => (s === part ? [i] : []));
    if (rows.length)
      cohorts[part] = {
        patients: rows.length,
        events: rows.reduce((s, i) => s + manifest.cases[i].label, 0),
        centres: [...new Set(rows.map((i) => manifest.cases[i].centre))].sort(),
      };
  }
  const diameters = trainRows.map((i) => Number(manifest.cases[i].values.diameter_mm)).filter(Number.isFinite);
  const referenceDistribution = {} as ModelBundle['referenceDistribution'];
  for (const s of SIGNATURE_NAMES)
    referenceDistribution[s] = {
      score: quantileType7(
        Float64Array.from(trainRows, (i) => fit.scores.score[s][i]),
        PERCENTILES,
      ),
      probability: quantileType7(
        Float64Array.from(trainRows, (i) => fit.scores.probability[s][i]),
        PERCENTILES,
      ),
    };
  const synthetic = protocol.dataSource === 'synthetic';
  return sealBundle({
    format: 'hilum-model-bundle/1',
    name: protocol.name,
    createdAt: (opts.now ?? new Date()).toISOString(),
    engineVersion: engineVersion(),
    synthetic,
    notice: synthetic ? SYNTHETIC_NOTICE : `Trained on the institutional cohort ${path.basename(manifest.file)}; validate locally before clinical use.`,
    intendedUse: protocol.intendedUse,
    intendedRange: {
      sliceThicknessMm: range(trainRows.map((i) => table.spacing[i][2])),
      pixelSpacingMm: range(trainRows.map((i) => table.spacing[i][0])),
      ...(diameters.length ? { diameterMm: range(diameters) } : {}),
    },
    provenance: {
      dataSource: protocol.dataSource,
      manifest: path.basename(manifest.file),
      manifestSha256: sha256Hex(readFileSync(manifest.file)),
      centres,
      cohorts,
      prevalence: manifest.cases.reduce((s, c) => s + c.label, 0) / manifest.cases.length,
      deepOutOfFold: outOfFold,
    },
    // File paths of this machine stay out of the bundle: the files' content is inside it.
    protocol: {
      ...protocol,
      radiomics: {
        ...protocol.radiomics,
        ...(protocol.radiomics.parameterFile ? { parameterFile: path.basename(protocol.radiomics.parameterFile) } : {}),
        ...(protocol.radiomics.peritumoral?.parameterFile
          ? { peritumoral: { ...protocol.radiomics.peritumoral, parameterFile: path.basename(protocol.radiomics.peritumoral.parameterFile) } }
          : {}),
      },
      deep: {
        ...protocol.deep,
        ...(protocol.deep.model ? { model: path.basename(protocol.deep.model) } : {}),
        ...(protocol.deep.training ? { training: trainerSettingsForBundle(protocol.deep.training) } : {}),
      },
    },
    radiomics: {
      parameterFile: path.basename(parameterFile),
      parameterText: readFileSync(parameterFile, 'utf8'),
      extractionKey: keys.radiomics,
      ...(peritumoral
        ? {
            peritumoral: {
              ringMm: peritumoral.ringMm,
              parameterFile: path.basename(peritumoral.parameterFile),
              parameterText: readFileSync(peritumoral.parameterFile, 'utf8'),
            },
          }
        : {}),
    },
    backbone: embedBackbone(backbone, keys.deep),
    signatures: fit.set,
    thresholds: { youden: metrics.thresholds, riskCategories: protocol.riskCategories },
    nomogram: nomogramScales(fit, trainRows, protocol),
    metrics: { rows: metrics.rows, delong: metrics.delong, calibration: metrics.calibration.map(({ curve: _curve, ...rest }) => rest), oracle: metrics.oracle },
    referenceDistribution,
  });
}

/** The training settings as the bundle records them: the interpreter's path is this machine's, not the model's. */
function trainerSettingsForBundle(settings: NonNullable<StudyProtocol['deep']['training']>): NonNullable<StudyProtocol['deep']['training']> {
  const { python: _python, ...rest } = settings;
  return rest;
}

/** The combined model's nomogram (rms::nomogram conventions), axis ranges from the training split. */
function nomogramScales(fit: SignatureSetFit, trainRows: number[], protocol: StudyProtocol): NomogramScales {
  const c = fit.set.combined;
  const enc = fit.set.clinicalEncoding;
  const data: Record<string, Float64Array> = {};
  const columnsByName: Record<string, ArrayLike<number>> = { dlrad_score: fit.scores.score.dlrad };
  for (const term of c.terms) if (term !== 'dlrad_score') columnsByName[term] = clinicalColumn(fit, term);
  for (const term of c.terms) data[term] = Float64Array.from(trainRows, (i) => columnsByName[term][i]);
  const axisScale = Object.fromEntries(enc.variables.filter((v) => v.transform === 'log' && c.terms.includes(v.column)).map((v) => [v.column, 'log' as const]));
  const nomo = buildNomogram({ intercept: c.intercept, coefficients: Object.fromEntries(c.terms.map((t, j) => [t, c.coefficients[j]])) }, data, { axisScale });
  const labelOf = (term: string) => {
    if (term === 'dlrad_score') return 'DLRad score';
    const [column, level] = term.split('=');
    const v = enc.variables.find((x) => x.column === column) ?? protocol.clinical.variables.find((x) => x.column === column);
    const base = v?.label ?? column;
    return `${base}${level ? `: ${level}` : ''}${v?.unit ? ` (${v.unit})` : ''}`;
  };
  return {
    pointsPerUnitXbeta: nomo.pointsPerUnitXbeta,
    lpAtZeroPoints: nomo.lpAtZeroPoints,
    axes: nomo.axes.map((a) => ({ name: a.name, label: labelOf(a.name), values: a.values, points: a.points, ...(a.scale ? { scale: a.scale } : {}) })),
    totalPointsAxis: nomo.totalPointsAxis,
    riskAxis: nomo.riskAxis,
  };
}

function clinicalColumn(fit: SignatureSetFit, term: string): Float64Array {
  const col = fit.clinicalColumns[term];
  if (!col) throw new HilumError({ code: 'FEATURE_MISSING', message: `no clinical column ${term}` });
  return col;
}

export type { SignatureName };
