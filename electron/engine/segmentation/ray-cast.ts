import type { Vec3 } from '../imaging/vec.js';

/** 50 directions spread evenly over the sphere (Fibonacci lattice). */
const RAY_DIRECTIONS: Vec3[] = Array.from({ length: 50 }, (_, i) => {
  const z = 1 - (2 * (i + 0.5)) / 50;
  const r = Math.sqrt(1 - z * z);
  const phi = i * Math.PI * (3 - Math.sqrt(5));
  return [r * Math.cos(phi), r * Math.sin(phi), z] as Vec3;
});

/** For each direction, the index of the direction closest to its opposite. */
const OPPOSITE: number[] = RAY_DIRECTIONS.map((d) => {
  let best = 0;
  let bestDot = Infinity;
  RAY_DIRECTIONS.forEach((e, q) => {
    const dot = d[0] * e[0] + d[1] * e[1] + d[2] * e[2];
    if (dot < bestDot) {
      bestDot = dot;
      best = q;
    }
  });
  return best;
});

export interface Blob {
  /** Index of the blob's centre. */
  centre: number;
  /** Median ray length from the centre (mm). */
  radiusMm: number;
  /** Values sampled along the rays, more than 1 mm inside the blob's edge. */
  samples: number[];
  /** The same samples' distances from the centre (mm). */
  sampleDistancesMm: number[];
  /** Fraction of rays (from the final centre) that ended where `endsInLung` held at the stopping sample. */
  lungEndedFraction: number;
  /** The same fraction among the rays that ended inside the image (NaN when every ray left it). */
  lungEndedFractionInImage: number;
}

/**
 * Centre and radius of the blob that holds a start voxel, by ray casting: 50 rays run in 0.4 mm
 * steps while `inside(index)` holds (two misses in a row end a ray) up to maxMm. The centre moves
 * up to ten times (≤ 3 mm a step) by the mean imbalance of opposite rays, each capped at
 * max(2.5 medians, the 75th percentile, 3 mm) so a ray escaping along a vessel does not drag it;
 * the radius is the median ray length. Robust to
 * tunnels and attached structures that a distance-map maximum is not.
 */
export function rayCastBlob(
  values: Float32Array,
  dims: Vec3,
  spacing: Vec3,
  start: number,
  inside: (index: number) => boolean,
  maxMm: number,
  endsInLung: (index: number) => boolean = () => true,
  /** Values above this count as bright (solid) tissue; a ray that runs through more than max(6 mm, 2 medians) of it escaped along a vessel. */
  brightAbove = Infinity,
): Blob {
  const [nx, ny, nz] = dims;
  const k0 = Math.floor(start / (nx * ny));
  const j0 = Math.floor((start - k0 * nx * ny) / nx);
  const origin: Vec3 = [(start - k0 * nx * ny - j0 * nx) * spacing[0], j0 * spacing[1], k0 * spacing[2]];
  let c: Vec3 = [...origin];
  const indexAt = (p: Vec3): number => {
    const i = Math.round(p[0] / spacing[0]);
    const j = Math.round(p[1] / spacing[1]);
    const k = Math.round(p[2] / spacing[2]);
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return -1;
    return i + nx * (j + ny * k);
  };
  const lengths = new Float64Array(RAY_DIRECTIONS.length);
  let brightRunLimit = 6;
  const inLung = new Uint8Array(RAY_DIRECTIONS.length);
  const leftImage = new Uint8Array(RAY_DIRECTIONS.length);
  const cast = () =>
    RAY_DIRECTIONS.forEach((d, r) => {
      let t = 0;
      let misses = 0;
      let brightFrom = -1;
      inLung[r] = 0;
      leftImage[r] = 0;
      for (; t < maxMm; t += 0.4) {
        const q = indexAt([c[0] + d[0] * t, c[1] + d[1] * t, c[2] + d[2] * t]);
        if (q < 0 || !inside(q)) {
          if (++misses === 2) {
            inLung[r] = q >= 0 && endsInLung(q) ? 1 : 0;
            leftImage[r] = q < 0 ? 1 : 0;
            t -= 0.4;
            break;
          }
        } else misses = 0;
        if (q >= 0 && values[q] > brightAbove) {
          if (brightFrom < 0) brightFrom = t;
          if (t - brightFrom > brightRunLimit) {
            t = brightFrom;
            break;
          }
        } else brightFrom = -1;
      }
      lengths[r] = Math.max(0, Math.min(t, maxMm));
    });
  const quantile = (q: number) => [...lengths].sort((a, b) => a - b)[Math.floor(q * (lengths.length - 1))];
  const medianLength = () => quantile(0.5);
  for (let iteration = 0; iteration < 10; iteration++) {
    cast();
    // From a click on the edge, half the rays are short: the cap must still let the long ones pull.
    const cap = Math.max(2.5 * medianLength(), quantile(0.75), 3);
    brightRunLimit = Math.max(6, 2 * medianLength());
    const shift: Vec3 = [0, 0, 0];
    RAY_DIRECTIONS.forEach((d, r) => {
      const imbalance = Math.min(lengths[r], cap) - Math.min(lengths[OPPOSITE[r]], cap);
      for (let a = 0; a < 3; a++) shift[a] += ((imbalance / 2) * d[a]) / RAY_DIRECTIONS.length;
    });
    const size = Math.hypot(...shift);
    if (size < 0.2) break;
    const step = Math.min(3, size) / size;
    let next: Vec3 = [c[0] + shift[0] * step, c[1] + shift[1] * step, c[2] + shift[2] * step];
    // The start lies inside the blob, so its centre is within a radius of it: never drift farther.
    const fromStart = Math.hypot(next[0] - origin[0], next[1] - origin[1], next[2] - origin[2]);
    const reach = Math.max(1, medianLength(), 0.5 * quantile(0.75));
    if (fromStart > reach) next = [0, 1, 2].map((a) => origin[a] + ((next[a] - origin[a]) * reach) / fromStart) as Vec3;
    const q = indexAt(next);
    if (q < 0 || !inside(q)) break;
    c = next;
  }
  cast();
  const radiusMm = medianLength();
  const samples: number[] = [];
  const sampleDistancesMm: number[] = [];
  RAY_DIRECTIONS.forEach((d, r) => {
    const end = Math.min(lengths[r], 1.2 * radiusMm) - 1;
    for (let t = 0; t <= end; t += 0.4) {
      const q = indexAt([c[0] + d[0] * t, c[1] + d[1] * t, c[2] + d[2] * t]);
      if (q < 0) continue;
      samples.push(values[q]);
      sampleDistancesMm.push(t);
    }
  });
  const centre = indexAt(c);
  const lungEnded = inLung.reduce((a, b) => a + b, 0);
  return {
    centre: centre >= 0 ? centre : start,
    radiusMm,
    samples,
    sampleDistancesMm,
    lungEndedFraction: lungEnded / RAY_DIRECTIONS.length,
    lungEndedFractionInImage: lungEnded / (RAY_DIRECTIONS.length - leftImage.reduce((a, b) => a + b, 0)),
  };
}
