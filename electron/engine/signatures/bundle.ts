/**
 * The model bundle: everything needed to reproduce a prediction, frozen in one file — intended use
 * and its range, provenance (synthetic or institutional cohort, sizes, centres, prevalence), the
 * protocol, the radiomics parameter file, the backbone (card, ONNX bytes, reference slices), the MIL
 * vocabulary/IDF and PCA basis, every signature's scaler, features and coefficients, thresholds and
 * risk categories, the nomogram scales, metrics with CIs, and the training score distribution.
 *
 * The file is the bundle's canonical JSON (sorted keys, shortest round-trip numbers), so loading and
 * writing it again gives the same bytes. `contentSha256` is the SHA-256 of the canonical JSON of
 * everything else: it identifies the bundle (predictions store it), and a file whose content does
 * not hash to it is refused.
 */
import { writeFileAtomically } from '../core/atomic-write.js';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import type { ModelCard } from '../deep/model-card.js';
import type { Backbone } from '../deep/model-card.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { SignatureName, SignatureSet } from './fit-set.js';
import type { StudyProtocol } from './protocol.js';
import type { BundleRecalibration } from './recalibrate-bundle.js';
import type { CalibrationRow, DelongRow, MetricsRow } from './study-metrics.js';

export const BUNDLE_FORMAT = 'hilum-model-bundle/1';
export const SYNTHETIC_NOTICE = 'SYNTHETIC: trained on generated phantom data, not on patients. A demonstration, not for clinical use.';

export interface NomogramScales {
  pointsPerUnitXbeta: number;
  lpAtZeroPoints: number;
  /** `values` in each predictor's own unit; `scale: 'log'` when the model takes it as ln x (the ticks are then log-spaced). */
  axes: { name: string; label: string; values: number[]; points: number[]; scale?: 'log' }[];
  totalPointsAxis: number[];
  riskAxis: { points: number[]; risk: number[] };
}

export interface ModelBundle {
  format: typeof BUNDLE_FORMAT;
  name: string;
  createdAt: string;
  engineVersion: string;
  synthetic: boolean;
  notice: string;
  intendedUse: string;
  /** The range the training cohort covered; a bedside case outside it gets a warning. */
  intendedRange: { sliceThicknessMm: [number, number]; pixelSpacingMm: [number, number]; diameterMm?: [number, number] };
  provenance: {
    dataSource: 'synthetic' | 'institutional';
    manifest: string;
    manifestSha256: string;
    centres: Record<string, number>;
    cohorts: Record<string, { patients: number; events: number; centres: string[] }>;
    prevalence: number;
    /** Whether the training split's MIL features came from out-of-fold backbone outputs (cross-fitting). */
    deepOutOfFold: { used: boolean; folds: number; patients: number };
    /** A bundle derived from another (recalibrated at a site): the parent's name and content hash. */
    parent?: { name: string; contentSha256: string };
  };
  protocol: StudyProtocol;
  radiomics: {
    parameterFile: string;
    parameterText: string;
    extractionKey: string;
    /** The peritumoral step (radiomics/peritumoral.ts): ring width and its parameter file, when the study had one. */
    peritumoral?: { ringMm: number; parameterFile: string; parameterText: string };
  };
  backbone: {
    name: string;
    sha256: string;
    card: ModelCard;
    /** base64 of the ONNX file and of the reference input; the reference outputs as JSON text. */
    onnxBase64: string;
    referenceInputBase64: string;
    referenceOutput: string;
    extractionKey: string;
  };
  signatures: SignatureSet;
  thresholds: { youden: Record<SignatureName, number>; riskCategories: { cutoffs: number[]; names: string[] } };
  nomogram: NomogramScales;
  metrics: {
    rows: MetricsRow[];
    delong: DelongRow[];
    calibration: Omit<CalibrationRow, 'curve'>[];
    oracle: { split: string; auc: number; aucCi: [number, number] }[];
  };
  /** Training split: percentiles 0, 5, …, 100 of each signature's score and probability. */
  referenceDistribution: Record<SignatureName, { score: number[]; probability: number[] }>;
  /** Set on a bundle recalibrated at a site (recalibrate-bundle.ts): the method, a and b, and the site cohort's calibration before and after. */
  recalibration?: BundleRecalibration;
  contentSha256: string;
}

export type UnsealedBundle = Omit<ModelBundle, 'contentSha256'>;

/** Seals a bundle: computes its content hash. */
export function sealBundle(bundle: UnsealedBundle): ModelBundle {
  const content = JSON.parse(canonicalJson(bundle)) as UnsealedBundle;
  return { ...content, contentSha256: sha256Hex(canonicalJson(content)) };
}

export function serializeBundle(bundle: ModelBundle): string {
  return canonicalJson(bundle) + '\n';
}

/** Writes the bundle file atomically; returns its content hash. */
export function writeBundle(file: string, bundle: ModelBundle): string {
  writeFileAtomically(file, serializeBundle(bundle));
  return bundle.contentSha256;
}

/** Parses and verifies a bundle's text: its format, and that its content hashes to its contentSha256 (and to `expectedSha256` when given). */
export function parseBundle(text: string, source = 'bundle', expectedSha256?: string): ModelBundle {
  let raw: ModelBundle;
  try {
    raw = JSON.parse(text) as ModelBundle;
  } catch (error) {
    throw new HilumError({ code: 'BUNDLE_INVALID', message: `${source} is not a Hilum model bundle (not JSON: ${(error as Error).message})` });
  }
  if (!raw || raw.format !== BUNDLE_FORMAT)
    throw new HilumError({
      code: 'BUNDLE_INVALID',
      message: `${source} is not a Hilum model bundle of format ${BUNDLE_FORMAT}`,
      data: { format: raw?.format },
    });
  const { contentSha256, ...content } = raw;
  const actual = sha256Hex(canonicalJson(content));
  if (actual !== contentSha256)
    throw new HilumError({
      code: 'BUNDLE_TAMPERED',
      message: `${source} has been changed since it was made (its content hashes to ${actual.slice(0, 12)}…, it claims ${String(contentSha256).slice(0, 12)}…); it will not be used`,
      hint: 'Use the bundle file as the study wrote it, or re-run the study.',
    });
  if (expectedSha256 && actual !== expectedSha256)
    throw new HilumError({ code: 'BUNDLE_MISMATCH', message: `${source} is bundle ${actual.slice(0, 12)}…, not the expected ${expectedSha256.slice(0, 12)}…` });
  if (sha256Hex(Buffer.from(raw.backbone.onnxBase64, 'base64')) !== raw.backbone.sha256)
    throw new HilumError({ code: 'BUNDLE_TAMPERED', message: `${source}: its backbone does not hash to the SHA-256 it records` });
  return raw;
}

export function readBundle(file: string, expectedSha256?: string): ModelBundle {
  if (!existsSync(file)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `model bundle ${file} does not exist` });
  return parseBundle(readFileSync(file, 'utf8'), file, expectedSha256);
}

/** The backbone's files, for embedding in a bundle. */
export function embedBackbone(b: Backbone, extractionKey: string): ModelBundle['backbone'] {
  return {
    name: b.card.name,
    sha256: b.sha256,
    card: b.card,
    onnxBase64: Buffer.from(b.onnxBytes).toString('base64'),
    referenceInputBase64: Buffer.from(readFileSync(path.join(b.dir, b.card.reference.input))).toString('base64'),
    referenceOutput: readFileSync(path.join(b.dir, b.card.reference.output), 'utf8'),
    extractionKey,
  };
}

/** Writes a bundle's backbone as a model folder (card.json, ONNX, reference files) under `root`/<sha256>, once; returns the folder. */
export function unpackBackbone(bundle: ModelBundle, root: string): string {
  const dir = path.join(root, bundle.backbone.sha256);
  if (existsSync(path.join(dir, 'card.json'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  const card = bundle.backbone.card;
  writeFileSync(path.join(partial, card.onnx.file), Buffer.from(bundle.backbone.onnxBase64, 'base64'));
  writeFileSync(path.join(partial, card.reference.input), Buffer.from(bundle.backbone.referenceInputBase64, 'base64'));
  writeFileSync(path.join(partial, card.reference.output), bundle.backbone.referenceOutput);
  writeFileSync(path.join(partial, 'card.json'), JSON.stringify(card, null, 1) + '\n');
  renameSync(partial, dir);
  return dir;
}
