/**
 * The record of one bedside prediction: everything needed to show it, print it, store it and
 * reproduce it — which bundle (hash), which engine, which execution provider, which inputs (their
 * hash), every signature's score and its place in the bundle's training distribution, the
 * calibrated probability with its 95 % interval and category, the nomogram points, and every
 * quality warning. The pipeline produces it; the store keeps it; the report prints it.
 */
import type { Vec3 } from '../imaging/vec.js';
import type { ModelBundle } from './bundle.js';
import type { SignatureName } from './fit-set.js';
import type { SignatureContributions } from './contributions.js';

export const PREDICTION_FORMAT = 'hilum-prediction/1';

export interface QualityWarning {
  code: string;
  message: string;
  /** `refusal`: the bundle says no prediction may be given for this case (then no probability is reported). */
  severity: 'warning' | 'refusal';
}

export interface ClinicalInputValue {
  /** The protocol's column name (e.g. `cea_ng_ml`). */
  field: string;
  label: string;
  /** As used by the model (numbers for numeric; 0/1 for binary; level for categorical). */
  value: number | string;
  /** Human form shown on screen and paper ("yes", "male", "1.86"). */
  display: string;
  unit?: string;
  /** `measured`: taken from the segmentation (diameter, CTR); `entered`: typed or imported. */
  source: 'entered' | 'measured';
}

export interface SignatureResult {
  name: SignatureName;
  label: string;
  score: number;
  probability: number;
  /** 5th and 95th percentiles of the score on the bundle's training split. */
  referenceScoreRange: [number, number];
  /** Percentile (0–100) of this patient's score in the training split's distribution. */
  scorePercentile: number;
}

export interface CaseDescription {
  patientPseudonym: string;
  studyDate?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  seriesDescription?: string;
  modality?: string;
  manufacturer?: string;
  sliceThicknessMm: number;
  pixelSpacingMm: [number, number];
  dims: [number, number, number];
  /** From (0018,0010) Contrast/Bolus Agent when the series is DICOM; `unknown` for NIfTI/NRRD. */
  contrast: 'yes' | 'no' | 'unknown';
  contrastAgent?: string;
  imageSource: string;
}

/**
 * Where a supplied mask came from, when the workstation made it: a click segmentation, an imported
 * file or a mask painted from nothing — and whether it was touched up by hand before the prediction.
 */
export interface MaskOrigin {
  origin: 'click' | 'imported' | 'painted';
  edited: boolean;
  seedLps?: Vec3;
}

export interface SegmentationDescription {
  method: 'given' | 'click';
  seedLps?: Vec3;
  /** For a given mask made in the workstation: how it was made (absent for a mask file given on the command line). */
  origin?: MaskOrigin;
  /** SHA-256 of the mask's voxels (uint8, x fastest) on the CT grid. */
  maskSha256: string;
  volumeMl: number;
  longestAxialDiameterMm: number;
  solidDiameterMm: number;
  ctr: number;
}

export interface PredictionRecord {
  format: typeof PREDICTION_FORMAT;
  id: string;
  createdAt: string;
  engineVersion: string;
  bundle: { name: string; contentSha256: string; synthetic: boolean; notice: string; backboneSha256: string; createdAt: string };
  /** ONNX Runtime execution provider that ran the backbone (`cpu`, `cuda`, …). */
  provider: string;
  /** SHA-256 of the canonical JSON of the model inputs (image voxels hash, mask hash, encoded clinical values). */
  inputsSha256: string;
  case: CaseDescription;
  segmentation: SegmentationDescription;
  clinical: ClinicalInputValue[];
  /** In the order clinical, radiomics, mil, dlrad, combined. */
  signatures: SignatureResult[];
  /** Null when the case was refused (see warnings). */
  result: {
    probability: number;
    /** 95 % interval from the combined model's coefficient covariance (Wald, on the logit scale). */
    interval95: [number, number];
    category: string;
    categoryCutoffs: number[];
    categoryNames: string[];
    /** The combined model's Youden threshold on the training split. */
    threshold: number;
    aboveThreshold: boolean;
  } | null;
  nomogram: { axes: { name: string; label: string; value: number; points: number }[]; totalPoints: number };
  /** The 2.5D bag: each slice's plane, requested and used axial offset (grid steps) and backbone probability. */
  bag: { plane: string; offset: number; usedOffset: number; probability: number }[];
  /** Why: the bag's class-activation maps and each input's contribution (absent in records made before they were recorded, and for refused cases). */
  explanation?: ExplanationRecord;
  warnings: QualityWarning[];
}

/** One bag slice's class-activation map on the backbone's feature grid, with what is needed to put it back on the CT. */
export interface CamSliceRecord {
  plane: string;
  usedOffset: number;
  /** Centre of the slice's crop (LPS mm); with the crop side and the bag configuration it gives the crop's grid (bagSliceGrid). */
  centreLps: Vec3;
  /** The backbone's slice logit, and (CAM only) mean(CAM) + b rebuilt from the map (equal to 1e-5). */
  logit: number;
  mapLogit?: number;
  /** height × width values, row-major (log-odds per feature cell). */
  values: number[];
}

export interface ExplanationRecord {
  /** The bundle's notice (SYNTHETIC for the demonstration model): printed wherever the maps appear. */
  notice: string;
  cam: {
    /** `cam` (pooled linear head) or `occlusion` (any other head: occlusion sensitivity, deep/occlusion.ts). */
    method: 'cam' | 'occlusion';
    /** CAM(i,j) = Σₖ wₖ·Aₖ(i,j), mean(CAM) + b = slice logit; or O(i,j) = logit − logit(cell occluded). */
    formula: string;
    bias: number;
    /** Occlusion only: the HU that replaced an occluded cell. */
    baselineHu?: number;
    height: number;
    width: number;
    cropSideMm: number;
    sizePx: number;
    spacingMm: number;
    slices: CamSliceRecord[];
    seconds: number;
  } | null;
  /** Why there is no class-activation map (the backbone's head is not global pooling + one linear layer); the map is then occlusion sensitivity. */
  camUnavailable?: string;
  /** For the logistic signatures (clinical, combined): βⱼ·(xⱼ − x̄ⱼ) in log-odds, largest first. */
  contributions: SignatureContributions[];
}

/** What a prediction records of the bundle that made it. */
export function bundleIdentity(bundle: ModelBundle): PredictionRecord['bundle'] {
  return {
    name: bundle.name,
    contentSha256: bundle.contentSha256,
    synthetic: bundle.synthetic,
    notice: bundle.notice,
    backboneSha256: bundle.backbone.sha256,
    createdAt: bundle.createdAt,
  };
}
