/**
 * The class-activation-map overlay of the MPR views. The engine resamples each bag slice's map onto
 * the CT grid (electron/engine/deep/cam-projection.ts) and sends one patch per bag slice; a view
 * shows the patch of its own slice, in the report's colours (electron/engine/report/cam-images.ts):
 * red where a region raises the slice's log-odds of nodal metastasis, blue where it lowers it,
 * opacity |CAM| / maxAbs × 0.65, one scale ±maxAbs for the whole bag.
 */
import type { Vec3 } from './types';

export interface CamPatch {
  /** The CT axis the patch lies across, and its slice index on that axis. */
  axis: number;
  index: number;
  distanceMm: number;
  usedOffset: number;
  /** Inclusive CT index box (lo[axis] = hi[axis] = index); values i fastest, null outside the crop. */
  lo: Vec3;
  hi: Vec3;
  values: (number | null)[];
}

export interface CamOverlay {
  notice: string;
  /** `occlusion`: occlusion sensitivity (a backbone without class-activation maps), its cells replaced by `baselineHu`. */
  method: 'cam' | 'occlusion';
  baselineHu: number | null;
  maxAbs: number;
  patches: CamPatch[];
}

export const CAM_RAISES: Vec3 = [228, 26, 28];
export const CAM_LOWERS: Vec3 = [33, 102, 255];
export const CAM_MAX_ALPHA = 0.65;

/** The patch drawn on slice `index` across `axis`: of the bag slices mapped there, the nearest. */
export function patchOn(overlay: CamOverlay | null | undefined, axis: number, index: number): CamPatch | null {
  let best: CamPatch | null = null;
  for (const p of overlay?.patches ?? []) if (p.axis === axis && p.index === index && (!best || p.distanceMm < best.distanceMm)) best = p;
  return best;
}

/** The two in-plane CT axes of a patch, in index order (the first runs fastest in `values`). */
export function inPlaneAxes(patch: CamPatch): [number, number] {
  const axes = [0, 1, 2].filter((a) => a !== patch.axis);
  return [axes[0], axes[1]];
}

/** RGBA pixels of a patch (width along the first in-plane axis). */
export function patchPixels(patch: CamPatch, maxAbs: number): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const [a1, a2] = inPlaneAxes(patch);
  const width = patch.hi[a1] - patch.lo[a1] + 1;
  const height = patch.hi[a2] - patch.lo[a2] + 1;
  const rgba = new Uint8ClampedArray(new ArrayBuffer(width * height * 4));
  patch.values.forEach((v, p) => {
    if (v === null) return;
    const t = Math.max(-1, Math.min(1, v / maxAbs));
    const rgb = t >= 0 ? CAM_RAISES : CAM_LOWERS;
    rgba.set([rgb[0], rgb[1], rgb[2], Math.round(255 * CAM_MAX_ALPHA * Math.abs(t))], 4 * p);
  });
  return { width, height, rgba };
}

/** CSS gradient of the colour scale from −maxAbs (left) to +maxAbs (right), as the overlay blends over mid-grey. */
export function camScaleGradient(): string {
  const over = (rgb: Vec3, a: number) => `rgb(${rgb.map((c) => Math.round(128 * (1 - a) + c * a)).join(' ')})`;
  return `linear-gradient(to right, ${over(CAM_LOWERS, CAM_MAX_ALPHA)}, rgb(128 128 128), ${over(CAM_RAISES, CAM_MAX_ALPHA)})`;
}
