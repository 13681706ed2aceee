import type { Roi } from './roi.js';

/**
 * Grey-level discretisation, as PyRadiomics (imageoperations.getBinEdges / binImage) does it.
 *
 * Fixed bin width W: edges start at the largest multiple of W not above the minimum,
 *   lowBound = min − (min mod W) (Python's mod, sign of W), and step by W up to max + 2W
 *   (numpy.arange: edge_k = low + k·((low + W) − low));
 * fixed bin count N: N equal bins between min and max (numpy.histogram / linspace:
 *   edge_k = k·(max − min)/N + min, last edge = max), with 1 added to the last edge.
 * A voxel value x gets bin b = number of edges ≤ x (numpy.digitize, right-open bins), so that
 * b = ⌊x/W⌋ − ⌊min/W⌋ + 1 for fixed bin width. Only voxels inside the ROI are binned.
 */
export interface Discretized {
  /** Bin index per voxel of the ROI box (0 outside the mask). */
  levels: Int32Array;
  /** Bin indices present in the ROI, ascending. */
  grayLevels: Int32Array;
  /** Largest bin index present (PyRadiomics' Ng). */
  ng: number;
  edges: Float64Array;
}

export interface BinningSettings {
  binWidth: number;
  binCount: number | null;
}

/** Python's float modulo: the result has the sign of the divisor. */
export function pythonMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function binEdges(roiValues: ArrayLike<number>, settings: BinningSettings): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < roiValues.length; i++) {
    const x = roiValues[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (settings.binCount !== null) {
    let first = min;
    let last = max;
    if (first === last) {
      first -= 0.5;
      last += 0.5;
    }
    const n = settings.binCount;
    const step = (last - first) / n;
    const edges = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) edges[k] = k * step + first;
    edges[n] = last + 1;
    return edges;
  }
  const w = settings.binWidth;
  const low = min - pythonMod(min, w);
  const high = max + 2 * w;
  const length = Math.ceil((high - low) / w);
  if (length <= 1) return Float64Array.of(low - 0.5, low + 0.5);
  const edges = new Float64Array(length);
  edges[0] = low;
  const delta = low + w - low;
  edges[1] = low + w;
  for (let k = 2; k < length; k++) edges[k] = low + k * delta;
  return edges;
}

/** numpy.digitize(x, edges) for ascending edges: the number of edges ≤ x. */
export function digitize(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function discretize(roi: Roi, settings: BinningSettings): Discretized {
  const { values, mask } = roi;
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const inside = new Float64Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) inside[k++] = values[i];
  const edges = binEdges(inside, settings);
  const levels = new Int32Array(mask.length);
  let ng = 0;
  const seen = new Uint8Array(edges.length + 1);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const b = digitize(values[i], edges);
    levels[i] = b;
    seen[b] = 1;
    if (b > ng) ng = b;
  }
  const present: number[] = [];
  for (let b = 0; b < seen.length; b++) if (seen[b]) present.push(b);
  return { levels, grayLevels: Int32Array.from(present), ng, edges };
}
