import { gaussianBlur3d } from '../imaging/gaussian.js';
import type { Vec3 } from '../imaging/vec.js';
import type { ContrastHu } from './thorax.js';
import { Random } from './random.js';

/**
 * A centre's scanner and protocol. Centre A (training) and centre B (external test) differ the way
 * two hospitals do: slice thickness, pixel size, reconstruction kernel (resolution and edge
 * enhancement), noise level and grain, contrast timing (arterial vs portal-venous) and a small
 * calibration offset. docs/phantom.md lists the values.
 */
export interface CentreProfile {
  id: string;
  manufacturer: string;
  model: string;
  convolutionKernel: string;
  kvp: number;
  /** Voxel spacing [x, y, z] of the reconstructed series, mm. */
  spacingMm: Vec3;
  /** Point-spread function of the reconstruction, Gaussian σ per axis in mm. */
  blurSigmaMm: Vec3;
  /** Unsharp-mask gain of a sharp (lung) kernel; 0 for a soft kernel. */
  edgeEnhancement: number;
  /** Standard deviation of image noise in HU, and its in-plane correlation length (σ of the grain, mm). */
  noiseHu: number;
  noiseGrainMm: number;
  contrastPhase: 'arterial' | 'portal-venous';
  contrast: ContrastHu & { tumourEnhancementHu: number; veinHu: number };
  /** Calibration offset added to every HU. */
  huOffset: number;
}

export const CENTRES: Record<string, CentreProfile> = {
  A: {
    id: 'A',
    manufacturer: 'Hilum Phantom Scanner',
    model: 'Synthetic-A (not a real scanner)',
    convolutionKernel: 'SHARP_LUNG',
    kvp: 120,
    spacingMm: [0.68, 0.68, 1.0],
    blurSigmaMm: [0.32, 0.32, 0.42],
    edgeEnhancement: 0.45,
    noiseHu: 20,
    noiseGrainMm: 0.45,
    contrastPhase: 'arterial',
    contrast: { aorta: 320, heartBlood: 280, pulmonaryVessel: 260, veinHu: 190, tumourEnhancementHu: 22 },
    huOffset: 0,
  },
  B: {
    id: 'B',
    manufacturer: 'Hilum Phantom Scanner',
    model: 'Synthetic-B (not a real scanner)',
    convolutionKernel: 'SOFT_B30',
    kvp: 100,
    spacingMm: [0.78, 0.78, 1.5],
    blurSigmaMm: [0.55, 0.55, 0.75],
    edgeEnhancement: 0,
    noiseHu: 13,
    noiseGrainMm: 1.1,
    contrastPhase: 'portal-venous',
    contrast: { aorta: 170, heartBlood: 165, pulmonaryVessel: 165, veinHu: 160, tumourEnhancementHu: 36 },
    huOffset: 6,
  },
};

export function centreProfile(id: string): CentreProfile {
  const profile = CENTRES[id];
  if (!profile) throw new RangeError(`unknown centre '${id}' (known: ${Object.keys(CENTRES).join(', ')})`);
  return profile;
}

/**
 * Turns an ideal HU field into what the scanner reconstructs: blur by the kernel's PSF, edge
 * enhancement (out = b + g·(b − b₂), b₂ a 2.5× wider blur), additive Gaussian noise with the
 * centre's grain (white noise smoothed in-plane, rescaled to the target σ), the calibration
 * offset, then rounding to whole HU clamped to [−1024, 3071]. Deterministic for a seed.
 */
export function acquire(ideal: Float32Array, dims: Vec3, profile: CentreProfile, seed: string): Int16Array {
  const n = ideal.length;
  const image = Float32Array.from(ideal);
  gaussianBlur3d(image, dims, profile.spacingMm, profile.blurSigmaMm);
  if (profile.edgeEnhancement > 0) {
    const wide = Float32Array.from(image);
    gaussianBlur3d(wide, dims, profile.spacingMm, profile.blurSigmaMm.map((s) => s * 2.5) as Vec3);
    for (let i = 0; i < n; i++) image[i] += profile.edgeEnhancement * (image[i] - wide[i]);
  }
  const noise = new Float32Array(n);
  const rng = new Random(`${seed}:noise`);
  for (let i = 0; i < n; i++) noise[i] = rng.normal();
  gaussianBlur3d(noise, dims, profile.spacingMm, [profile.noiseGrainMm, profile.noiseGrainMm, profile.noiseGrainMm * 0.5]);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += noise[i] * noise[i];
  const gain = profile.noiseHu / Math.sqrt(sumSquares / n);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(image[i] + gain * noise[i] + profile.huOffset);
    out[i] = v < -1024 ? -1024 : v > 3071 ? 3071 : v;
  }
  return out;
}
