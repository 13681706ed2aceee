import type { Vec3 } from '../imaging/vec.js';
import { add, cross, dot, norm, normalize, scale, sub } from '../imaging/vec.js';
import type { Random } from './random.js';
import { type ThoraxAnatomy, lungSide } from './thorax.js';
import type { RenderGrid } from './render-grid.js';

/** Smallest vessel drawn (radius, mm): about the limit a 1 mm CT resolves. */
const MIN_RADIUS_MM = 0.4;

export type SegmentKind = 'artery' | 'vein' | 'airway';

/** A tapered tube between two points (radius r0 at p0, r1 at p1), in LPS mm. */
export interface TubeSegment {
  p0: Vec3;
  p1: Vec3;
  r0: number;
  r1: number;
  kind: SegmentKind;
}

/**
 * Pulmonary artery and vein trees grown from each hilum into its lung, plus the bronchial tree
 * running beside the arteries. Each branch is 6 radii long (±), splits in two with radius ratios
 * 0.84 and 0.68 (near Murray's cube law, r³ = r₁³ + r₂³) and turns 20–45° towards a target point in the lung;
 * growth stops below 0.45 mm or where a branch would leave the lung.
 */
export function growTrees(a: ThoraxAnatomy, rng: Random): TubeSegment[] {
  const segments: TubeSegment[] = [];
  for (const side of [-1, 1] as const) {
    const hilum = side < 0 ? a.hilumRight : a.hilumLeft;
    for (const kind of ['artery', 'vein'] as const) {
      const origin: Vec3 = kind === 'artery' ? hilum : add(hilum, [0, 6 * a.scale, -14]);
      const roots = 10;
      for (let r = 0; r < roots; r++) {
        const target = randomLungPoint(a, side, rng);
        if (!target) continue;
        const dir = normalize(sub(target, origin));
        grow(a, side, rng, segments, origin, dir, kind === 'artery' ? 4.2 : 4.6, target, kind, 0);
      }
    }
  }
  // Airways beside the larger arteries, offset sideways by both radii plus a millimetre.
  const arteries = segments.filter((s) => s.kind === 'artery' && s.r0 >= 1.1);
  for (const s of arteries) {
    const axis = normalize(sub(s.p1, s.p0));
    const side = normalize(cross(axis, Math.abs(axis[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0]));
    const offset = scale(side, s.r0 * 1.85 + 1);
    const p0 = add(s.p0, offset);
    const p1 = add(s.p1, offset);
    if (lungSide(a, ...p0) === 0 || lungSide(a, ...p1) === 0) continue;
    segments.push({ p0, p1, r0: s.r0 * 0.85, r1: s.r1 * 0.85, kind: 'airway' });
  }
  // Main bronchi from the carina to each hilum.
  segments.push({ p0: a.carina, p1: a.hilumRight, r0: 7, r1: 6, kind: 'airway' });
  segments.push({ p0: a.carina, p1: a.hilumLeft, r0: 6.5, r1: 5.5, kind: 'airway' });
  return segments;
}

function grow(
  a: ThoraxAnatomy,
  side: -1 | 1,
  rng: Random,
  out: TubeSegment[],
  start: Vec3,
  initialDir: Vec3,
  radius: number,
  target: Vec3,
  kind: SegmentKind,
  depth: number,
): void {
  if (radius < MIN_RADIUS_MM || depth > 16) return;
  let dir = initialDir;
  let length = Math.min(32, Math.max(4, 6 * radius + rng.uniform(2, 8)));
  let end = add(start, scale(dir, length));
  // A branch heading out of the lung first shortens, then turns towards its target, before it gives up.
  for (let attempt = 0; depth > 0 && lungSide(a, ...end) !== side; attempt++) {
    if (attempt === 3) return;
    if (attempt === 1) dir = normalize(sub(target, start));
    if (attempt === 2) dir = normalize(sub(randomLungPoint(a, side, rng) ?? target, start));
    length = attempt === 0 ? length / 2 : Math.min(length, 8);
    end = add(start, scale(dir, length));
  }
  out.push({ p0: start, p1: end, r0: radius, r1: radius * 0.94, kind });
  const towardTarget = norm(sub(target, end)) > 5 ? normalize(sub(target, end)) : dir;
  for (const ratio of [0.84, 0.68]) {
    const angle = ((rng.uniform(20, 45) * Math.PI) / 180) * (ratio < 0.75 ? 1.3 : 0.7);
    const perpendicular = normalize(cross(dir, rng.unitVector()));
    let next = normalize(add(scale(dir, Math.cos(angle)), scale(perpendicular, Math.sin(angle))));
    next = normalize(add(scale(next, 0.8), scale(towardTarget, 0.2)));
    const childTarget = ratio < 0.75 ? (randomLungPoint(a, side, rng) ?? target) : target;
    grow(a, side, rng, out, end, next, radius * 0.94 * ratio, childTarget, kind, depth + 1);
  }
}

function randomLungPoint(a: ThoraxAnatomy, side: -1 | 1, rng: Random): Vec3 | null {
  const lung = side < 0 ? a.rightLung : a.leftLung;
  for (let i = 0; i < 200; i++) {
    const p: Vec3 = [
      lung.centre[0] + rng.uniform(-1, 1) * lung.semiAxes[0],
      lung.centre[1] + rng.uniform(-1, 1) * lung.semiAxes[1],
      rng.uniform(a.diaphragmRightZ - 20, a.apexZ - 10),
    ];
    if (lungSide(a, ...p) === side) return p;
  }
  return null;
}

/** Distance from p to the segment p0–p1, and the position t ∈ [0, 1] of the nearest point. */
export function segmentDistance(p: Vec3, p0: Vec3, p1: Vec3): { d: number; t: number } {
  const v = sub(p1, p0);
  const len2 = dot(v, v);
  const t = len2 > 0 ? Math.min(1, Math.max(0, dot(sub(p, p0), v) / len2)) : 0;
  return { d: norm(sub(p, add(p0, scale(v, t)))), t };
}

/** HU of each kind of tube in this contrast phase. */
export interface TubeHu {
  artery: number;
  vein: number;
  airwayWall: number;
}

/**
 * Draws tubes into a HU field where `lung` is set, with a linear partial-volume ramp one voxel wide
 * at each surface. Airways are an air lumen inside a soft-tissue wall (15 % of the radius + 0.3 mm).
 */
export function paintTubes(grid: RenderGrid, hu: Float32Array, lung: Uint8Array, tubes: TubeSegment[], tubeHu: TubeHu): void {
  const w = (grid.spacingMm[0] + grid.spacingMm[1] + grid.spacingMm[2]) / 3;
  for (const s of tubes) {
    const rMax = Math.max(s.r0, s.r1) + (s.kind === 'airway' ? 0.15 * Math.max(s.r0, s.r1) + 0.3 : 0) + w;
    const box = grid.indexBox(
      [Math.min(s.p0[0], s.p1[0]) - rMax, Math.min(s.p0[1], s.p1[1]) - rMax, Math.min(s.p0[2], s.p1[2]) - rMax],
      [Math.max(s.p0[0], s.p1[0]) + rMax, Math.max(s.p0[1], s.p1[1]) + rMax, Math.max(s.p0[2], s.p1[2]) + rMax],
    );
    if (!box) continue;
    const [nx, ny] = grid.dims;
    for (let k = box.lo[2]; k <= box.hi[2]; k++)
      for (let j = box.lo[1]; j <= box.hi[1]; j++)
        for (let i = box.lo[0]; i <= box.hi[0]; i++) {
          const o = i + nx * (j + ny * k);
          if (!lung[o]) continue;
          const p = grid.world(i, j, k);
          const { d, t } = segmentDistance(p, s.p0, s.p1);
          const r = s.r0 + t * (s.r1 - s.r0);
          if (s.kind === 'airway') {
            const outer = r + 0.15 * r + 0.3;
            const lumen = clamp01((r - d) / w + 0.5);
            const wall = clamp01((outer - d) / w + 0.5) - lumen;
            if (lumen + wall <= 0) continue;
            hu[o] = hu[o] * (1 - lumen - wall) + tubeHu.airwayWall * wall - 1000 * lumen;
          } else {
            const cover = clamp01((r - d) / w + 0.5);
            if (cover <= 0) continue;
            const value = s.kind === 'artery' ? tubeHu.artery : tubeHu.vein;
            hu[o] = Math.max(hu[o], hu[o] + cover * (value - hu[o]));
          }
        }
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
