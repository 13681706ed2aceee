import { describe, expect, it } from 'vitest';
import { gaussianBlur3d, gaussianKernel } from '../../../electron/engine/imaging/gaussian.js';
import { quantileBySelection, quantileSorted } from '../../../electron/engine/segmentation/quantile.js';
import { refineBoundaryByLocalContrast } from '../../../electron/engine/segmentation/boundary-refine.js';
import { geodesicDistance } from '../../../electron/engine/segmentation/geodesic.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import { labelBoundingBox, padBoundingBox } from '../../../electron/engine/imaging/volume.js';
import { fillHoles3d, keepComponent, labelComponents } from '../../../electron/engine/segmentation/components.js';
import {
  closeMmCoarse,
  closeMmCoarseEdgeReplicated,
  closeMmEdgeReplicated,
  squaredDepthInside,
  squaredDistanceToFeatures,
} from '../../../electron/engine/segmentation/distance-transform.js';

/** A small deterministic generator (LCG), so every run sees the same volumes. */
function generator(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function randomMask(random: () => number, dims: Vec3, density: number): Uint8Array {
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let o = 0; o < mask.length; o++) mask[o] = random() < density ? 1 : 0;
  return mask;
}

function ijk(o: number, dims: Vec3): Vec3 {
  return [o % dims[0], Math.floor(o / dims[0]) % dims[1], Math.floor(o / (dims[0] * dims[1]))];
}

/** Brute force: squared distance (mm²) from every voxel to the nearest voxel where `isFeature` holds. */
function bruteForce(dims: Vec3, spacing: Vec3, isFeature: (o: number) => boolean): Float64Array {
  const n = dims[0] * dims[1] * dims[2];
  const features: Vec3[] = [];
  for (let o = 0; o < n; o++) if (isFeature(o)) features.push(ijk(o, dims));
  return Float64Array.from({ length: n }, (_, o) => {
    const v = ijk(o, dims);
    let best = Infinity;
    for (const p of features) best = Math.min(best, ((v[0] - p[0]) * spacing[0]) ** 2 + ((v[1] - p[1]) * spacing[1]) ** 2 + ((v[2] - p[2]) * spacing[2]) ** 2);
    return best;
  });
}

const CASES = Array.from({ length: 24 }, (_, c) => {
  const random = generator(1000 + c);
  const dims: Vec3 = [1 + Math.floor(random() * 14), 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 8)];
  const spacing: Vec3 = [0.4 + random(), 0.4 + random(), 0.6 + 2 * random()];
  return { random, dims, spacing, mask: randomMask(random, dims, [0.02, 0.2, 0.6, 0.95][c % 4]) };
});

describe('distance transform (rewritten passes)', () => {
  it('equals brute force on small random volumes with anisotropic spacing, to features and to the complement', () => {
    for (const { dims, spacing, mask } of CASES) {
      const toSet = squaredDistanceToFeatures(mask, dims, spacing);
      const toUnset = squaredDistanceToFeatures(mask, dims, spacing, { unsetAreFeatures: true });
      const expectSet = bruteForce(dims, spacing, (o) => mask[o] === 1);
      const expectUnset = bruteForce(dims, spacing, (o) => mask[o] === 0);
      for (let o = 0; o < mask.length; o++) {
        if (expectSet[o] === Infinity) expect(toSet[o]).toBe(Infinity);
        else expect(toSet[o]).toBeCloseTo(expectSet[o], 9);
        if (expectUnset[o] === Infinity) expect(toUnset[o]).toBe(Infinity);
        else expect(toUnset[o]).toBeCloseTo(expectUnset[o], 9);
      }
    }
  });

  it('with a limit, distances within it are unchanged and the others are Infinity', () => {
    for (const { dims, spacing, mask } of CASES) {
      const limitMm = 1.7;
      const full = squaredDistanceToFeatures(mask, dims, spacing);
      const limited = squaredDistanceToFeatures(mask, dims, spacing, { limitMm });
      for (let o = 0; o < mask.length; o++) expect(limited[o]).toBe(full[o] <= limitMm * limitMm ? full[o] : Infinity);
    }
  });

  it('depth inside a mask, transformed in its grown box only, is the transform of its complement bit for bit', () => {
    for (const { dims, spacing, random } of CASES) {
      // A ball-shaped mask somewhere in the grid, so that its box is smaller than the grid.
      const c = dims.map((n) => random() * n);
      const r = 1 + random() * 4;
      const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, o) => {
        const v = ijk(o, dims);
        return Math.hypot(v[0] - c[0], v[1] - c[1], v[2] - c[2]) < r ? 1 : 0;
      });
      const complement = mask.map((v) => 1 - v);
      expect(Array.from(squaredDepthInside(mask, dims, spacing))).toEqual(Array.from(squaredDistanceToFeatures(complement, dims, spacing)));
    }
  });

  it('a box holding every feature gives the whole grid values inside it', () => {
    for (const { dims, spacing, mask } of CASES) {
      const box = labelBoundingBox({ dims, voxels: mask });
      if (!box) continue;
      const full = squaredDistanceToFeatures(mask, dims, spacing);
      const inBox = squaredDistanceToFeatures(mask, dims, spacing, { box });
      for (let o = 0; o < mask.length; o++) {
        const v = ijk(o, dims);
        const inside = v.every((x, a) => x >= box.minIjk[a] && x <= box.maxIjk[a]);
        expect(inBox[o]).toBe(inside ? full[o] : Infinity);
      }
    }
  });
});

describe('closing and hole filling (rewritten)', () => {
  it('the coarse edge-replicated closing equals padding, coarse closing and cropping, voxel for voxel', () => {
    const random = generator(7);
    for (const radiusMm of [3, 6, 12]) {
      const dims: Vec3 = [30, 26, 14];
      const spacing: Vec3 = [0.68, 0.68, 1];
      // Lung-like: a large blob with a bite and noise.
      const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, o) => {
        const v = ijk(o, dims);
        return Math.hypot(v[0] - 12, v[1] - 10, (v[2] - 6) * 1.5) < 12 && !(v[0] > 18 && Math.abs(v[1] - 10) < 3) && random() > 0.05 ? 1 : 0;
      });
      const expected = closeMmEdgeReplicated(mask, dims, spacing, radiusMm, closeMmCoarse);
      expect(Array.from(closeMmCoarseEdgeReplicated(mask, dims, spacing, radiusMm))).toEqual(Array.from(expected));
    }
  });

  it('fillHoles3d fills exactly the background not connected to the border (brute-force reference)', () => {
    for (const { dims, random } of CASES) {
      // A random mask inside a sub-box, dense enough to enclose cavities.
      const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (let o = 0; o < mask.length; o++) {
        const v = ijk(o, dims);
        if (v.every((x, a) => x >= 1 && x < dims[a] - 1 && x <= 6)) mask[o] = random() < 0.7 ? 1 : 0;
      }
      // Reference: repeat until stable — background next to the border or to reached background is reached.
      const reached = new Uint8Array(mask.length);
      const border = (v: Vec3) => v.some((x, a) => dims[a] > 1 && (x === 0 || x === dims[a] - 1));
      for (let o = 0; o < mask.length; o++) if (!mask[o] && border(ijk(o, dims))) reached[o] = 1;
      for (let changed = true; changed;) {
        changed = false;
        for (let o = 0; o < mask.length; o++) {
          if (mask[o] || reached[o]) continue;
          const v = ijk(o, dims);
          for (const [a, d] of [0, 1, 2].flatMap((axis) => [[axis, -1] as const, [axis, 1] as const])) {
            const w: Vec3 = [...v];
            w[a] += d;
            if (w[a] < 0 || w[a] >= dims[a]) continue;
            if (reached[w[0] + dims[0] * (w[1] + dims[1] * w[2])]) {
              reached[o] = 1;
              changed = true;
              break;
            }
          }
        }
      }
      expect(Array.from(fillHoles3d(mask, dims))).toEqual(Array.from(reached, (r) => 1 - r));
    }
  });

  it('keepComponent of a voxel equals the labelled component that holds it', () => {
    for (const { dims, mask, random } of CASES) {
      const { labels } = labelComponents(mask, dims, 26);
      const index = Math.floor(random() * mask.length);
      const expected = Array.from(labels, (l) => (labels[index] && l === labels[index] ? 1 : 0));
      expect(Array.from(keepComponent(mask, dims, index, 26))).toEqual(expected);
    }
  });

  it('labelBoundingBox (row by row, word by word where rows are whole words) equals the box of every set voxel; padBoundingBox clips to the grid', () => {
    const random = generator(5);
    const wordRows = [0.001, 0.01, 0.1].map((density) => {
      const dims: Vec3 = [12, 9, 6];
      return { dims, mask: randomMask(random, dims, density) };
    });
    for (const { dims, mask } of [...CASES, ...wordRows]) {
      const set = Array.from(mask.keys()).filter((o) => mask[o]);
      const box = labelBoundingBox({ dims, voxels: mask });
      if (!set.length) {
        expect(box).toBeNull();
        continue;
      }
      const points = set.map((o) => ijk(o, dims));
      expect(box).toEqual({
        minIjk: [0, 1, 2].map((a) => points.reduce((m, p) => Math.min(m, p[a]), Infinity)),
        maxIjk: [0, 1, 2].map((a) => points.reduce((m, p) => Math.max(m, p[a]), -Infinity)),
      });
      expect(padBoundingBox(box!, dims, 1).minIjk.every((v) => v >= 0)).toBe(true);
    }
  });
});

describe('Gaussian blur (padded lines)', () => {
  it('equals the clamped-index sum, bit for bit', () => {
    const random = generator(3);
    const dims: Vec3 = [9, 7, 5];
    const spacing: Vec3 = [0.7, 0.7, 1.25];
    const data = Float32Array.from({ length: 9 * 7 * 5 }, () => Math.round(-1000 + 1400 * random()));
    const blurred = data.slice();
    gaussianBlur3d(blurred, dims, spacing, [0.5, 0.5, 0.5]);
    // Reference: the same separable sum with the index clamped at the edges.
    const expected = data.slice();
    const strides = [1, 9, 63];
    for (let axis = 0; axis < 3; axis++) {
      const kernel = gaussianKernel(0.5 / spacing[axis]);
      const radius = (kernel.length - 1) / 2;
      const n = dims[axis];
      const [oa, ob] = [0, 1, 2].filter((a) => a !== axis);
      for (let b = 0; b < dims[ob]; b++)
        for (let a = 0; a < dims[oa]; a++) {
          const start = a * strides[oa] + b * strides[ob];
          const line = Array.from({ length: n }, (_, p) => expected[start + p * strides[axis]]);
          for (let p = 0; p < n; p++) {
            let s = 0;
            for (let q = -radius; q <= radius; q++) s += kernel[q + radius] * line[Math.min(n - 1, Math.max(0, p + q))];
            expected[start + p * strides[axis]] = s;
          }
        }
    }
    expect(Array.from(blurred)).toEqual(Array.from(expected));
  });
});

describe('quantile by selection', () => {
  it('equals the quantile of the sorted values exactly, with ties, small samples and a constant sample', () => {
    const random = generator(11);
    for (let t = 0; t < 60; t++) {
      const n = 1 + Math.floor(random() * (t % 3 === 0 ? 5 : 3000));
      const values = Float32Array.from({ length: n }, () => (t % 4 === 0 ? Math.round(random() * 20) : -985 + 385 * random()));
      if (t === 7) values.fill(-850.5);
      for (const q of [0, 0.3, 0.5, 0.98, 1]) expect(quantileBySelection(values, q)).toBe(quantileSorted(values.slice().sort(), q));
    }
    expect(quantileBySelection(new Float32Array(0), 0.5)).toBeNaN();
  });
});

describe('boundary refinement and geodesic distance (index steps inside the grid)', () => {
  it('refinement equals the bounds-checked window sums everywhere, near the edge included', () => {
    for (const { dims, spacing, random } of CASES) {
      const n = dims[0] * dims[1] * dims[2];
      const c = dims.map((d) => random() * d);
      const r = 1 + random() * 5;
      const region = Uint8Array.from({ length: n }, (_, o) => {
        const v = ijk(o, dims);
        return Math.hypot(v[0] - c[0], v[1] - c[1], v[2] - c[2]) < r ? 1 : 0;
      });
      const allowed = Uint8Array.from({ length: n }, () => (random() < 0.9 ? 1 : 0));
      const values = Float32Array.from({ length: n }, () => -1100 + 1600 * random());
      const options = { windowMm: 1 + 2 * random(), fraction: 0.3, ceilingHu: 100 };
      // Reference: every in-plane edge voxel decided on its window's means, offsets checked against the grid.
      const expected = region.slice();
      const reach = spacing.map((s, a) => Math.min(dims[a] - 1, Math.floor(options.windowMm / s)));
      for (let o = 0; o < n; o++) {
        const [i, j, k] = ijk(o, dims);
        let edge = false;
        for (let dj = -1; dj <= 1; dj++)
          for (let di = -1; di <= 1; di++) {
            const a = i + di;
            const b = j + dj;
            if ((di || dj) && a >= 0 && b >= 0 && a < dims[0] && b < dims[1] && region[a + dims[0] * (b + dims[1] * k)] !== region[o]) edge = true;
          }
        if (!allowed[o] || !edge) continue;
        let sumIn = 0;
        let countIn = 0;
        let sumOut = 0;
        let countOut = 0;
        for (let dk = -reach[2]; dk <= reach[2]; dk++)
          for (let dj = -reach[1]; dj <= reach[1]; dj++)
            for (let di = -reach[0]; di <= reach[0]; di++) {
              if ((di * spacing[0]) ** 2 + (dj * spacing[1]) ** 2 + (dk * spacing[2]) ** 2 > options.windowMm ** 2) continue;
              const w: Vec3 = [i + di, j + dj, k + dk];
              if (w.some((x, a) => x < 0 || x >= dims[a])) continue;
              const q = w[0] + dims[0] * (w[1] + dims[1] * w[2]);
              if (values[q] > options.ceilingHu) continue;
              if (region[q]) {
                sumIn += values[q];
                countIn++;
              } else if (values[q] > -1000) {
                sumOut += values[q];
                countOut++;
              }
            }
        if (!countIn || !countOut) continue;
        const outside = sumOut / countOut;
        expected[o] = values[o] >= outside + options.fraction * (sumIn / countIn - outside) ? 1 : 0;
      }
      expect(Array.from(refineBoundaryByLocalContrast(region, values, dims, spacing, allowed, options))).toEqual(Array.from(expected));
    }
  });

  it('the geodesic distance equals shortest paths over 26-neighbour steps (relaxed until stable)', () => {
    for (const { dims, spacing, random } of CASES.slice(0, 12)) {
      const n = dims[0] * dims[1] * dims[2];
      const region = Uint8Array.from({ length: n }, () => (random() < 0.75 ? 1 : 0));
      const from = Math.floor(random() * n);
      const expected = new Float64Array(n).fill(Infinity);
      if (region[from]) expected[from] = 0;
      for (let changed = true; changed;) {
        changed = false;
        for (let o = 0; o < n; o++) {
          if (!region[o] || expected[o] === Infinity) continue;
          const v = ijk(o, dims);
          for (let dk = -1; dk <= 1; dk++)
            for (let dj = -1; dj <= 1; dj++)
              for (let di = -1; di <= 1; di++) {
                const w: Vec3 = [v[0] + di, v[1] + dj, v[2] + dk];
                if (w.some((x, a) => x < 0 || x >= dims[a])) continue;
                const q = w[0] + dims[0] * (w[1] + dims[1] * w[2]);
                const d = expected[o] + Math.hypot(di * spacing[0], dj * spacing[1], dk * spacing[2]);
                if (region[q] && d < expected[q] - 1e-9) {
                  expected[q] = d;
                  changed = true;
                }
              }
        }
      }
      const got = geodesicDistance(region, dims, spacing, from);
      for (let o = 0; o < n; o++) {
        if (expected[o] === Infinity) expect(got[o]).toBe(Infinity);
        else expect(got[o]).toBeCloseTo(expected[o], 9);
      }
    }
  });
});
