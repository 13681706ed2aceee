/**
 * Occlusion sensitivity (Zeiler & Fergus 2014), the map for a backbone whose head is not global
 * average pooling + one linear layer (so no class-activation map exists): the crop is divided into
 * H × W cells (8 × 8 cells of 8 px for a 64-px crop); each cell in turn is replaced by the baseline
 * and the slice run again. O(i,j) = logit(slice) − logit(slice with cell (i,j) occluded), in
 * log-odds: positive where the region raised the slice's logit. Baseline: air, −1000 HU, mapped
 * through every channel's window and normalisation — "nothing there" in CT terms (a mid-grey would
 * mean different HU in each window). Unlike CAM, the cells do not add up to the logit.
 */
import { type BagConfig, slicePlanes } from './bag-config.js';

/** HU that replaces an occluded cell. */
export const OCCLUSION_BASELINE_HU = -1000;

/** The normalised value of the baseline in each channel (every window of every neighbouring plane). */
export function occlusionBaseline(config: Pick<BagConfig, 'windows' | 'channelMean' | 'channelStd' | 'sliceChannels'>): number[] {
  const perWindow = config.windows.map(
    ([lo, hi], c) => (Math.min(1, Math.max(0, (OCCLUSION_BASELINE_HU - lo) / (hi - lo))) - config.channelMean[c]) / config.channelStd[c],
  );
  return slicePlanes(config).flatMap(() => perWindow);
}

/**
 * Every occluded copy of every slice, as one batch: slice s, cell (i, j) at batch index
 * (s·H + i)·W + j. Cells split the crop evenly (the last row/column takes the remainder).
 */
export function occludedBatch(
  data: Float32Array,
  shape: readonly number[],
  cells: [number, number],
  baseline: readonly number[],
): { data: Float32Array; shape: [number, number, number, number] } {
  const [n, c, h, w] = shape;
  const [ch, cw] = cells;
  const plane = h * w;
  const sliceSize = c * plane;
  const out = new Float32Array(n * ch * cw * sliceSize);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < ch; i++)
      for (let j = 0; j < cw; j++) {
        const b = (s * ch + i) * cw + j;
        out.set(data.subarray(s * sliceSize, (s + 1) * sliceSize), b * sliceSize);
        const r0 = Math.floor((i * h) / ch);
        const r1 = Math.floor(((i + 1) * h) / ch);
        const c0 = Math.floor((j * w) / cw);
        const c1 = Math.floor(((j + 1) * w) / cw);
        for (let k = 0; k < c; k++)
          for (let r = r0; r < r1; r++) out.fill(baseline[k], b * sliceSize + k * plane + r * w + c0, b * sliceSize + k * plane + r * w + c1);
      }
  return { data: out, shape: [n * ch * cw, c, h, w] };
}
