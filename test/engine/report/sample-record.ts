/**
 * Test material for the per-patient report: a realistic PredictionRecord built from the real demo
 * bundle's numbers (nomogram scales, reference distributions, thresholds, categories) without
 * running the pipeline, and a small chest-like phantom CT with a spherical part-solid nodule.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BAG_CONFIG } from '../../../electron/engine/deep/bag-config.js';
import { type SliceBag, sampleBag } from '../../../electron/engine/deep/sampler.js';
import type { Mat3, Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { LabelMap, Volume } from '../../../electron/engine/imaging/volume.js';
import { type ModelBundle, readBundle } from '../../../electron/engine/signatures/bundle.js';
import type { SignatureName } from '../../../electron/engine/signatures/fit-set.js';
import { PREDICTION_FORMAT, type PredictionRecord, bundleIdentity } from '../../../electron/engine/signatures/prediction-record.js';

export const DEMO_BUNDLE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/hilum-demo.bundle.json');

let cached: ModelBundle | undefined;
export function demoBundle(): ModelBundle {
  cached ??= readBundle(DEMO_BUNDLE_FILE);
  return cached;
}

/** Piecewise-linear interpolation of y(x) on a monotone (either direction) x grid, extrapolating linearly. */
function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  const asc = xs[xs.length - 1] >= xs[0];
  const X = asc ? xs : [...xs].reverse();
  const Y = asc ? ys : [...ys].reverse();
  let k = 0;
  while (k < X.length - 2 && x > X[k + 1]) k++;
  const t = (x - X[k]) / (X[k + 1] - X[k] || 1);
  return Y[k] + t * (Y[k + 1] - Y[k]);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** Percentile (0–100) of a score in a distribution given by its 0, 5, …, 100th percentiles. */
function percentileOf(grid: readonly number[], score: number): number {
  const ps = grid.map((_, i) => i * 5);
  return Math.min(100, Math.max(0, interp(grid, ps, score)));
}

export interface SampleOptions {
  /** Give the case a refusal: no result, a refusal warning. */
  refused?: boolean;
  /** Override the predictor values of the nomogram (by axis name). */
  values?: Partial<Record<string, number>>;
}

/**
 * A prediction as the pipeline would record it for a 64-year-old male smoker with a part-solid
 * 22 mm nodule: each nomogram predictor's points from the bundle's scales, the total, the
 * combined probability from the total (lp = lpAtZeroPoints + total / pointsPerUnitXbeta) with a
 * Wald-like interval, its category and the Youden threshold, and each signature's place in the
 * bundle's training distribution.
 */
export function sampleRecord(bundle: ModelBundle = demoBundle(), options: SampleOptions = {}): PredictionRecord {
  const values: Record<string, number> = {
    dlrad_score: -1.0,
    cea_ng_ml: 6.4,
    diameter_mm: 22.4,
    ctr: 0.68,
    spiculation: 0,
    vascular_convergence: 0,
    ...(options.values as Record<string, number>),
  };
  const axes = bundle.nomogram.axes.map((a) => {
    const value = values[a.name] ?? a.values[0];
    // A log axis is linear in ln x.
    const points = a.scale === 'log' ? interp(a.values.map(Math.log), a.points, Math.log(value)) : interp(a.values, a.points, value);
    return { name: a.name, label: a.label, value, points };
  });
  const totalPoints = axes.reduce((s, a) => s + a.points, 0);
  const lp = bundle.nomogram.lpAtZeroPoints + totalPoints / bundle.nomogram.pointsPerUnitXbeta;
  const probability = sigmoid(lp);
  const { cutoffs, names } = bundle.thresholds.riskCategories;
  const category = names[cutoffs.filter((c) => probability >= c).length];
  const threshold = bundle.thresholds.youden.combined;

  const scores: Record<SignatureName, number> = { clinical: -1.12, radiomics: -0.84, mil: -0.93, dlrad: values.dlrad_score, combined: lp };
  const labels: Record<SignatureName, string> = {
    clinical: 'Clinical',
    radiomics: 'Radiomics',
    mil: 'MIL (2.5D deep)',
    dlrad: 'DLRad',
    combined: 'Combined (nomogram)',
  };
  const signatures = (['clinical', 'radiomics', 'mil', 'dlrad', 'combined'] as const).map((name) => {
    const dist = bundle.referenceDistribution[name].score;
    return {
      name,
      label: labels[name],
      score: scores[name],
      probability: sigmoid(scores[name]),
      referenceScoreRange: [dist[1], dist[19]] as [number, number],
      scorePercentile: percentileOf(dist, scores[name]),
    };
  });

  const record: PredictionRecord = {
    format: PREDICTION_FORMAT,
    id: 'pred-20261128-0007',
    createdAt: '2026-11-28T09:41:12.000Z',
    engineVersion: bundle.engineVersion,
    bundle: bundleIdentity(bundle),
    provider: 'cpu',
    inputsSha256: '9d4f1c0b7e2a66a1c3f08d55b2e4a7f19c0e3b6d8a2f4c1e7b9d0a3c5e8f2b14',
    case: {
      patientPseudonym: 'LUNG-0427',
      studyDate: '2026-11-21',
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.1027',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.1027.3',
      seriesDescription: 'Thorax arterial phase 1.0 B31f',
      modality: 'CT',
      manufacturer: 'SIEMENS',
      sliceThicknessMm: 1,
      pixelSpacingMm: [0.68, 0.68],
      dims: [512, 512, 331],
      contrast: 'yes',
      contrastAgent: 'Iohexol 350',
      imageSource: 'DICOM series (331 files)',
    },
    segmentation: {
      method: 'click',
      seedLps: [-62.4, -18.3, -141.0],
      maskSha256: '4be1a0d9f3c27e58b61d0a4c9e7f2b3185c6d0e9a4b7f1c2d3e8a9b0c1d2e3f4',
      volumeMl: 3.18,
      longestAxialDiameterMm: values.diameter_mm,
      solidDiameterMm: Math.round(values.diameter_mm * values.ctr * 10) / 10,
      ctr: values.ctr,
    },
    clinical: [
      { field: 'age_years', label: 'Age', value: 64, display: '64', unit: 'years', source: 'entered' },
      { field: 'sex', label: 'Male sex', value: 1, display: 'male', source: 'entered' },
      { field: 'smoker', label: 'Smoking history', value: 1, display: 'yes', source: 'entered' },
      { field: 'cea_ng_ml', label: 'CEA', value: values.cea_ng_ml, display: values.cea_ng_ml.toFixed(1), unit: 'ng/mL', source: 'entered' },
      { field: 'cyfra_ng_ml', label: 'CYFRA 21-1', value: 2.9, display: '2.9', unit: 'ng/mL', source: 'entered' },
      { field: 'location', label: 'Central location', value: 0, display: 'peripheral', source: 'entered' },
      { field: 'diameter_mm', label: 'Tumour diameter', value: values.diameter_mm, display: values.diameter_mm.toFixed(1), unit: 'mm', source: 'measured' },
      { field: 'ctr', label: 'Consolidation-to-tumour ratio', value: values.ctr, display: values.ctr.toFixed(2), source: 'measured' },
      { field: 'lobulation', label: 'Lobulation', value: 1, display: 'yes', source: 'entered' },
      { field: 'spiculation', label: 'Spiculation', value: values.spiculation, display: values.spiculation ? 'yes' : 'no', source: 'entered' },
      { field: 'pleural_indentation', label: 'Pleural indentation', value: 1, display: 'yes', source: 'entered' },
      { field: 'vacuole', label: 'Vacuole sign', value: 0, display: 'no', source: 'entered' },
      { field: 'air_bronchogram', label: 'Air bronchogram', value: 1, display: 'yes', source: 'entered' },
      {
        field: 'vascular_convergence',
        label: 'Vascular convergence',
        value: values.vascular_convergence,
        display: values.vascular_convergence ? 'yes' : 'no',
        source: 'entered',
      },
    ],
    signatures,
    result: {
      probability,
      interval95: [sigmoid(lp - 1.96 * 0.27), sigmoid(lp + 1.96 * 0.27)],
      category,
      categoryCutoffs: cutoffs,
      categoryNames: names,
      threshold,
      aboveThreshold: probability >= threshold,
    },
    nomogram: { axes, totalPoints },
    bag: DEFAULT_BAG_CONFIG.offsets.map((offset, i) => ({ plane: 'axial', offset, usedOffset: offset, probability: sigmoid(logit(0.3) + 0.4 * Math.sin(i)) })),
    warnings: [
      {
        code: 'SLICE_THICKNESS_EDGE',
        message: 'Slice thickness 1.0 mm is at the edge of the range the model was trained on (1–1 mm).',
        severity: 'warning',
      },
    ],
  };
  if (options.refused) {
    record.result = null;
    record.warnings.push({
      code: 'OUT_OF_RANGE_DIAMETER',
      message: 'Tumour diameter 41.0 mm is outside the intended range 6.1–33.8 mm; no probability is given.',
      severity: 'refusal',
    });
  }
  return record;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PhantomCase {
  ct: Volume;
  mask: LabelMap;
  bag: SliceBag;
}

/**
 * A small chest-like CT (soft-tissue body, two lungs, a contrast-filled aorta, a vertebra, HU
 * noise) with a part-solid spherical nodule (solid core, ground-glass rim) in the right lung, its
 * mask (the sphere), and the 2.5D bag cut from them. Anisotropic voxels (0.78 × 0.78 × 1.5 mm) so
 * the views' aspect ratio is exercised.
 */
export function phantomCase(seed = 7): PhantomCase {
  const dims: Vec3 = [160, 128, 48];
  const spacingMm: Vec3 = [0.78, 0.78, 1.5];
  const direction: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const originLps = dims.map((d, a) => (-(d - 1) * spacingMm[a]) / 2) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  const ct: Volume = { dims, spacingMm, originLps, direction, voxels: new Int16Array(n) };
  const mask: LabelMap = { dims, spacingMm, originLps, direction, voxels: new Uint8Array(n) };
  const random = rng(seed);
  const nodule: Vec3 = [-27, -4, 2];
  const radius = 11;
  for (let k = 0, o = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, o++) {
        const x = originLps[0] + i * spacingMm[0];
        const y = originLps[1] + j * spacingMm[1];
        const z = originLps[2] + k * spacingMm[2];
        let hu = -1000;
        if ((x / 60) ** 2 + (y / 48) ** 2 <= 1) hu = 40;
        const lung = (cx: number) => ((x - cx) / 24) ** 2 + ((y + 2) / 34) ** 2 <= 1;
        if (lung(-30) || lung(30)) hu = -860;
        if ((x - 6) ** 2 + (y - 14) ** 2 <= 64) hu = 210;
        if (x ** 2 + (y - 36) ** 2 <= 100) hu = 650;
        const d = Math.hypot(x - nodule[0], y - nodule[1], z - nodule[2]);
        if (d <= radius) {
          hu = d <= radius * 0.62 ? 35 : -420;
          mask.voxels[o] = 1;
        }
        ct.voxels[o] = Math.round(hu + (random() - 0.5) * 60);
      }
  return { ct, mask, bag: sampleBag(ct, mask, DEFAULT_BAG_CONFIG) };
}
