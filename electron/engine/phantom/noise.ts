import { hashString } from './random.js';

/**
 * Seeded 3-D value noise and its fractal sum (fBm), for tissue texture. Lattice values come from an
 * integer hash of (x, y, z, seed) and are blended with a smoothstep-weighted trilinear
 * interpolation, so the field is continuous and the same everywhere for a seed.
 */
export class ValueNoise {
  private readonly seed: number;

  constructor(seed: string | number) {
    this.seed = hashString(`noise:${seed}`);
  }

  /** Hash of a lattice point to [-1, 1]. */
  private lattice(x: number, y: number, z: number): number {
    let h = Math.imul(x, 0x8da6b343) ^ Math.imul(y, 0xd8163841) ^ Math.imul(z, 0xcb1ab31f) ^ this.seed;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h ^= h >>> 15;
    return (h >>> 0) / 2147483647.5 - 1;
  }

  /** Noise at a point given in lattice units; roughly in [-1, 1]. */
  at(x: number, y: number, z: number): number {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const zi = Math.floor(z);
    const fx = smooth(x - xi);
    const fy = smooth(y - yi);
    const fz = smooth(z - zi);
    const c000 = this.lattice(xi, yi, zi);
    const c100 = this.lattice(xi + 1, yi, zi);
    const c010 = this.lattice(xi, yi + 1, zi);
    const c110 = this.lattice(xi + 1, yi + 1, zi);
    const c001 = this.lattice(xi, yi, zi + 1);
    const c101 = this.lattice(xi + 1, yi, zi + 1);
    const c011 = this.lattice(xi, yi + 1, zi + 1);
    const c111 = this.lattice(xi + 1, yi + 1, zi + 1);
    const x00 = c000 + fx * (c100 - c000);
    const x10 = c010 + fx * (c110 - c010);
    const x01 = c001 + fx * (c101 - c001);
    const x11 = c011 + fx * (c111 - c011);
    const y0 = x00 + fy * (x10 - x00);
    const y1 = x01 + fy * (x11 - x01);
    return y0 + fz * (y1 - y0);
  }

  /**
   * Fractal Brownian motion: Σ_o gain^o · noise(p · 2^o / scale), normalised to about [-1, 1].
   * `scaleMm` is the size of the coarsest features in mm.
   */
  fbm(xMm: number, yMm: number, zMm: number, scaleMm: number, octaves = 3, gain = 0.5): number {
    let sum = 0;
    let amplitude = 1;
    let norm = 0;
    let f = 1 / scaleMm;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * this.at(xMm * f + 17.3 * o, yMm * f - 5.1 * o, zMm * f + 9.7 * o);
      norm += amplitude;
      amplitude *= gain;
      f *= 2;
    }
    return sum / norm;
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
