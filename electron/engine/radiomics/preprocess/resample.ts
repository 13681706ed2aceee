import { HilumError } from '../../core/errors.js';
import { type ImageGrid, indexToWorld } from '../../imaging/grid.js';
import type { Interpolator } from '../../imaging/resample.js';
import { resampleImage } from '../../imaging/resample.js';
import type { BoundingBox, ScalarImage } from '../../imaging/volume.js';
import type { Vec3 } from '../../imaging/vec.js';
import { assertRoiInsideImage, labelNotFound } from './mask-checks.js';
import { boxSize, labelExtent } from './roi-mask.js';

/**
 * Resampling to `resampledPixelSpacing` as PyRadiomics does it (imageoperations.resampleImage).
 * Only the ROI's bounding box plus `padDistance` new voxels is resampled, on a grid aligned with
 * the mask's first voxel corner:
 *
 *   spacing_new = requested (0 → keep the mask's; an axis the ROI spans with one voxel keeps it too)
 *   r = spacing_mask / spacing_new
 *   lower = max(0, ⌊(bb_lo − ½)·r − pad⌋),  upper = min(⌈n·r⌉ − 1, ⌈(bb_lo + bb_size − ½)·r + pad⌉)
 *   origin = mask index ½(spacing_new − spacing_mask)/spacing_mask + lower/r (continuous index → mm)
 *
 * The image keeps its pixel type (ITK casts, truncating toward zero) and is interpolated with the
 * chosen SimpleITK interpolator; the mask uses nearest neighbour. When the new spacing equals the
 * image's (numpy.allclose), only the mask is resampled onto the image and both are cropped to the
 * box ± padDistance.
 */
export interface ResampleSettings {
  resampledPixelSpacing: number[];
  interpolator: string;
  padDistance: number;
  label: number;
}

export interface Resampled {
  image: ScalarImage;
  mask: ScalarImage;
}

const INTERPOLATORS: Record<string, Interpolator> = { sitkNearestNeighbor: 'nearest', sitkLinear: 'linear', sitkBSpline: 'bspline' };

export function resampleToSpacing(image: ScalarImage, mask: ScalarImage, s: ResampleSettings, caseName: string): Resampled {
  const interpolator = INTERPOLATORS[s.interpolator];
  if (!interpolator)
    throw new HilumError({
      code: 'RADIOMICS_INTERPOLATOR_UNSUPPORTED',
      message: `${caseName}: interpolator ${s.interpolator} is not available in Hilum (it provides sitkNearestNeighbor, sitkLinear and sitkBSpline)`,
      hint: 'Use sitkBSpline (PyRadiomics default) or sitkLinear.',
    });
  if (s.resampledPixelSpacing.length !== 3)
    throw new HilumError({
      code: 'RADIOMICS_PARAMS_INVALID',
      message: `${caseName}: resampledPixelSpacing needs 3 values (x, y, z), got ${s.resampledPixelSpacing.length}`,
    });
  const extent = labelExtent(mask, s.label);
  if (!extent.box) throw labelNotFound(mask, s.label, caseName);
  const bb = extent.box;
  assertRoiInsideImage(image, mask, bb, s.label, caseName);
  const size = boxSize(bb);
  const spacing = [0, 1, 2].map((a) => {
    const requested = s.resampledPixelSpacing[a] === 0 ? mask.spacingMm[a] : s.resampledPixelSpacing[a];
    return size[a] !== 1 ? requested : mask.spacingMm[a];
  }) as Vec3;

  if (spacing.every((sp, a) => Math.abs(image.spacingMm[a] - sp) <= 1e-8 + 1e-5 * Math.abs(sp))) {
    const onImage = resampleImage(mask, image, { interpolator: 'nearest', outputType: 'same' });
    const e = labelExtent(onImage, s.label);
    if (!e.box) throw labelNotFound(onImage, s.label, caseName);
    const padded = padBox(e.box, image.dims, s.padDistance);
    return { image: cropImage(image, padded), mask: cropImage(onImage, padded) };
  }

  const ratio = [0, 1, 2].map((a) => mask.spacingMm[a] / spacing[a]);
  const lower: number[] = [];
  const upper: number[] = [];
  for (let a = 0; a < 3; a++) {
    let lo = Math.floor((bb.minIjk[a] - 0.5) * ratio[a] - s.padDistance);
    let hi = Math.ceil((bb.minIjk[a] + size[a] - 0.5) * ratio[a] + s.padDistance);
    const maxUpper = Math.ceil(mask.dims[a] * ratio[a]) - 1;
    if (lo < 0) lo = 0;
    if (hi > maxUpper) hi = maxUpper;
    lower.push(lo);
    upper.push(hi);
  }
  const newSize = [0, 1, 2].map((a) => Math.trunc(upper[a] - lower[a] + 1)) as Vec3;
  const originIndex = [0, 1, 2].map((a) => (0.5 * (spacing[a] - mask.spacingMm[a])) / mask.spacingMm[a] + lower[a] / ratio[a]) as Vec3;
  const grid: ImageGrid = { dims: newSize, spacingMm: spacing, originLps: indexToWorld(mask, originIndex), direction: [...mask.direction] };
  return {
    image: resampleImage(image, grid, { interpolator, outputType: 'same' }),
    mask: resampleImage(mask, grid, { interpolator: 'nearest', outputType: 'same' }),
  };
}

/** A box grown by `pad` voxels on every side, clipped to the image (PyRadiomics cropToTumorMask). */
export function padBox(box: BoundingBox, dims: Vec3, pad: number): BoundingBox {
  return {
    minIjk: box.minIjk.map((m) => Math.max(0, m - pad)) as Vec3,
    maxIjk: box.maxIjk.map((m, a) => Math.min(dims[a] - 1, m + pad)) as Vec3,
  };
}

/** The voxels of an inclusive box, on the matching sub-grid, in the image's own pixel type. */
export function cropImage(image: ScalarImage, box: BoundingBox): ScalarImage {
  const [nx, ny] = image.dims;
  const dims = boxSize(box);
  const Ctor = image.voxels.constructor as new (n: number) => typeof image.voxels;
  const out = new Ctor(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const src = box.minIjk[0] + nx * (box.minIjk[1] + y + ny * (box.minIjk[2] + z));
      out.set(image.voxels.subarray(src, src + dims[0]) as never, o);
      o += dims[0];
    }
  return { dims, spacingMm: [...image.spacingMm], originLps: indexToWorld(image, box.minIjk), direction: [...image.direction], voxels: out };
}
