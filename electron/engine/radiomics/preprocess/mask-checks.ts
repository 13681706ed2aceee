import { HilumError } from '../../core/errors.js';
import { type ImageGrid, indexToWorld, worldToIndex } from '../../imaging/grid.js';
import { resampleImage } from '../../imaging/resample.js';
import type { BoundingBox, ScalarImage } from '../../imaging/volume.js';
import { type Vec3, maxAbsDiff } from '../../imaging/vec.js';
import { boxSize, labelExtent } from './roi-mask.js';
import { arrayMax, arrayMin } from '../../core/array-extent.js';

/**
 * The mask checks PyRadiomics runs before any feature (imageoperations.checkMask / _checkROI /
 * _correctMask), with errors that name the case and say what was found:
 * 1. image and mask must share size and geometry within `geometryTolerance` (ITK's rule: origin and
 *    spacing within tolerance × spacing_x, direction cosines within tolerance; default 1e-6);
 *    otherwise, with `correctMask`, a mask whose ROI lies inside the image is resampled onto the
 *    image grid by nearest neighbour;
 * 2. the label must be present;
 * 3. the ROI's bounding box must extend over at least `minimumROIDimensions` axes (never a single
 *    voxel), and hold more than `minimumROISize` voxels when that is set.
 */
export interface MaskCheckSettings {
  label: number;
  minimumROIDimensions: number;
  minimumROISize: number | null;
  correctMask: boolean;
  geometryTolerance: number | null;
}

export interface MaskCheckResult {
  box: BoundingBox;
  count: number;
  /** The mask resampled onto the image grid, when it had to be corrected. */
  corrected: ScalarImage | null;
}

export function checkMask(image: ScalarImage, mask: ScalarImage, s: MaskCheckSettings, caseName: string): MaskCheckResult {
  let corrected: ScalarImage | null = null;
  let labels = mask;
  const differences = geometryDifferences(image, mask, s.geometryTolerance ?? 1e-6);
  if (differences.length) {
    const maskExtent = labelExtent(mask, s.label);
    if (!maskExtent.box) throw labelNotFound(mask, s.label, caseName);
    assertRoiInsideImage(image, mask, maskExtent.box, s.label, caseName);
    if (!s.correctMask)
      throw new HilumError({
        code: 'RADIOMICS_GEOMETRY_MISMATCH',
        message: `${caseName}: the mask does not lie on the image grid (${differences.join('; ')})`,
        hint: 'If the mask belongs to this image, set correctMask: true (resample the mask onto the image) or raise geometryTolerance in the parameter file.',
        data: { differences },
      });
    corrected = resampleImage(mask, image, { interpolator: 'nearest', outputType: 'same' });
    labels = corrected;
  }
  const extent = labelExtent(labels, s.label);
  if (!extent.box) throw labelNotFound(labels, s.label, caseName);
  assertRoiExtent(extent.box, extent.count, s, caseName);
  const box = extent.box;
  return { box, count: extent.count, corrected };
}

/** The dimension and size rules of checkMask, for a bounding box and voxel count. */
export function assertRoiExtent(box: BoundingBox, count: number, s: MaskCheckSettings, caseName: string): void {
  const size = boxSize(box);
  const dimensions = size.filter((n) => n > 1).length;
  if (dimensions === 0)
    throw new HilumError({
      code: 'RADIOMICS_ROI_SINGLE_VOXEL',
      message: `${caseName}: the ROI (label ${s.label}) is a single voxel; features cannot be computed on one voxel`,
      data: { voxels: count },
    });
  if (dimensions < s.minimumROIDimensions)
    throw new HilumError({
      code: 'RADIOMICS_ROI_TOO_FEW_DIMENSIONS',
      message: `${caseName}: the ROI (label ${s.label}) spans ${dimensions} dimension${dimensions === 1 ? '' : 's'} (bounding box ${size.join('×')} voxels) but minimumROIDimensions is ${s.minimumROIDimensions}`,
      hint: 'Check the segmentation, or lower minimumROIDimensions (2 allows single-slice ROIs).',
      data: { dimensions, boundingBox: size },
    });
  if (s.minimumROISize !== null && count <= s.minimumROISize)
    throw new HilumError({
      code: 'RADIOMICS_ROI_TOO_SMALL',
      message: `${caseName}: the ROI (label ${s.label}) holds ${count} voxels; minimumROISize requires more than ${s.minimumROISize}`,
      data: { voxels: count },
    });
}

/** ITK's same-physical-space test (ImageToImageFilter::VerifyInputInformation) in words; empty when it passes. */
export function geometryDifferences(image: ImageGrid, mask: ImageGrid, tolerance: number): string[] {
  const out: string[] = [];
  const fmt = (v: readonly number[]) => '(' + v.map((x) => +x.toFixed(6)).join(', ') + ')';
  if (image.dims.some((n, a) => n !== mask.dims[a])) out.push(`size ${image.dims.join('×')} vs ${mask.dims.join('×')}`);
  const coordinateTolerance = Math.abs(tolerance * image.spacingMm[0]);
  if (maxAbsDiff(image.originLps, mask.originLps) > coordinateTolerance) out.push(`origin ${fmt(image.originLps)} vs ${fmt(mask.originLps)} mm`);
  if (maxAbsDiff(image.spacingMm, mask.spacingMm) > coordinateTolerance) out.push(`spacing ${fmt(image.spacingMm)} vs ${fmt(mask.spacingMm)} mm`);
  if (maxAbsDiff(image.direction, mask.direction) > tolerance) out.push(`direction ${fmt(image.direction)} vs ${fmt(mask.direction)}`);
  return out;
}

/**
 * PyRadiomics' _checkROI: the ROI's bounding box corners (voxel edges) mapped into the image's
 * continuous index must lie within [−0.5, size − 0.5] (± 1e-3).
 */
export function assertRoiInsideImage(image: ImageGrid, mask: ImageGrid, maskBox: BoundingBox, label: number, caseName: string): void {
  const corners: Vec3[] = [];
  for (const cz of [maskBox.minIjk[2] - 0.5, maskBox.maxIjk[2] + 0.5])
    for (const cy of [maskBox.minIjk[1] - 0.5, maskBox.maxIjk[1] + 0.5])
      for (const cx of [maskBox.minIjk[0] - 0.5, maskBox.maxIjk[0] + 0.5]) corners.push(worldToIndex(image, indexToWorld(mask, [cx, cy, cz])));
  const tolerance = 1e-3;
  const outside = corners.some((c) => c.some((v, a) => v < -0.5 - tolerance || v > image.dims[a] - 0.5 + tolerance));
  if (outside)
    throw new HilumError({
      code: 'RADIOMICS_MASK_OUTSIDE_IMAGE',
      message: `${caseName}: the ROI (label ${label}) reaches outside the image: its bounding box spans image indices ${describeRange(corners)} but the image has ${image.dims.join('×')} voxels`,
      hint: 'The mask does not belong to this image (or has a wrong origin/orientation). Check that image and mask come from the same series.',
      data: { imageSize: image.dims },
    });
}

function describeRange(corners: Vec3[]): string {
  const lo = [0, 1, 2].map((a) => arrayMin(corners.map((c) => c[a])) + 0.5);
  const hi = [0, 1, 2].map((a) => arrayMax(corners.map((c) => c[a])) - 0.5);
  return `[${lo.map((v) => +v.toFixed(2)).join(', ')}]–[${hi.map((v) => +v.toFixed(2)).join(', ')}]`;
}

export function labelNotFound(mask: ScalarImage, label: number, caseName: string): HilumError {
  const present = presentLabels(mask);
  if (present.length === 0)
    return new HilumError({
      code: 'RADIOMICS_MASK_EMPTY',
      message: `${caseName}: the mask is empty (no voxel is labelled)`,
      hint: 'Segment the lesion first; an empty mask has no features.',
    });
  return new HilumError({
    code: 'RADIOMICS_LABEL_NOT_FOUND',
    message: `${caseName}: label ${label} is not in the mask; it holds label${present.length > 1 ? 's' : ''} ${present.join(', ')}`,
    hint: 'Choose the label of the lesion (--label N, or label: N in the parameter file).',
    data: { labels: present },
  });
}

/** The non-zero values of a label image, ascending (at most the first 32 distinct ones). */
export function presentLabels(mask: ScalarImage): number[] {
  const seen = new Set<number>();
  const v = mask.voxels;
  for (let i = 0; i < v.length && seen.size < 32; i++) if (v[i] !== 0) seen.add(v[i]);
  return [...seen].sort((a, b) => a - b);
}
