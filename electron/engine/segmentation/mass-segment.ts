import { type Finding, HilumError } from '../core/errors.js';
import { gaussianBlur3d } from '../imaging/gaussian.js';
import type { Vec3 } from '../imaging/vec.js';
import type { Volume } from '../imaging/volume.js';
import { fillHoles3d, fillHolesAxial, floodFill, keepComponent } from './components.js';
import { dilateMm, erodeMm } from './distance-transform.js';

/** Smoothing before thresholding (Gaussian σ, mm): averages noise over ~3 voxels in-plane, moves no edge. */
const SMOOTHING_MM = 1;
/**
 * Tumour window (smoothed HU). Low end −400: near the middle of the partial-volume ramp between
 * aerated lung (≈ −850) and soft tissue (≈ +40), so the edge falls where the surface is. High end
 * +250: keeps enhancing tumour and blood, drops cortical bone (> 300).
 */
const WINDOW_HU: [number, number] = [-400, 250];
/** Bone (smoothed HU): ribs, spine, sternum; their per-slice convex hull bounds the thoracic cavity. */
const BONE_HU = 300;
/** A slice needs this many bone voxels for its hull to count (fewer: the cage is not in view, no limit). */
const MIN_BONE_VOXELS = 20;
/**
 * Opening radius (mm): bridges to the heart, chest wall or collapsed lung narrower than 2 cm are cut.
 * Smaller radii are tried in turn when the tumour is too small to survive the erosion.
 */
const OPENING_RADII_MM = [10, 6, 3];
/** Chords cast to find the mass's centre and median radius (Fibonacci sphere directions, both ways), 0.5 mm steps. */
const RAY_COUNT = 200;
const RAY_STEP_MM = 0.5;
/**
 * Ray lengths are capped at 0.8× their median before the centre is estimated, so a ray running into a
 * leak weighs no more than one ending on the mass's surface. A ball's centre stays a fixed point
 * (all its rays are equal), but one pass moves only part of the way there: 8 passes are made.
 */
const RAY_CAP = 0.8;
const CENTRE_PASSES = 8;
/** A ray goes on through gaps up to this long (mm): vacuoles and necrosis inside the mass. */
const RAY_GAP_MM = 3;
/**
 * The mass is kept within 1.2 R of its centre (R: median ray length): an ellipsoid of axis ratio up
 * to ~1.4 fits (its median ray is below its mean radius), while tissue reached well beyond is a leak.
 */
const RADIUS_LIMIT = 1.2;
/**
 * With a box, the mass is kept within the ellipsoid inscribed in it, its semi-axes grown by 15%: a
 * mass touching the faces keeps its rounded shoulders, while the box's corners (√3 ≈ 1.7 semi-axes
 * from the centre) are dropped.
 */
const BOX_ELLIPSOID_SCALE = 1.15;
/** Search half-width (mm) without a box: a 10 cm mass clicked up to 1 cm off its centre fits. */
const DEFAULT_HALF_WIDTH_MM = 60;
/** Below this volume (mL) the result is better done by the nodule tool: a warning, not an error. */
const SMALL_MASS_ML = 4;

export interface MassSegmentResult {
  mask: Uint8Array;
  findings: Finding[];
}

/**
 * Segments a large lung mass (up to ~10 cm) that broadly touches the chest wall or mediastinum,
 * from one click inside it and an optional inclusive voxel box drawn around it.
 * 1. Work region: the box, or a cube of ±60 mm around the seed. The CT is smoothed (σ 1 mm).
 * 2. Candidates: smoothed HU in [−400, +250], inside the per-slice convex hull of bone (> 300 HU)
 *    computed on whole slices: the rib cage, so the chest-wall muscles outside it are dropped.
 * 3. Compactness: with a box, the candidates stay inside its inscribed ellipsoid grown by 15%; without,
 *    within 1.2 R of the mass's centre (R: median length of rays cast from it).
 * 4. Opening with a 10 mm ball (6 or 3 mm when the mass is too small): the eroded piece nearest the
 *    seed is kept and dilated back within the candidates, cutting bridges to the heart and wall.
 * 5. The piece holding the seed stays; cavities are filled (3-D, then slice by slice).
 * A seed outside the window (air, lung, bone) gives NO_NODULE_AT_SEED. The result is the full grid's
 * mask (1 = mass). The box is a hard limit: a mass cut by it is reported in the findings.
 */
export function segmentMass(ct: Volume, seedVoxel: Vec3, box: { lo: Vec3; hi: Vec3 } | null): MassSegmentResult {
  const { dims, spacingMm } = ct;
  const [nx, ny, nz] = dims;
  const seed = seedVoxel.map(Math.round) as Vec3;
  if (seed.some((v, a) => v < 0 || v >= dims[a]))
    throw new HilumError({ code: 'SEED_OUTSIDE_IMAGE', message: `the click [${seed.join(', ')}] is outside the image of size ${dims.join('×')}` });
  const region = workRegion(seed, box, dims, spacingMm);
  const [lo, hi] = [region.lo, region.hi];
  const sub: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const [sx, sy, sz] = sub;

  // Smoothed HU of the region plus a margin of 3σ, so the blur at its faces sees real neighbours.
  const margin = spacingMm.map((s) => Math.ceil((3 * SMOOTHING_MM) / s)) as Vec3;
  const pLo = lo.map((v, a) => Math.max(0, v - margin[a])) as Vec3;
  const pHi = hi.map((v, a) => Math.min(dims[a] - 1, v + margin[a])) as Vec3;
  const padded = copyBlock(ct.voxels, dims, pLo, pHi);
  const pDims: Vec3 = [pHi[0] - pLo[0] + 1, pHi[1] - pLo[1] + 1, pHi[2] - pLo[2] + 1];
  gaussianBlur3d(padded, pDims, spacingMm, [SMOOTHING_MM, SMOOTHING_MM, SMOOTHING_MM]);
  const hu = new Float32Array(sx * sy * sz);
  for (let k = 0; k < sz; k++)
    for (let j = 0; j < sy; j++) {
      const src = lo[0] - pLo[0] + pDims[0] * (j + lo[1] - pLo[1] + pDims[1] * (k + lo[2] - pLo[2]));
      hu.set(padded.subarray(src, src + sx), sx * (j + sy * k));
    }

  const seedSub = seed[0] - lo[0] + sx * (seed[1] - lo[1] + sy * (seed[2] - lo[2]));
  const seedHu = hu[seedSub];
  if (!(seedHu >= WINDOW_HU[0] && seedHu <= WINDOW_HU[1])) {
    const what = seedHu < WINDOW_HU[0] ? 'air or aerated lung' : 'bone';
    throw new HilumError({
      code: 'NO_NODULE_AT_SEED',
      message: `no mass at the click: it lies on ${what} (${Math.round(seedHu)} HU)`,
      hint: 'Click inside the tumour, on soft tissue.',
      data: { seedVoxel: seed, hu: Math.round(seedHu) },
    });
  }

  const cavity = boneHullMask(ct.voxels, dims, lo, hi);
  const candidate = new Uint8Array(hu.length);
  for (let o = 0; o < hu.length; o++) candidate[o] = hu[o] >= WINDOW_HU[0] && hu[o] <= WINDOW_HU[1] && cavity[o] ? 1 : 0;
  if (!candidate[seedSub])
    throw new HilumError({
      code: 'NO_NODULE_AT_SEED',
      message: 'no mass at the click: it lies outside the rib cage',
      hint: 'Click inside the tumour, on soft tissue.',
      data: { seedVoxel: seed },
    });
  const reachable = floodFill(sub, [seedSub], (q) => candidate[q] === 1, 6);

  // Compactness. With a box: the mass is kept within the ellipsoid inscribed in the box, grown by
  // 15%; the box's corners, where the wall and collapsed lung lie, go. Without one: rays from the seed
  // find the mass's centre, rays from the centre its median radius R, and what lies farther than
  // 1.2 R from the centre is a leak (collapsed lung, heart, wall).
  const seedLocal = seed.map((v, a) => v - lo[a]) as Vec3;
  let centre = seedLocal;
  let semiAxesMm: Vec3;
  let radiusMm: number | null = null;
  if (box) {
    centre = [0, 1, 2].map((a) => (hi[a] - lo[a]) / 2) as Vec3;
    semiAxesMm = [0, 1, 2].map((a) => BOX_ELLIPSOID_SCALE * ((hi[a] - lo[a]) / 2 + 0.5) * spacingMm[a]) as Vec3;
  } else {
    for (let pass = 0; pass < CENTRE_PASSES; pass++) {
      const next = castRays(reachable, sub, centre, spacingMm).centre;
      if (reachable[next[0] + sx * (next[1] + sy * next[2])]) centre = next;
    }
    radiusMm = castRays(reachable, sub, centre, spacingMm).radiusMm;
    semiAxesMm = [RADIUS_LIMIT * radiusMm, RADIUS_LIMIT * radiusMm, RADIUS_LIMIT * radiusMm];
  }
  const scale = [0, 1, 2].map((a) => spacingMm[a] / Math.max(semiAxesMm[a], 1e-6));
  for (let k = 0, o = 0; k < sz; k++)
    for (let j = 0; j < sy; j++)
      for (let i = 0; i < sx; i++, o++)
        if (((i - centre[0]) * scale[0]) ** 2 + ((j - centre[1]) * scale[1]) ** 2 + ((k - centre[2]) * scale[2]) ** 2 > 1) reachable[o] = 0;
  if (!reachable[seedSub])
    throw new HilumError({
      code: 'NO_NODULE_AT_SEED',
      message: 'no mass at the click: it lies in a corner of the box, away from the mass it bounds',
      hint: 'Click inside the tumour, near the middle of the box.',
      data: { seedVoxel: seed },
    });

  let mask: Uint8Array | null = null;
  let usedRadius = 0;
  for (const radius of OPENING_RADII_MM) {
    const eroded = erodeMm(reachable, sub, spacingMm, radius);
    const core = nearestVoxel(eroded, sub, seedLocal, spacingMm);
    if (core < 0) continue;
    const opened = dilateMm(keepComponent(eroded, sub, core, 6), sub, spacingMm, radius);
    for (let o = 0; o < opened.length; o++) opened[o] &= reachable[o];
    const start = opened[seedSub] ? seedSub : core;
    mask = keepComponent(opened, sub, start, 6);
    usedRadius = radius;
    break;
  }
  mask ??= reachable;
  mask = fillHolesAxial(fillHoles3d(mask, sub), sub);

  const findings: Finding[] = [];
  let count = 0;
  for (let o = 0; o < mask.length; o++) count += mask[o];
  const volumeMl = (count * spacingMm[0] * spacingMm[1] * spacingMm[2]) / 1000;
  findings.push({
    code: 'MASS_SEGMENTED',
    severity: 'info',
    message: `mass of ${volumeMl.toFixed(1)} mL segmented (opening ${usedRadius} mm)`,
    data: { volumeMl, voxels: count, openingRadiusMm: usedRadius, radiusMm, centreVoxel: centre.map((v, a) => Math.round(v + lo[a])), box: region },
  });
  if (volumeMl < SMALL_MASS_ML)
    findings.push({
      code: 'MASS_SMALL',
      severity: 'warning',
      message: `the result is small (${volumeMl.toFixed(1)} mL) for a mass`,
      hint: 'For a nodule under 3 cm use the nodule click tool.',
    });
  const touched = touchedFaces(mask, sub);
  if (touched.length)
    findings.push({
      code: box ? 'MASS_CUT_BY_BOX' : 'MASS_AT_SEARCH_EDGE',
      severity: 'warning',
      message: `the mass reaches the ${box ? 'box' : 'search region'} on its ${touched.join(', ')} side${touched.length > 1 ? 's' : ''}`,
      hint: box ? 'Draw the box a little larger if the tumour goes on beyond it.' : 'Draw a box around the tumour to bound it.',
      data: { faces: touched },
    });

  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < sz; k++)
    for (let j = 0; j < sy; j++) {
      const src = sx * (j + sy * k);
      out.set(mask.subarray(src, src + sx), lo[0] + nx * (lo[1] + j + ny * (lo[2] + k)));
    }
  return { mask: out, findings };
}

/** The user's box clipped to the grid (it must hold the seed), or a ±60 mm cube around the seed. */
function workRegion(seed: Vec3, box: { lo: Vec3; hi: Vec3 } | null, dims: Vec3, spacingMm: Vec3): { lo: Vec3; hi: Vec3 } {
  const clip = (v: number, a: number) => Math.min(dims[a] - 1, Math.max(0, Math.round(v)));
  if (!box) {
    const half = spacingMm.map((s) => Math.ceil(DEFAULT_HALF_WIDTH_MM / s));
    return { lo: seed.map((v, a) => clip(v - half[a], a)) as Vec3, hi: seed.map((v, a) => clip(v + half[a], a)) as Vec3 };
  }
  const lo = box.lo.map((v, a) => clip(Math.min(v, box.hi[a]), a)) as Vec3;
  const hi = box.hi.map((v, a) => clip(Math.max(v, box.lo[a]), a)) as Vec3;
  if (seed.some((v, a) => v < lo[a] || v > hi[a]))
    throw new HilumError({
      code: 'SEED_OUTSIDE_BOX',
      message: `the click [${seed.join(', ')}] is outside the box [${lo.join(', ')}]–[${hi.join(', ')}]`,
      hint: 'Click inside the tumour, within the box you drew.',
    });
  return { lo, hi };
}

/** Float32 copy of an inclusive block of the CT. */
function copyBlock(voxels: ArrayLike<number>, dims: Vec3, lo: Vec3, hi: Vec3): Float32Array {
  const [nx, ny] = dims;
  const [bx, by, bz] = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const out = new Float32Array(bx * by * bz);
  for (let k = 0, o = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const row = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
      for (let i = 0; i < bx; i++, o++) out[o] = voxels[row + i];
    }
  return out;
}

/**
 * Per axial slice, the convex hull of the bone voxels (HU > 300) of the whole slice, rasterised on the
 * region: the rib cage with spine and sternum bounds the thoracic cavity, and the chest-wall muscles
 * lie outside it. A slice with fewer than 20 bone voxels is left unlimited. Raw HU: smoothing would
 * dim thin ribs below the bone level.
 */
function boneHullMask(voxels: ArrayLike<number>, dims: Vec3, lo: Vec3, hi: Vec3): Uint8Array {
  const [nx, ny] = dims;
  const [sx, sy, sz] = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const out = new Uint8Array(sx * sy * sz);
  for (let k = lo[2]; k <= hi[2]; k++) {
    // The first and last bone voxel of each row are all the hull needs.
    const points: [number, number][] = [];
    let bone = 0;
    for (let j = 0; j < ny; j++) {
      let first = -1;
      let last = -1;
      const row = nx * (j + ny * k);
      for (let i = 0; i < nx; i++)
        if (voxels[row + i] > BONE_HU) {
          if (first < 0) first = i;
          last = i;
          bone++;
        }
      if (first >= 0) points.push([first, j]);
      if (last > first) points.push([last, j]);
    }
    const hull = bone >= MIN_BONE_VOXELS ? convexHull(points) : null;
    const base = sx * sy * (k - lo[2]);
    if (!hull || hull.length < 3) {
      out.fill(1, base, base + sx * sy);
      continue;
    }
    for (let j = 0; j < sy; j++) for (let i = 0; i < sx; i++) if (insideConvex(hull, i + lo[0], j + lo[1])) out[base + i + sx * j] = 1;
  }
  return out;
}

/** Andrew's monotone chain: the hull's vertices counter-clockwise (in i, j), collinear points dropped. */
function convexHull(points: [number, number][]): [number, number][] {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (let n = p.length - 1; n >= 0; n--) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p[n]) <= 0) upper.pop();
    upper.push(p[n]);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Point in a counter-clockwise convex polygon: on the left of (or on) every edge. */
function insideConvex(hull: [number, number][], x: number, y: number): boolean {
  for (let e = 0; e < hull.length; e++) {
    const [a, b] = [hull[e], hull[(e + 1) % hull.length]];
    if ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) < 0) return false;
  }
  return true;
}

/**
 * Casts RAY_COUNT chords (a ray each way) from `from` through the set, each ray crossing gaps ≤ 3 mm
 * to where the set ends; lengths are capped at RAY_CAP× their median, so leaks weigh little. For a
 * ball of centre c (uncapped), the mean over uniform directions d of ((L₊ − L₋)/2)·d is (c − from)/3,
 * hence centre = from + 3·mean(((L₊ − L₋)/2)·d). The radius is the median ray length (mm).
 */
function castRays(set: Uint8Array, dims: Vec3, from: Vec3, spacingMm: Vec3): { centre: Vec3; radiusMm: number } {
  const [nx, ny, nz] = dims;
  const maxMm = Math.hypot(nx * spacingMm[0], ny * spacingMm[1], nz * spacingMm[2]);
  const rayLength = (d: Vec3) => {
    let last = 0;
    for (let t = RAY_STEP_MM; t < maxMm && t - last <= RAY_GAP_MM; t += RAY_STEP_MM) {
      const i = Math.round(from[0] + (d[0] * t) / spacingMm[0]);
      const j = Math.round(from[1] + (d[1] * t) / spacingMm[1]);
      const k = Math.round(from[2] + (d[2] * t) / spacingMm[2]);
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) break;
      if (set[i + nx * (j + ny * k)]) last = t;
    }
    return last;
  };
  const directions: Vec3[] = [];
  const plus: number[] = [];
  const minus: number[] = [];
  for (let n = 0; n < RAY_COUNT; n++) {
    const z = 1 - (2 * (n + 0.5)) / RAY_COUNT;
    const r = Math.sqrt(1 - z * z);
    const phi = n * Math.PI * (3 - Math.sqrt(5));
    const d: Vec3 = [r * Math.cos(phi), r * Math.sin(phi), z];
    directions.push(d);
    plus.push(rayLength(d));
    minus.push(rayLength([-d[0], -d[1], -d[2]]));
  }
  const sorted = plus.concat(minus).sort((x, y) => x - y);
  const radiusMm = sorted[Math.floor(sorted.length / 2)];
  const cap = RAY_CAP * radiusMm;
  const shift = [0, 0, 0];
  for (let n = 0; n < RAY_COUNT; n++) {
    const half = (Math.min(plus[n], cap) - Math.min(minus[n], cap)) / 2;
    for (let a = 0; a < 3; a++) shift[a] += (3 * half * directions[n][a]) / RAY_COUNT;
  }
  const centre = [0, 1, 2].map((a) => Math.round(from[a] + shift[a] / spacingMm[a])) as Vec3;
  return { centre, radiusMm };
}

/** Index of the set voxel nearest (mm) to `p`, or −1 when the mask is empty. */
function nearestVoxel(mask: Uint8Array, dims: Vec3, p: Vec3, spacingMm: Vec3): number {
  const [nx, ny] = dims;
  const plane = nx * ny;
  let best = -1;
  let bestD = Infinity;
  for (let o = 0; o < mask.length; o++) {
    if (!mask[o]) continue;
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    const i = o - k * plane - j * nx;
    const d = ((i - p[0]) * spacingMm[0]) ** 2 + ((j - p[1]) * spacingMm[1]) ** 2 + ((k - p[2]) * spacingMm[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best;
}

/** The faces of the region the mask touches (a face of one voxel's thickness is ignored). */
function touchedFaces(mask: Uint8Array, dims: Vec3): string[] {
  const [nx, ny, nz] = dims;
  const names = ['−i', '+i', '−j', '+j', '−k', '+k'];
  const hit = [false, false, false, false, false, false];
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        if (!mask[o]) continue;
        if (nx > 1 && i === 0) hit[0] = true;
        if (nx > 1 && i === nx - 1) hit[1] = true;
        if (ny > 1 && j === 0) hit[2] = true;
        if (ny > 1 && j === ny - 1) hit[3] = true;
        if (nz > 1 && k === 0) hit[4] = true;
        if (nz > 1 && k === nz - 1) hit[5] = true;
      }
  return names.filter((_, n) => hit[n]);
}
