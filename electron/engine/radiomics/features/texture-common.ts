import type { Discretized } from '../discretize.js';
import type { Angle } from '../roi.js';

/** Settings the texture classes read (PyRadiomics names in comments). */
export interface TextureSettings {
  /** distances */
  distances: readonly number[];
  force2D: boolean;
  /** force2Ddimension: NumPy axis of the slice normal (0 = z). */
  force2Ddimension: number;
  /** symmetricalGLCM */
  symmetricalGLCM: boolean;
  /** weightingNorm: null averages per-angle features; otherwise matrices are merged with these weights. */
  weightingNorm: 'euclidean' | 'manhattan' | 'infinity' | 'no_weighting' | null;
  /** gldm_a */
  gldmA: number;
}

/** The NumPy axis excluded from neighbourhoods, or -1 in 3D. */
export function outOfPlaneAxis(s: TextureSettings): number {
  return s.force2D ? s.force2Ddimension : -1;
}

/**
 * Weight of an angle when matrices are merged (PyRadiomics glcm/glrlm): W = exp(−‖d‖²) with the
 * offset d in mm under the chosen norm; 1 for 'no_weighting'. `spacingZyx` is in NumPy axis order.
 */
export function angleWeight(norm: NonNullable<TextureSettings['weightingNorm']>, a: Angle, spacingZyx: readonly number[]): number {
  const d = [Math.abs(a[0]) * spacingZyx[0], Math.abs(a[1]) * spacingZyx[1], Math.abs(a[2]) * spacingZyx[2]];
  switch (norm) {
    case 'infinity': {
      const m = Math.max(d[0], d[1], d[2]);
      return Math.exp(-(m * m));
    }
    case 'euclidean':
      return Math.exp(-(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
    case 'manhattan': {
      const s = d[0] + d[1] + d[2];
      return Math.exp(-(s * s));
    }
    case 'no_weighting':
      return 1;
  }
}

/** Maps a bin index to its position among the grey levels present (−1 when absent). */
export function levelIndex(d: Discretized): Int32Array {
  const index = new Int32Array(d.ng + 1).fill(-1);
  for (let k = 0; k < d.grayLevels.length; k++) index[d.grayLevels[k]] = k;
  return index;
}
