import { HilumError } from '../../core/errors.js';
import type { ScalarImage } from '../../imaging/volume.js';
import { numpyMean } from '../numpy-sum.js';
import { type RoiMask, imageBoxValues } from './roi-mask.js';
import { arrayMax } from '../../core/array-extent.js';

/**
 * Re-segmentation of the ROI by intensity (PyRadiomics imageoperations.resegmentMask): voxels
 * outside [T_lo, T_hi] (or below T_lo with a single threshold) leave the ROI. Thresholds are the
 * `resegmentRange` values sorted, taken as intensities ('absolute'), as fractions of the ROI
 * maximum ('relative'), or as μ + k·σ of the ROI ('sigma', σ the population standard deviation).
 * At least two voxels must remain.
 */
export function resegmentRoi(
  image: ScalarImage,
  roi: RoiMask,
  range: readonly number[],
  mode: 'absolute' | 'relative' | 'sigma',
  label: number,
  caseName: string,
): RoiMask {
  if (range.length === 0 || range.length > 2)
    throw new HilumError({ code: 'RADIOMICS_PARAMS_INVALID', message: `${caseName}: resegmentRange needs 1 or 2 values, got ${range.length}` });
  const values = imageBoxValues(image, roi.box);
  const inside: number[] = [];
  for (let i = 0; i < values.length; i++) if (roi.voxels[i]) inside.push(values[i]);
  const sorted = [...range].sort((a, b) => a - b);
  let thresholds: number[];
  if (mode === 'absolute') thresholds = sorted;
  else if (mode === 'relative') {
    const max = arrayMax(inside);
    thresholds = sorted.map((t) => max * t);
  } else {
    const mean = numpyMean(inside);
    const sd = Math.sqrt(numpyMean(inside.map((x) => (x - mean) * (x - mean))));
    thresholds = sorted.map((t) => mean + sd * t);
  }
  const out = new Uint8Array(roi.voxels.length);
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    if (!roi.voxels[i]) continue;
    const x = values[i];
    if (x < thresholds[0]) continue;
    if (thresholds.length === 2 && x > thresholds[1]) continue;
    out[i] = 1;
    kept++;
  }
  if (kept <= 1)
    throw new HilumError({
      code: 'RADIOMICS_RESEGMENTATION_EMPTY',
      message: `${caseName}: re-segmentation to ${describe(thresholds)} left ${kept} voxel${kept === 1 ? '' : 's'} of label ${label}; features need at least 2`,
      hint: 'Check resegmentRange and resegmentMode against the image intensities (HU for CT).',
      data: { thresholds, kept },
    });
  return { box: roi.box, voxels: out };
}

function describe(t: number[]): string {
  return t.length === 2 ? `[${t[0]}, ${t[1]}]` : `≥ ${t[0]}`;
}
