import type { Vec3 } from './vec.js';

/** Normalised 1-D Gaussian kernel for sigma in voxels, truncated at ±ceil(3σ). */
export function gaussianKernel(sigmaVoxels: number): Float32Array {
  if (!(sigmaVoxels > 0)) return Float32Array.of(1);
  const radius = Math.max(1, Math.ceil(3 * sigmaVoxels));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigmaVoxels * sigmaVoxels));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Separable Gaussian smoothing of a 3-D array in place, sigma given per axis in mm (converted with
 * the voxel spacing). Borders replicate the edge voxel. Axes with σ = 0 are left alone.
 */
export function gaussianBlur3d(data: Float32Array, dims: Vec3, spacingMm: Vec3, sigmaMm: Vec3): void {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  const lengths = [nx, ny, nz];
  for (let axis = 0; axis < 3; axis++) {
    const sigma = sigmaMm[axis] / spacingMm[axis];
    if (!(sigma > 0.05) || lengths[axis] < 2) continue;
    const kernel = gaussianKernel(sigma);
    const radius = (kernel.length - 1) / 2;
    const n = lengths[axis];
    const stride = strides[axis];
    // The line with `radius` copies of its edge voxels on each side, so the taps need no clamping.
    const line = new Float32Array(n + 2 * radius);
    const [oa, ob] = [0, 1, 2].filter((a) => a !== axis);
    for (let b = 0; b < lengths[ob]; b++) for (let a = 0; a < lengths[oa]; a++) smoothLine(data, a * strides[oa] + b * strides[ob], stride, n, kernel, line);
  }
}

/** One line of the blur, in place: data[p] = Σ_q kernel[q + r] · line[clamp(p + q)], summed in the order of q. */
function smoothLine(data: Float32Array, start: number, stride: number, n: number, kernel: Float32Array, line: Float32Array): void {
  const radius = (kernel.length - 1) / 2;
  for (let p = 0; p < n; p++) line[p + radius] = data[start + p * stride];
  for (let p = 0; p < radius; p++) {
    line[p] = line[radius];
    line[n + radius + p] = line[n + radius - 1];
  }
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let q = 0; q < kernel.length; q++) s += kernel[q] * line[p + q];
    data[start + p * stride] = s;
  }
}
