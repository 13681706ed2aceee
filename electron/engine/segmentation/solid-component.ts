import type { Vec3 } from '../imaging/vec.js';
import { labelComponents } from './components.js';
import { dilateMm, erodeMm } from './distance-transform.js';

/**
 * Openings tried in turn (ball radius, mm): structures thinner than twice the first are never
 * consolidation (spicules, strands, small vessels); the larger ones cut a thicker vessel off a
 * small solid core it runs into, when the smaller opening left the two as one tube-like piece.
 */
export const SOLID_OPENING_RADII_MM = [1, 1.5, 2, 2.5];
/** A piece less compact than this (volume over the ball reaching its farthest voxel) is a tube. */
export const MIN_SOLID_COMPACTNESS = 0.15;
/** A piece with more than this share of its surface against solid tissue outside the mask continues outside: a vessel. */
const MAX_SOLID_OUTSIDE_CONTACT = 0.3;

/**
 * The solid (consolidation) component of a nodule as a radiologist reads it for the CTR: mask
 * voxels at or above the solid threshold, opened with a 1 mm ball (thin spicules, vessels and
 * strands are not consolidation; larger balls in turn while nothing qualifies), then the largest
 * 26-connected piece that is neither a tube
 * (compactness < 0.15) nor, unless it holds the nodule's centre, a vessel passing through (more than 30 % of its surface faces solid
 * tissue outside the mask; consolidation meets aerated lung or is enclosed by ground glass, and a
 * solid nodule's contact with vessels and pleura measured 17–21 % on phantoms, a vessel crossing
 * ground glass 37–46 %). When the opening leaves nothing (a solid part under 2 mm across), the same choice
 * is made before opening. Works on the mask's bounding box: it costs the nodule's size, not the image's.
 */
export function solidComponent(mask: Uint8Array, hu: ArrayLike<number>, dims: Vec3, spacingMm: Vec3, thresholdHu: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  const region = paddedBox(dims, (o) => mask[o] !== 0 && hu[o] >= thresholdHu);
  if (!region) return out;
  const { lo, dims: box, fullIndex } = region;
  const size = fullIndex.length;
  const inMask = new Uint8Array(size);
  const solidOutside = new Uint8Array(size);
  const solid = new Uint8Array(size);
  for (let q = 0; q < size; q++) {
    const o = fullIndex[q];
    if (o < 0) continue;
    inMask[q] = mask[o] ? 1 : 0;
    solidOutside[q] = !mask[o] && hu[o] >= thresholdHu ? 1 : 0;
    solid[q] = mask[o] && hu[o] >= thresholdHu && region.interior(q) ? 1 : 0;
  }
  const centroid = maskCentroid(mask, dims);
  // The nodule's centre in the box (−1 when the solid part's box does not reach it).
  const c = centroid.map((v, a) => Math.round(v) - lo[a] + 1);
  const centre = c.every((v, a) => v >= 0 && v < box[a]) ? c[0] + box[0] * (c[1] + box[1] * c[2]) : -1;
  const context = { dims: box, spacingMm, inMask, solidOutside, centre };
  let kept: Uint8Array = new Uint8Array(size);
  // Solid tissue just outside the mask takes part in the opening, so a vessel that leaves the mask
  // keeps its contact with the outside instead of being eroded away from it.
  const solidAround = new Uint8Array(size);
  for (let q = 0; q < size; q++) solidAround[q] = solid[q] | solidOutside[q];
  for (const radius of SOLID_OPENING_RADII_MM) {
    const opened = dilateMm(erodeMm(solidAround, box, spacingMm, radius), box, spacingMm, radius);
    for (let q = 0; q < size; q++) opened[q] &= solid[q];
    kept = largestConsolidation(opened, context);
    if (kept.some((v) => v)) break;
  }
  if (!kept.some((v) => v)) kept = largestConsolidation(solid, context);
  for (let q = 0; q < size; q++) if (kept[q]) out[fullIndex[q]] = 1;
  return out;
}

interface BoxContext {
  dims: Vec3;
  spacingMm: Vec3;
  inMask: Uint8Array;
  solidOutside: Uint8Array;
  /** Box index of the nodule's centroid, or −1. */
  centre: number;
}

/** The largest 26-connected piece that is compact and does not continue outside the mask (empty when none is). */
function largestConsolidation(pieces: Uint8Array, box: BoxContext): Uint8Array {
  const { labels, sizes } = labelComponents(pieces, box.dims, 26);
  const [nx, ny] = box.dims;
  const [sx, sy, sz] = box.spacingMm;
  const count = sizes.length;
  const sum = new Float64Array(3 * count);
  const faces = new Float64Array(count);
  const solidContacts = new Float64Array(count);
  const steps = [1, -1, nx, -nx, nx * ny, -nx * ny];
  const coordinate = (o: number): Vec3 => {
    const k = Math.floor(o / (nx * ny));
    const j = Math.floor((o - k * nx * ny) / nx);
    return [(o - k * nx * ny - j * nx) * sx, j * sy, k * sz];
  };
  for (let o = 0; o < labels.length; o++) {
    const l = labels[o];
    if (!l) continue;
    const p = coordinate(o);
    for (let a = 0; a < 3; a++) sum[3 * l + a] += p[a];
    // Pieces lie at least one voxel inside the box, so the six neighbours exist.
    for (const step of steps)
      if (labels[o + step] !== l) {
        faces[l]++;
        solidContacts[l] += box.solidOutside[o + step];
      }
  }
  const reach = new Float64Array(count);
  for (let o = 0; o < labels.length; o++) {
    const l = labels[o];
    if (!l) continue;
    const p = coordinate(o);
    const d = Math.hypot(p[0] - sum[3 * l] / sizes[l], p[1] - sum[3 * l + 1] / sizes[l], p[2] - sum[3 * l + 2] / sizes[l]);
    if (d > reach[l]) reach[l] = d;
  }
  const voxelMm3 = sx * sy * sz;
  const halfVoxel = 0.5 * Math.cbrt(voxelMm3);
  let keep = 0;
  for (let l = 1; l < count; l++) {
    const compactness = (sizes[l] * voxelMm3) / ((4 / 3) * Math.PI * (reach[l] + halfVoxel) ** 3);
    // The piece at the nodule's centre is its consolidation whatever touches it.
    const continuesOutside = labels[box.centre] !== l && solidContacts[l] > MAX_SOLID_OUTSIDE_CONTACT * faces[l];
    if (compactness >= MIN_SOLID_COMPACTNESS && !continuesOutside && sizes[l] > (sizes[keep] ?? 0)) keep = l;
  }
  const out = new Uint8Array(pieces.length);
  if (keep) for (let o = 0; o < labels.length; o++) out[o] = labels[o] === keep ? 1 : 0;
  return out;
}

/**
 * The nodule's body: the mask opened with a 1 mm ball, so spicules and thin strands do not lengthen
 * its measured diameter (the same rule as for the solid component, so a solid nodule's CTR is 1).
 * A nodule too thin to survive the opening is its own body. Works on the mask's bounding box.
 */
export function noduleBody(mask: Uint8Array, dims: Vec3, spacingMm: Vec3): Uint8Array {
  const region = paddedBox(dims, (o) => mask[o] !== 0);
  if (!region) return new Uint8Array(mask.length);
  const { dims: box, fullIndex } = region;
  const inBox = new Uint8Array(fullIndex.length);
  for (let q = 0; q < inBox.length; q++) inBox[q] = fullIndex[q] >= 0 && region.interior(q) && mask[fullIndex[q]] ? 1 : 0;
  const r = SOLID_OPENING_RADII_MM[0];
  const opened = dilateMm(erodeMm(inBox, box, spacingMm, r), box, spacingMm, r);
  if (!opened.some((v, q) => v && inBox[q])) return Uint8Array.from(mask, (v) => (v ? 1 : 0));
  const out = new Uint8Array(mask.length);
  for (let q = 0; q < inBox.length; q++) if (opened[q] && inBox[q]) out[fullIndex[q]] = 1;
  return out;
}

/**
 * The bounding box of the voxels `select` picks, one voxel larger on every side (so an erosion
 * sees a boundary and a piece's neighbours can be read), with each box voxel's index in the image
 * (−1 outside it); null when nothing is selected.
 */
function paddedBox(dims: Vec3, select: (index: number) => boolean): { lo: Vec3; dims: Vec3; fullIndex: Int32Array; interior: (q: number) => boolean } | null {
  const [nx, ny, nz] = dims;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++)
        if (select(o)) {
          if (i < lo[0]) lo[0] = i;
          if (i > hi[0]) hi[0] = i;
          if (j < lo[1]) lo[1] = j;
          if (j > hi[1]) hi[1] = j;
          if (k < lo[2]) lo[2] = k;
          if (k > hi[2]) hi[2] = k;
        }
  if (hi[0] < 0) return null;
  const box: Vec3 = [hi[0] - lo[0] + 3, hi[1] - lo[1] + 3, hi[2] - lo[2] + 3];
  const fullIndex = new Int32Array(box[0] * box[1] * box[2]).fill(-1);
  for (let k = 0, q = 0; k < box[2]; k++)
    for (let j = 0; j < box[1]; j++)
      for (let i = 0; i < box[0]; i++, q++) {
        const [a, b, c] = [lo[0] - 1 + i, lo[1] - 1 + j, lo[2] - 1 + k];
        if (a >= 0 && b >= 0 && c >= 0 && a < nx && b < ny && c < nz) fullIndex[q] = a + nx * (b + ny * c);
      }
  const interior = (q: number) => {
    const i = q % box[0];
    const j = Math.floor(q / box[0]) % box[1];
    const k = Math.floor(q / (box[0] * box[1]));
    return i > 0 && j > 0 && k > 0 && i < box[0] - 1 && j < box[1] - 1 && k < box[2] - 1;
  };
  return { lo, dims: box, fullIndex, interior };
}

/** Mean voxel index of a mask (its centroid in index space). */
function maskCentroid(mask: Uint8Array, dims: Vec3): Vec3 {
  const [nx, ny, nz] = dims;
  const sum: Vec3 = [0, 0, 0];
  let count = 0;
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++)
        if (mask[o]) {
          sum[0] += i;
          sum[1] += j;
          sum[2] += k;
          count++;
        }
  return sum.map((v) => v / Math.max(1, count)) as Vec3;
}
