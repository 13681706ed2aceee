/**
 * How a class-activation map is drawn over a grey image, on paper and on screen alike: one
 * symmetric scale for the whole bag (±M, M = the largest |CAM| of any cell of any slice), red where
 * a region raises the slice's log-odds of nodal metastasis, blue where it lowers it, opacity
 * proportional to |CAM| / M (at most 0.65), nothing at 0. The renderer (renderer/src/viewer/cam-overlay.ts) uses the same colours.
 */
import { PNG } from 'pngjs';
import type { ExplanationRecord } from '../signatures/prediction-record.js';

export type Rgb = [number, number, number];
export const CAM_RAISES: Rgb = [228, 26, 28];
export const CAM_LOWERS: Rgb = [33, 102, 255];
export const CAM_MAX_ALPHA = 0.65;

/** The largest |CAM| over every cell of every slice: the ± end of the bag's one colour scale. */
export function camScaleOf(cam: NonNullable<ExplanationRecord['cam']>): number {
  let m = 0;
  for (const s of cam.slices) for (const v of s.values) m = Math.max(m, Math.abs(v));
  return m > 0 ? m : 1;
}

/** Colour and opacity of a value on the ±maxAbs scale; null for NaN (outside the crop). */
export function camTint(value: number, maxAbs: number): { rgb: Rgb; alpha: number } | null {
  if (Number.isNaN(value)) return null;
  const t = Math.max(-1, Math.min(1, value / maxAbs));
  return { rgb: t >= 0 ? CAM_RAISES : CAM_LOWERS, alpha: CAM_MAX_ALPHA * Math.abs(t) };
}

/** A horizontal colour bar from −maxAbs (left) through 0 to +maxAbs (right), over mid-grey as in the images. */
export function camScaleBar(width = 240, height = 12): Buffer {
  const png = new PNG({ width, height });
  for (let x = 0; x < width; x++) {
    const tint = camTint(((x + 0.5) / width) * 2 - 1, 1)!;
    const px = tint.rgb.map((c) => Math.round(128 * (1 - tint.alpha) + c * tint.alpha));
    for (let y = 0; y < height; y++) {
      const q = (y * width + x) * 4;
      png.data[q] = px[0];
      png.data[q + 1] = px[1];
      png.data[q + 2] = px[2];
      png.data[q + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
