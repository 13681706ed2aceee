import { HilumError } from '../core/errors.js';
import type { CamHead } from './cam-head.js';

/** One slice's class-activation map on the backbone's last feature grid, in log-odds. */
export interface SliceCam {
  /** height × width, row-major; CAM(i,j) = Σₖ wₖ·Aₖ(i,j). */
  values: Float32Array;
  /** CAM: mean(CAM) + b, the slice's logit rebuilt from the map; occlusion: the unoccluded slice's logit. */
  logit: number;
}

export interface BagCam {
  /** `cam`: class-activation map (pooled linear head); `occlusion`: occlusion sensitivity (any other head, occlusion.ts). */
  method: 'cam' | 'occlusion';
  height: number;
  width: number;
  /** The head's bias b: mean(CAM) + b = logit for every slice (CAM only; 0 for occlusion). */
  bias: number;
  /** Occlusion only: the HU that replaced each occluded cell. */
  baselineHu: number | null;
  slices: SliceCam[];
  seconds: number;
}

/**
 * Class-activation maps (Zhou et al. 2016) for every slice of a bag from the last feature maps
 * A [N, K, H, W] and the pooled linear head: CAM(i,j) = Σₖ wₖ·Aₖ(i,j), in log-odds per feature
 * cell, so that mean_ij CAM(i,j) + b equals the slice logit (the pooled head is linear).
 */
export function classActivationMaps(featureMaps: Float32Array, dims: readonly number[], head: CamHead): BagCam {
  const started = performance.now();
  const [n, k, h, w] = dims;
  if (dims.length !== 4 || k !== head.weights.length || featureMaps.length !== n * k * h * w)
    throw new HilumError({
      code: 'CAM_HEAD_UNSUPPORTED',
      message: `the feature maps are [${dims.join(', ')}]; the linear head has ${head.weights.length} weights`,
    });
  const cells = h * w;
  const slices: SliceCam[] = [];
  const acc = new Float64Array(cells);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let c = 0; c < k; c++) {
      const wk = head.weights[c];
      const base = (s * k + c) * cells;
      for (let p = 0; p < cells; p++) acc[p] += wk * featureMaps[base + p];
    }
    let sum = 0;
    for (let p = 0; p < cells; p++) sum += acc[p];
    slices.push({ values: Float32Array.from(acc), logit: sum / cells + head.bias });
  }
  return { method: 'cam', height: h, width: w, bias: head.bias, baselineHu: null, slices, seconds: (performance.now() - started) / 1000 };
}
