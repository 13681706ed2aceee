import type { Finding } from '../core/errors.js';
import type { WorkerPool } from '../core/worker-pool.js';
import type { ScalarArray, ScalarImage } from '../imaging/volume.js';
import type { Vec3 } from '../imaging/vec.js';
import { type Diagnostics, configurationDiagnostics, imageDiagnostics, maskDiagnostics, versionDiagnostics } from './diagnostics.js';
import { enabledFeatures } from './feature-names.js';
import { shapeFeatures } from './features/shape.js';
import { shape2DFeatures } from './features/shape2d.js';
import { type FilterDomain, regionOfDomain } from './filters/domain.js';
import { type DerivedImage, filterReach, planImages } from './filters/image-types.js';
import { type ClassPlan, type NamedFeatures, derivedImageFeatures } from './image-features.js';
import { assertRoiExtent, checkMask, labelNotFound } from './preprocess/mask-checks.js';
import { normalizeImage } from './preprocess/normalize.js';
import { cropImage, padBox, resampleToSpacing } from './preprocess/resample.js';
import { resegmentRoi } from './preprocess/resegment.js';
import { type RoiMask, boxSize, cropRoi, labelExtent, roiExtent, roiFromLabels } from './preprocess/roi-mask.js';
import { PyInt, type PyValue } from './python-repr.js';
import {
  type ParameterSet,
  type SettingsMap,
  type SettingsRepr,
  defaultParameterSet,
  extractionSettings,
  extractionSettingsRepr,
  resolveSettings,
} from './settings.js';
import { appendAll } from '../core/append-all.js';

/**
 * Radiomics extraction for one image and mask, step for step as PyRadiomics'
 * RadiomicsFeatureExtractor.execute (3.1):
 *
 *  1. load: the label must be present; diagnostics of the image and mask as given;
 *  2. normalise (whole image), then resample to `resampledPixelSpacing` (cropping to the ROI box
 *     + padDistance) or, with preCrop, crop;
 *  3. check the mask (geometry, label, minimum dimensions/size; correctMask resamples it);
 *  4. re-segment by intensity if `resegmentRange` is set, and check again;
 *  5. shape (3D, and 2D with force2D) on the original mask within the final box — or the
 *     re-segmented mask with `resegmentShape`;
 *  6. for every derived image (original, wavelet sub-bands, LoG σs, …): filter the image, crop the
 *     response to the box and compute every other enabled class.
 *
 * Feature names are PyRadiomics' (`original_glcm_Contrast`, `wavelet-LLH_firstorder_Mean`, …),
 * diagnostics (`diagnostics_*`) come first. Step 6 runs in worker threads when a pool is given.
 */
export interface RadiomicsInput {
  /** Names the case in messages and outputs (case ID, or the image file name). */
  caseId: string;
  /** The image as read (its pixel type is kept, as SimpleITK keeps it). */
  image: ScalarImage;
  /** The label image as read. */
  mask: ScalarImage;
}

export interface ExtractOptions {
  params?: ParameterSet;
  /** Overrides the parameter file's label. */
  label?: number;
  /** Worker threads for the derived images; computed in this thread without one. */
  pool?: WorkerPool;
}

export interface RadiomicsResult {
  caseId: string;
  diagnostics: Diagnostics;
  features: Record<string, number>;
  findings: Finding[];
}

export async function extractRadiomics(input: RadiomicsInput, options: ExtractOptions = {}): Promise<RadiomicsResult> {
  const params = options.params ?? defaultParameterSet();
  const overrides: SettingsMap = options.label === undefined ? {} : { label: options.label };
  const settings = extractionSettings(params, overrides);
  const settingsRepr = extractionSettingsRepr(params, options.label === undefined ? {} : { label: new PyInt(options.label) });
  const s = resolveSettings(settings);
  const caseName = input.caseId;
  const findings: Finding[] = [];
  const diagnostics: Diagnostics = {};
  const record = (d: Diagnostics) => {
    if (s.additionalInfo) Object.assign(diagnostics, d);
  };

  // 1. Load.
  const original = labelExtent(input.mask, s.label);
  if (!original.box) throw labelNotFound(input.mask, s.label, caseName);
  record(versionDiagnostics());
  record(configurationDiagnostics(settingsRepr as Record<string, PyValue>, imageTypesRepr(params)));
  record(imageDiagnostics(input.image, 'original'));
  record(maskDiagnostics('original', input.mask, roiFromLabels(input.mask, s.label, original.box), input.mask, null));

  // 2. Pre-process.
  let image: ScalarImage = s.normalize ? normalizeImage(input.image, s.normalizeScale, s.removeOutliers) : input.image;
  let mask = input.mask;
  const checkSettings = {
    label: s.label,
    minimumROIDimensions: s.minimumROIDimensions,
    minimumROISize: s.minimumROISize,
    correctMask: s.correctMask,
    geometryTolerance: s.geometryTolerance,
  };
  if (s.interpolator !== null && s.resampledPixelSpacing !== null) {
    ({ image, mask } = resampleToSpacing(
      image,
      mask,
      { resampledPixelSpacing: s.resampledPixelSpacing, interpolator: s.interpolator, padDistance: s.padDistance, label: s.label },
      caseName,
    ));
    const e = labelExtent(mask, s.label);
    if (!e.box) throw labelNotFound(mask, s.label, caseName);
    record(imageDiagnostics(image, 'interpolated'));
    record(maskDiagnostics('interpolated', mask, roiFromLabels(mask, s.label, e.box), null, image));
  } else if (s.preCrop) {
    const pre = checkMask(image, mask, checkSettings, caseName);
    if (pre.corrected) mask = pre.corrected;
    const box = padBox(pre.box, image.dims, s.padDistance);
    image = cropImage(image, box);
    mask = cropImage(mask, box);
  }

  // 3. Check the mask.
  const checked = checkMask(image, mask, checkSettings, caseName);
  if (checked.corrected) {
    mask = checked.corrected;
    record(maskDiagnostics('corrected', image, roiFromLabels(mask, s.label, checked.box), null, image));
  }
  let box = checked.box;
  const roi = roiFromLabels(mask, s.label, box);
  let featureRoi: RoiMask = roi;

  // 4. Re-segment.
  if (s.resegmentRange !== null) {
    const resegmented = resegmentRoi(image, roi, s.resegmentRange, s.resegmentMode, s.label, caseName);
    const extent = roiExtent(resegmented);
    if (!extent.box) throw labelNotFound(mask, s.label, caseName);
    assertRoiExtent(extent.box, extent.count, checkSettings, caseName);
    box = extent.box;
    featureRoi = cropRoi(resegmented, box);
    record(maskDiagnostics('resegmented', image, featureRoi, null, image));
  }

  const classes: ClassPlan[] = params.featureClass.map((c) => ({ name: c.name, features: enabledFeatures(c.name, c.features) }));
  const features: Record<string, number> = {};

  // 5. Shape, on the original mask within the final box (PyRadiomics crops it to that box).
  const shapeRoi = s.resegmentShape ? featureRoi : cropRoi(roi, box);
  const shapeDims = boxSize(box);
  for (const c of classes) {
    if (c.name !== 'shape' || !c.features.length) continue;
    for (const [k, v] of Object.entries(shapeFeatures(shapeRoi.voxels, shapeDims, image.spacingMm, c.features))) features[`original_shape_${k}`] = v;
  }
  for (const c of classes) {
    if (c.name !== 'shape2D' || !c.features.length) continue;
    if (!s.force2D) {
      findings.push({ code: 'RADIOMICS_SHAPE2D_SKIPPED', severity: 'warning', message: `${caseName}: shape2D needs force2D: true; no 2D shape features` });
      continue;
    }
    if (shapeDims[2 - s.force2Ddimension] > 1) {
      findings.push({
        code: 'RADIOMICS_SHAPE2D_SKIPPED',
        severity: 'warning',
        message: `${caseName}: the ROI spans ${shapeDims[2 - s.force2Ddimension]} voxels along dimension ${s.force2Ddimension}; shape2D needs a single slice`,
      });
      continue;
    }
    const values = shape2DFeatures(shapeRoi.voxels, shapeDims, image.spacingMm, s.force2Ddimension, c.features, caseName);
    for (const [k, v] of Object.entries(values)) features[`original_shape2D_${k}`] = v;
  }

  // 6. Derived images.
  const planned = planImages(params.imageType, settings, settingsRepr as SettingsRepr, image.dims, image.spacingMm);
  appendAll(
    findings,
    planned.findings.map((f) => ({ ...f, message: `${caseName}: ${f.message}` })),
  );
  const domain = filterDomain(image, box, planned.images);
  const perImage = await Promise.all(planned.images.map((derived) => runImage(domain, derived, featureRoi.voxels, classes, options.pool)));
  for (const values of perImage) Object.assign(features, values);
  return { caseId: caseName, diagnostics, features, findings };
}

/** The Python form of the enabled image types, for diagnostics_Configuration_EnabledImageTypes. */
function imageTypesRepr(params: ParameterSet): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const t of params.imageType) out[t.name] = t.settingRepr as Record<string, PyValue>;
  return out;
}

/** Holds the part of the image the planned filters read (see FilterDomain). */
function filterDomain(image: ScalarImage, box: RoiMask['box'], images: readonly DerivedImage[]): FilterDomain {
  const margin: Vec3 = [0, 0, 0];
  const full: [boolean, boolean, boolean] = [false, false, false];
  for (const derived of images) {
    const reach = filterReach(derived.filter, image.spacingMm);
    for (let a = 0; a < 3; a++) {
      margin[a] = Math.max(margin[a], reach.margin[a]);
      // A periodic filter whose window crosses the domain edge reads the opposite side: keep the axis whole.
      if (reach.wraps[a] && (box.minIjk[a] - reach.margin[a] < 0 || box.maxIjk[a] + reach.margin[a] > image.dims[a] - 1)) full[a] = true;
    }
  }
  return regionOfDomain(image.voxels, image.dims, image.spacingMm, box, margin, full);
}

async function runImage(
  domain: FilterDomain,
  derived: DerivedImage,
  roiMask: Uint8Array,
  classes: readonly ClassPlan[],
  pool?: WorkerPool,
): Promise<NamedFeatures> {
  if (!pool) return derivedImageFeatures(domain, derived, roiMask, classes);
  return pool.run<NamedFeatures>('image', { domain: shared(domain), derived, roiMask, classes });
}

const sharedCopies = new WeakMap<ScalarArray, ScalarArray>();

/** The domain with its voxels in shared memory, so that every worker reads one copy. */
function shared(domain: FilterDomain): FilterDomain {
  if (domain.voxels.buffer instanceof SharedArrayBuffer) return domain;
  let copy = sharedCopies.get(domain.voxels);
  if (!copy) {
    const Ctor = domain.voxels.constructor as new (buffer: SharedArrayBuffer) => ScalarArray;
    copy = new Ctor(new SharedArrayBuffer(domain.voxels.byteLength));
    copy.set(domain.voxels as never);
    sharedCopies.set(domain.voxels, copy);
  }
  return { ...domain, voxels: copy };
}

/** One output row: diagnostics first, then features (PyRadiomics' batch CSV order). */
export function resultRow(result: RadiomicsResult): Record<string, string | number> {
  return { ...result.diagnostics, ...result.features };
}
