/**
 * The bedside prediction: one patient's CT (+ a mask, or a click on the nodule) and clinical data →
 * every signature of a model bundle → a calibrated probability with its 95 % interval, a risk
 * category by the bundle's cut-offs, the patient's place in the training score distribution and the
 * nomogram points — with the case checked against the bundle's intended use. The computation is the
 * one the cohort study ran (same radiomics parameters, same 2.5D bag, same MIL aggregation, same
 * signature code), so a training patient predicted here gets the batch's numbers to the last bit.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { type BackboneSession, inferBag, openBackbone } from '../deep/backbone-session.js';
import { loadBackbone } from '../deep/model-card.js';
import { type SliceBag, sampleBag } from '../deep/sampler.js';
import { str } from '../imaging/dicom/dataset.js';
import { readDicomHeader } from '../imaging/dicom/parse.js';
import type { DicomSeries } from '../imaging/dicom/series.js';
import { loadVolume } from '../imaging/load.js';
import { importMask } from '../imaging/mask-import.js';
import type { Vec3 } from '../imaging/vec.js';
import type { LabelMap, Volume } from '../imaging/volume.js';
import { parseParameters } from '../radiomics/settings.js';
import { measureNodule, segmentNodule } from '../segmentation/index.js';
import type { NoduleMeasurements } from '../segmentation/measurements.js';
import type { ModelBundle } from '../signatures/bundle.js';
import { unpackBackbone } from '../signatures/bundle.js';
import { canonicalJson, sha256Hex } from '../signatures/canonical-json.js';
import { type ClinicalFile, checkClinicalInput } from '../signatures/clinical-input.js';
import { assertKnownBatch, clinicalBatch } from '../signatures/harmonisation.js';
import { SIGNATURE_NAMES, type SignatureName, applySignatureSet } from '../signatures/fit-set.js';
import { predictionInterval } from '../signatures/logistic-signature.js';
import {
  type MaskOrigin,
  PREDICTION_FORMAT,
  type PredictionRecord,
  type QualityWarning,
  type SignatureResult,
  bundleIdentity,
} from '../signatures/prediction-record.js';
import { deepColumns } from './cohort-features.js';
import { explainPrediction } from './explanation.js';
import { checkIntendedUse } from './intended-use.js';
import { radiomicsMaskOf } from './radiomics-mask.js';
import { bundlePeritumoral, extractCaseRadiomics } from './radiomics-regions.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';
import { appendAll } from '../core/append-all.js';

export const SIGNATURE_LABELS: Record<SignatureName, string> = {
  clinical: 'Clinical',
  radiomics: 'Radiomics',
  mil: 'MIL (2.5D deep)',
  dlrad: 'DLRad',
  combined: 'Combined (nomogram)',
};

export type BedsideStep = 'load' | 'segment' | 'radiomics' | 'deep' | 'signatures';

export interface BedsideRequest {
  /** DICOM folder or file, or a NIfTI/NRRD volume. */
  image: string;
  /** Which series, when the folder holds several. */
  series?: string;
  /** A mask file (NIfTI, NRRD, DICOM-SEG) — or a click on the nodule (LPS mm). */
  mask?: string;
  seedLps?: Vec3;
  /** How the workstation made the given mask (recorded with the prediction and printed on the report). */
  maskOrigin?: MaskOrigin;
  clinical: ClinicalFile;
  bundle: ModelBundle;
  /** Where the bundle's backbone is unpacked (once per backbone hash). */
  modelCache: string;
  /** Shown on the report when the clinical file names none: the image's file name. */
  patientPseudonym?: string;
  onStep?: (step: BedsideStep, seconds: number) => void;
}

export interface BedsideOutcome {
  record: PredictionRecord;
  /** Set when a GPU provider was tried and not used: for the operator's log, not the report (the provider is recorded). */
  gpuNotice: string | null;
  ct: Volume;
  mask: LabelMap;
  bag: SliceBag;
  series: DicomSeries | null;
  /** Seconds per step. */
  timings: Record<BedsideStep, number>;
  /** Normalised clinical values (for the store). */
  clinicalValues: Record<string, string | number>;
  /** The features the signatures read, with the SHA-256 of the settings (and engine) that produced them. */
  features: { radiomics: Record<string, number>; deep: Record<string, number>; radiomicsKey: string; deepKey: string };
}

/** One ONNX session per backbone hash in this process. */
const sessions = new Map<string, Promise<BackboneSession>>();

function sessionFor(bundle: ModelBundle, modelCache: string): Promise<BackboneSession> {
  let s = sessions.get(bundle.backbone.sha256);
  if (!s) {
    s = openBackbone(loadBackbone(unpackBackbone(bundle, modelCache)), undefined, 1);
    sessions.set(bundle.backbone.sha256, s);
    s.catch(() => sessions.delete(bundle.backbone.sha256));
  }
  return s;
}

/** SHA-256 of a typed array's bytes. */
function bytesSha256(a: ArrayBufferView): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

/** Linear interpolation of `x` in an increasing table of 21 percentiles (0, 5, …, 100) → percentile. */
export function percentileOf(x: number, table: readonly number[]): number {
  const step = 100 / (table.length - 1);
  if (x <= table[0]) return 0;
  if (x >= table[table.length - 1]) return 100;
  for (let k = 1; k < table.length; k++)
    if (x <= table[k]) {
      const span = table[k] - table[k - 1];
      return span > 0 ? step * (k - 1 + (x - table[k - 1]) / span) : step * k;
    }
  return 100;
}

/** Category of a probability by increasing cut-offs: names[i] for cutoffs[i-1] ≤ p < cutoffs[i]. */
export function riskCategory(p: number, cutoffs: readonly number[], names: readonly string[]): string {
  let k = 0;
  while (k < cutoffs.length && p >= cutoffs[k]) k++;
  return names[k];
}

/**
 * A patient's points on each nomogram axis, from the model-scale inputs `values` (what the
 * coefficients multiply). Each axis is linear in its model-scale predictor t (x, or ln x on a log
 * axis): points(x) = points(v₀) + sc·β·(t(x) − t(v₀)), with sc the bundle's points per unit xβ. The
 * value recorded is in the predictor's own unit.
 */
export function nomogramPoints(bundle: ModelBundle, values: Record<string, number>): PredictionRecord['nomogram'] {
  const combined = bundle.signatures.combined;
  const sc = bundle.nomogram.pointsPerUnitXbeta;
  const axes = bundle.nomogram.axes.map((a) => {
    const beta = combined.coefficients[combined.terms.indexOf(a.name)];
    const modelValue = values[a.name];
    const log = a.scale === 'log';
    const v0 = log ? Math.log(a.values[0]) : a.values[0];
    return { name: a.name, label: a.label, value: log ? Math.exp(modelValue) : modelValue, points: a.points[0] + sc * beta * (modelValue - v0) };
  });
  return { axes, totalPoints: axes.reduce((s, a) => s + a.points, 0) };
}

async function describeCase(loaded: { volume: Volume; series: DicomSeries | null }, image: string, pseudonym: string): Promise<PredictionRecord['case']> {
  const { volume, series } = loaded;
  const base = {
    patientPseudonym: pseudonym,
    sliceThicknessMm: +(series?.sliceThicknessMm ?? volume.spacingMm[2]).toFixed(3),
    pixelSpacingMm: [+volume.spacingMm[0].toFixed(3), +volume.spacingMm[1].toFixed(3)] as [number, number],
    dims: [...volume.dims] as [number, number, number],
    imageSource: path.basename(path.resolve(image)),
  };
  if (!series) return { ...base, contrast: 'unknown' };
  const first = readDicomHeader(series.instances[0].filePath).dataSet;
  const date = str(first, 'x00080020');
  return {
    ...base,
    studyDate: date && /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : undefined,
    studyInstanceUid: series.studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    seriesDescription: series.description || undefined,
    modality: series.modality,
    manufacturer: series.manufacturer || undefined,
    contrast: series.contrastAgent.trim() ? 'yes' : 'no',
    contrastAgent: series.contrastAgent.trim() || undefined,
  };
}

/** Runs the bedside prediction. Throws (before any heavy work) on clinical-input problems and on refusals of the image itself. */
export async function predictCase(req: BedsideRequest): Promise<BedsideOutcome> {
  if (!req.mask === !req.seedLps)
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give either a mask file or a seed point on the nodule, not both or neither' });
  const { bundle } = req;
  const timings = {} as Record<BedsideStep, number>;
  let t0 = performance.now();
  const lap = (step: BedsideStep) => {
    timings[step] = (performance.now() - t0) / 1000;
    req.onStep?.(step, timings[step]);
    t0 = performance.now();
  };
  // Clinical fields other than the measured ones are checked before the CT is even read.
  checkClinicalInput(bundle.signatures.clinicalEncoding, req.clinical, { diameter_mm: 10, solid_diameter_mm: 5, ctr: 0.5 });
  const harmonisation = bundle.signatures.harmonisation;
  if (harmonisation) assertKnownBatch(harmonisation, clinicalBatch(req.clinical.values, harmonisation), 'this patient');

  const loaded = await loadVolume(req.image, { series: req.series });
  const ct = loaded.volume;
  const pseudonym = req.clinical.patient.pseudonym ?? req.patientPseudonym ?? path.basename(path.resolve(req.image)).replace(/\.(nii\.gz|nii|nrrd|nhdr)$/i, '');
  const caseDescription = await describeCase(loaded, req.image, pseudonym);
  lap('load');

  let mask: LabelMap;
  let measurements: NoduleMeasurements;
  const warnings: QualityWarning[] = loaded.findings
    .filter((f) => f.severity === 'warning')
    .map((f) => ({ code: f.code, message: f.message, severity: 'warning' as const }));
  if (req.mask) {
    mask = (await importMask(req.mask, ct)).mask;
    if (!mask.voxels.some((v) => v !== 0)) throw new HilumError({ code: 'EMPTY_MASK', message: `the mask ${req.mask} holds no voxel of the nodule` });
    measurements = measureNodule(mask.voxels, ct, ct);
  } else {
    const seg = segmentNodule(ct, { seed: { worldLps: req.seedLps! } });
    mask = seg.mask;
    measurements = seg.measurements;
    for (const f of seg.findings) if (f.severity === 'warning') warnings.push({ code: f.code, message: f.message, severity: 'warning' });
  }
  const measured = { diameter_mm: measurements.longestAxialDiameterMm, solid_diameter_mm: measurements.solidDiameterMm, ctr: measurements.ctr };
  const clinical = checkClinicalInput(bundle.signatures.clinicalEncoding, req.clinical, measured);
  appendAll(warnings, clinical.warnings);
  appendAll(warnings, checkIntendedUse(bundle, caseDescription, measurements));
  lap('segment');

  const refusals = warnings.filter((w) => w.severity === 'refusal');
  const params = parseParameters(bundle.radiomics.parameterText, bundle.radiomics.parameterFile);
  const radiomicsMask = req.mask ? await radiomicsMaskOf(req.mask, ct) : mask;
  const radiomics = refusals.length ? {} : await extractCaseRadiomics(pseudonym, ct, radiomicsMask, params, bundlePeritumoral(bundle));
  lap('radiomics');

  const session = await sessionFor(bundle, req.modelCache);
  const bag = sampleBag(ct, mask, session.backbone.bagConfig);
  const inference = await inferBag(session, bag);
  const deep = deepColumns({ probabilities: inference.probabilities, features: inference.features.map((f) => Array.from(f)) });
  lap('deep');

  const binary = new Uint8Array(mask.voxels.length);
  for (let i = 0; i < binary.length; i++) binary[i] = mask.voxels[i] ? 1 : 0;
  const maskSha256 = bytesSha256(binary);
  const inputsSha256 = sha256Hex(
    canonicalJson({
      image: { voxels: bytesSha256(ct.voxels), dims: ct.dims, spacingMm: ct.spacingMm, originLps: ct.originLps, direction: ct.direction },
      mask: maskSha256,
      clinical: clinical.values,
    }),
  );
  let signatures: SignatureResult[] = [];
  let result: PredictionRecord['result'] = null;
  let nomogram: PredictionRecord['nomogram'] = { axes: [], totalPoints: 0 };
  let explanation: PredictionRecord['explanation'];
  if (!refusals.length) {
    const probabilityNames = Object.keys(deep).filter((k) => /^deep_p_\d+$/.test(k));
    const meanNames = Object.keys(deep).filter((k) => /^deep_mean_\d+$/.test(k));
    const applied = applySignatureSet(
      bundle.signatures,
      {
        clinical: clinical.values,
        radiomics,
        deep: { probabilities: probabilityNames.map((k) => deep[k]), meanFeatures: meanNames.map((k) => deep[k]) },
        batch: clinicalBatch(req.clinical.values, bundle.signatures.harmonisation),
      },
      pseudonym,
    );
    signatures = SIGNATURE_NAMES.map((name) => {
      const ref = bundle.referenceDistribution[name].score;
      return {
        name,
        label: SIGNATURE_LABELS[name],
        score: applied.score[name],
        probability: applied.probability[name],
        referenceScoreRange: [ref[1], ref[ref.length - 2]] as [number, number],
        scorePercentile: percentileOf(applied.score[name], ref),
      };
    });
    const combinedInputs: Record<string, number> = { ...applied.clinicalEncoded, dlrad_score: applied.score.dlrad };
    const interval = predictionInterval(bundle.signatures.combined, combinedInputs);
    const probability = applied.probability.combined;
    const { cutoffs, names } = bundle.thresholds.riskCategories;
    result = {
      probability,
      interval95: interval ? interval.probability : [probability, probability],
      category: riskCategory(probability, cutoffs, names),
      categoryCutoffs: [...cutoffs],
      categoryNames: [...names],
      threshold: bundle.thresholds.youden.combined,
      aboveThreshold: probability >= bundle.thresholds.youden.combined,
    };
    if (!interval)
      warnings.push({ code: 'NO_INTERVAL', severity: 'warning', message: 'this bundle records no coefficient covariance, so no 95 % interval can be given' });
    nomogram = nomogramPoints(bundle, combinedInputs);
    explanation = explainPrediction({
      bundle,
      bag,
      bagConfig: session.backbone.bagConfig,
      inference,
      clinicalEncoded: applied.clinicalEncoded,
      combinedInputs,
    });
    for (const a of bundle.nomogram.axes) {
      const v = a.scale === 'log' ? Math.exp(combinedInputs[a.name]) : combinedInputs[a.name];
      const lo = arrayMin(a.values);
      const hi = arrayMax(a.values);
      if (v < lo || v > hi)
        warnings.push({
          code: 'OUTSIDE_NOMOGRAM_AXIS',
          severity: 'warning',
          message: `${a.label} = ${+v.toFixed(3)} lies outside the range the model was trained on (${lo}–${hi}); the estimate extrapolates`,
        });
    }
  }
  lap('signatures');

  const record: PredictionRecord = {
    format: PREDICTION_FORMAT,
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    engineVersion: engineVersion(),
    bundle: bundleIdentity(bundle),
    provider: inference.provider,
    inputsSha256,
    case: caseDescription,
    segmentation: {
      method: req.mask ? 'given' : 'click',
      seedLps: req.seedLps,
      ...(req.mask && req.maskOrigin ? { origin: req.maskOrigin } : {}),
      maskSha256,
      volumeMl: measurements.volumeMl,
      longestAxialDiameterMm: measurements.longestAxialDiameterMm,
      solidDiameterMm: measurements.solidDiameterMm,
      ctr: measurements.ctr,
    },
    clinical: clinical.inputs,
    signatures,
    result,
    nomogram,
    bag: bag.slices.map((s, k) => ({ plane: s.plane, offset: s.offset, usedOffset: s.usedOffset, probability: inference.probabilities[k] })),
    ...(explanation ? { explanation } : {}),
    warnings,
  };
  return {
    record,
    gpuNotice: session.gpuNotice,
    ct,
    mask,
    bag,
    series: loaded.series,
    timings,
    clinicalValues: clinical.values,
    features: {
      radiomics,
      deep,
      radiomicsKey: sha256Hex(
        canonicalJson({
          parameters: bundle.radiomics.parameterText,
          ...(bundle.radiomics.peritumoral ? { peritumoral: bundle.radiomics.peritumoral } : {}),
          engine: engineVersion(),
        }),
      ),
      deepKey: sha256Hex(canonicalJson({ backbone: bundle.backbone.sha256, bag: session.backbone.bagConfig, engine: engineVersion() })),
    },
  };
}
