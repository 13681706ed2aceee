import type { Vec3 } from '../imaging/vec.js';
import { floodFill } from './components.js';
import { squaredDistanceToFeatures } from './distance-transform.js';
import { labelBoundingBox, padBoundingBox } from '../imaging/volume.js';

/**
 * How a click moves to the core of the structure it landed on:
 * - `climb`: step by step to the deepest of the 26 neighbours while that is deeper (the nearest
 *   local maximum of depth);
 * - `reach`: the voxel of the connected tissue with the largest depth − ½ × distance travelled,
 *   which passes over a vessel's or spicule's own small maximum next to the click when a nodule's
 *   body is near.
 */
export type AscentStrategy = 'climb' | 'reach';

/** Depth (mm) given up per mm travelled, for `reach`. */
const TRAVEL_CHARGE = 0.5;

/** The tissue connected to a click, and the squared depth (mm²) of each of its voxels. */
export interface TissueDepth {
  dims: Vec3;
  spacingMm: Vec3;
  start: number;
  /** 1 for the voxels of the tissue connected to the start (6-connected). */
  component: Uint8Array;
  /** Squared distance (mm²) from a voxel of the component to the nearest voxel outside it or to the image's faces. */
  depth2: (index: number) => number;
}

/**
 * The tissue connected to a click (6-connected voxels for which `isTissue` holds) and its depth: a
 * voxel's distance (mm) to the nearest voxel that is not that tissue, or to the image's faces (nothing
 * is known beyond them, and a structure cut by a tight crop must not look deep). Null when the click
 * is not on tissue. Both ascent strategies of one click share it.
 */
export function measureTissueDepth(dims: Vec3, spacingMm: Vec3, start: number, isTissue: (index: number) => boolean): TissueDepth | null {
  if (!isTissue(start)) return null;
  const component = floodFill(dims, [start], isTissue, 6);
  // The nearest voxel outside the component lies within its bounding box grown by one voxel (the
  // grown box's faces are outside it), so the transform is limited to that box.
  const box = padBoundingBox(labelBoundingBox({ dims, voxels: component })!, dims, 1);
  const edt2 = squaredDistanceToFeatures(component, dims, spacingMm, { box, outside: 0, unsetAreFeatures: true });
  const [nx, ny] = dims;
  const plane = nx * ny;
  const depth2 = (o: number): number => {
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    const p: Vec3 = [o - k * plane - j * nx, j, k];
    let d = edt2[o];
    for (let a = 0; a < 3; a++) if (dims[a] > 1) d = Math.min(d, (Math.min(p[a] + 1, dims[a] - p[a]) * spacingMm[a]) ** 2);
    return d;
  };
  return { dims, spacingMm, start, component, depth2 };
}

/**
 * Moves a click to the core of the structure it landed on, so that any click inside a nodule starts
 * the segmentation from (nearly) the same place: within the tissue connected to the click and its
 * depth (measureTissueDepth), the click moves at most `maxTravelMm`. A click on the rim of a nodule,
 * on its partial-volume edge, or on a vessel or spicule running into it ends in the nodule's body:
 * the body is thicker than what is attached to it. Returns the voxel reached and its depth (mm),
 * about the radius of the body.
 */
export function ascendToCore(tissue: TissueDepth, maxTravelMm: number, strategy: AscentStrategy = 'climb'): { index: number; depthMm: number } {
  const { dims, spacingMm, start, component, depth2 } = tissue;
  const [nx, ny] = dims;
  const plane = nx * ny;
  const coords = (o: number): Vec3 => {
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    return [o - k * plane - j * nx, j, k];
  };
  const origin = coords(start);
  const travel2 = (o: number): number => {
    const p = coords(o);
    return ((p[0] - origin[0]) * spacingMm[0]) ** 2 + ((p[1] - origin[1]) * spacingMm[1]) ** 2 + ((p[2] - origin[2]) * spacingMm[2]) ** 2;
  };
  const maxTravel2 = maxTravelMm * maxTravelMm;
  const best = strategy === 'climb' ? climb(dims, component, depth2, travel2, maxTravel2, start) : reach(component, depth2, travel2, maxTravel2, start);
  return { index: best, depthMm: Math.sqrt(depth2(best)) };
}

function climb(dims: Vec3, component: Uint8Array, depth2: (o: number) => number, travel2: (o: number) => number, maxTravel2: number, start: number): number {
  const [nx, ny, nz] = dims;
  let current = start;
  for (;;) {
    const k = Math.floor(current / (nx * ny));
    const j = Math.floor((current - k * nx * ny) / nx);
    const i = current - k * nx * ny - j * nx;
    let best = current;
    let bestDepth = depth2(current);
    for (let dk = -1; dk <= 1; dk++)
      for (let dj = -1; dj <= 1; dj++)
        for (let di = -1; di <= 1; di++) {
          const x = i + di;
          const y = j + dj;
          const z = k + dk;
          if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
          const q = x + nx * (y + ny * z);
          if (!component[q] || travel2(q) > maxTravel2) continue;
          const d = depth2(q);
          if (d > bestDepth) {
            bestDepth = d;
            best = q;
          }
        }
    if (best === current) return current;
    current = best;
  }
}

function reach(component: Uint8Array, depth2: (o: number) => number, travel2: (o: number) => number, maxTravel2: number, start: number): number {
  let best = start;
  let bestScore = -Infinity;
  for (let o = 0; o < component.length; o++) {
    if (!component[o]) continue;
    const t2 = travel2(o);
    if (t2 > maxTravel2) continue;
    const score = Math.sqrt(depth2(o)) - TRAVEL_CHARGE * Math.sqrt(t2);
    if (score > bestScore) {
      bestScore = score;
      best = o;
    }
  }
  return best;
}
