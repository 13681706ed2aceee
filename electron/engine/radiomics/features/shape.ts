import type { Vec3 } from '../../imaging/vec.js';
import { positionCovarianceEigenvalues } from './eigen.js';
import { CUBE_CORNERS_ZYX, CUBE_TRIANGLES, EDGE_MIDPOINTS_ZYX } from './marching-cubes-table.js';
import type { FeatureValues } from './types.js';

/**
 * 3D shape features (PyRadiomics 3.1 radiomics/shape.py + cshape.c; IBSI 1 §3.1).
 *
 * The mask (padded by one empty voxel) is turned into a triangle mesh by marching cubes with
 * vertices at edge midpoints. V is the sum of the signed volumes a·(b × c)/6 of the tetrahedra
 * formed by each outward-oriented face (a, b, c) and the origin; A = Σ ½‖(a − c) × (b − c)‖.
 * Diameters are the largest distances between mesh vertices: overall (3D), and between vertices
 * sharing their z (Slice), y (Column) or x (Row) coordinate. Axis lengths come from the eigenvalues λ₁ ≤ λ₂ ≤ λ₃ of the covariance of the voxel
 * centres (mm).
 *
 *   MeshVolume V · VoxelVolume N_v·V_voxel · SurfaceArea A · SurfaceVolumeRatio A/V
 *   Sphericity ∛(36πV²)/A · Compactness1 V/(√π A^{3/2}) · Compactness2 36πV²/A³ · SphericalDisproportion A/∛(36πV²)
 *   Maximum3DDiameter, Maximum2DDiameterSlice/Column/Row
 *   MajorAxisLength 4√λ₃ · MinorAxisLength 4√λ₂ · LeastAxisLength 4√λ₁ · Elongation √(λ₂/λ₃) · Flatness √(λ₁/λ₃)
 */
export function shapeFeatures(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, wanted: readonly string[]): FeatureValues {
  const mesh = maskMesh(mask, dims, spacingMm);
  const [sx, sy, sz] = spacingMm;
  let nVoxels = 0;
  for (let i = 0; i < mask.length; i++) nVoxels += mask[i];
  const coords = new Float64Array(nVoxels * 3);
  const [nx, ny, nz] = dims;
  let k = 0;
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, o++)
        if (mask[o]) {
          coords[k++] = z * sz;
          coords[k++] = y * sy;
          coords[k++] = x * sx;
        }
  const [l1, l2, l3] = positionCovarianceEigenvalues(coords, 3);
  const V = mesh.volume;
  const A = mesh.surfaceArea;
  const all: Record<string, () => number> = {
    MeshVolume: () => V,
    VoxelVolume: () => nVoxels * (sz * sy * sx),
    SurfaceArea: () => A,
    SurfaceVolumeRatio: () => A / V,
    Sphericity: () => Math.pow(36 * Math.PI * V * V, 1 / 3) / A,
    Compactness1: () => V / (Math.pow(A, 3 / 2) * Math.sqrt(Math.PI)),
    Compactness2: () => (36 * Math.PI * (V * V)) / (A * A * A),
    SphericalDisproportion: () => A / Math.pow(36 * Math.PI * V * V, 1 / 3),
    Maximum3DDiameter: () => mesh.diameters.all,
    Maximum2DDiameterSlice: () => mesh.diameters.sameZ,
    Maximum2DDiameterColumn: () => mesh.diameters.sameY,
    Maximum2DDiameterRow: () => mesh.diameters.sameX,
    MajorAxisLength: () => (l3 < 0 ? NaN : Math.sqrt(l3) * 4),
    MinorAxisLength: () => (l2 < 0 ? NaN : Math.sqrt(l2) * 4),
    LeastAxisLength: () => (l1 < 0 ? NaN : Math.sqrt(l1) * 4),
    Elongation: () => (l2 < 0 || l3 < 0 ? NaN : Math.sqrt(l2 / l3)),
    Flatness: () => (l1 < 0 || l3 < 0 ? NaN : Math.sqrt(l1 / l3)),
  };
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = all[name]();
  return out;
}

export interface MaskMesh {
  volume: number;
  surfaceArea: number;
  diameters: { all: number; sameZ: number; sameY: number; sameX: number };
  vertexCount: number;
}

/** Marching-cubes mesh measures of a binary mask (x fastest), padded by one empty voxel on every side. */
export function maskMesh(mask: Uint8Array, dims: Vec3, spacingMm: Vec3): MaskMesh {
  const [nx, ny, nz] = dims;
  const px = nx + 2;
  const py = ny + 2;
  const pz = nz + 2;
  const padded = new Uint8Array(px * py * pz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) padded.set(mask.subarray(nx * (y + ny * z), nx * (y + ny * z) + nx), 1 + px * (y + 1 + py * (z + 1)));
  const spacingZyx = [spacingMm[2], spacingMm[1], spacingMm[0]];
  const cornerOffset = CUBE_CORNERS_ZYX.map(([cz, cy, cx]) => cx + px * (cy + py * cz));
  // Vertices are stored in doubled index units (2z, 2y, 2x): exact, and each one once (see below).
  const vertices: number[] = [];
  const a = [0, 0, 0];
  const b = [0, 0, 0];
  const c = [0, 0, 0];
  let volume6 = 0;
  let area2 = 0;
  for (let z = 0; z < pz - 1; z++)
    for (let y = 0; y < py - 1; y++) {
      let base = px * (y + py * z);
      for (let x = 0; x < px - 1; x++, base++) {
        let cube = 0;
        for (let k = 0; k < 8; k++) if (padded[base + cornerOffset[k]]) cube |= 1 << k;
        let sign = 1;
        if (cube & 0x80) {
          cube ^= 0xff;
          sign = -1;
        }
        // Every grid point is corner p7 of exactly one cube; with p7 cleared, the edges leaving it
        // (6: +x, 7: −y, 11: −z) carry a vertex exactly when p6, p4 or p3 is set.
        if (cube & 0x40) vertices.push(2 * z + 2, 2 * y + 2, 2 * x + 1);
        if (cube & 0x10) vertices.push(2 * z + 2, 2 * y + 1, 2 * x);
        if (cube & 0x08) vertices.push(2 * z + 1, 2 * y + 2, 2 * x);
        if (cube === 0) continue;
        const tris = CUBE_TRIANGLES[cube];
        for (let t = 0; t < tris.length; t += 3) {
          const ea = EDGE_MIDPOINTS_ZYX[tris[t]];
          const eb = EDGE_MIDPOINTS_ZYX[tris[t + 1]];
          const ec = EDGE_MIDPOINTS_ZYX[tris[t + 2]];
          a[0] = (z + ea[0]) * spacingZyx[0];
          a[1] = (y + ea[1]) * spacingZyx[1];
          a[2] = (x + ea[2]) * spacingZyx[2];
          b[0] = (z + eb[0]) * spacingZyx[0];
          b[1] = (y + eb[1]) * spacingZyx[1];
          b[2] = (x + eb[2]) * spacingZyx[2];
          c[0] = (z + ec[0]) * spacingZyx[0];
          c[1] = (y + ec[1]) * spacingZyx[1];
          c[2] = (x + ec[2]) * spacingZyx[2];
          const abx = a[1] * b[2] - b[1] * a[2];
          const aby = a[2] * b[0] - b[2] * a[0];
          const abz = a[0] * b[1] - b[0] * a[1];
          volume6 += sign * (abx * c[0] + aby * c[1] + abz * c[2]);
          for (let d = 0; d < 3; d++) {
            a[d] -= c[d];
            b[d] -= c[d];
          }
          const nx0 = a[1] * b[2] - b[1] * a[2];
          const ny0 = a[2] * b[0] - b[2] * a[0];
          const nz0 = a[0] * b[1] - b[0] * a[1];
          area2 += 0.5 * Math.sqrt(nx0 * nx0 + ny0 * ny0 + nz0 * nz0);
        }
      }
    }
  return {
    volume: volume6 / 6,
    surfaceArea: area2,
    diameters: meshDiameters(Int32Array.from(vertices), spacingZyx),
    vertexCount: vertices.length / 3,
  };
}

/**
 * Largest vertex-to-vertex distances: overall, and within planes of equal z, y or x.
 * Exact, but faster than all pairs: a vertex lying between two others on a straight line is never
 * farther from any point than both of them, so along grid lines inside the relevant plane only the
 * two extreme vertices are kept before the pairwise search.
 */
export function meshDiameters(vertices2: Int32Array, spacingZyx: readonly number[]): MaskMesh['diameters'] {
  const n = vertices2.length / 3;
  const mm = new Float64Array(n * 3);
  for (let k = 0; k < n * 3; k++) mm[k] = vertices2[k] * 0.5 * spacingZyx[k % 3];
  const all = Array.from({ length: n }, (_, k) => k);
  // 3D: thin along lines of each axis in turn.
  let candidates = extremesAlongLines(vertices2, all, 2);
  candidates = extremesAlongLines(vertices2, candidates, 1);
  candidates = extremesAlongLines(vertices2, candidates, 0);
  const overall = maxPairDistance(mm, candidates);
  const inPlanes = (fixedAxis: number, lineAxes: [number, number]) => {
    let best = 0;
    for (const group of groupBy(vertices2, all, fixedAxis)) {
      let g = extremesAlongLines(vertices2, group, lineAxes[0]);
      g = extremesAlongLines(vertices2, g, lineAxes[1]);
      best = Math.max(best, maxPairDistance(mm, g));
    }
    return best;
  };
  return { all: overall, sameZ: inPlanes(0, [2, 1]), sameY: inPlanes(1, [2, 0]), sameX: inPlanes(2, [1, 0]) };
}

/** Keeps, among vertices on each line parallel to `axis`, the two with the extreme coordinate. */
function extremesAlongLines(v: Int32Array, ids: number[], axis: number): number[] {
  const [u, w] = [0, 1, 2].filter((d) => d !== axis);
  const lines = new Map<number, [number, number]>();
  for (const id of ids) {
    const key = v[id * 3 + u] * 1048576 + v[id * 3 + w];
    const line = lines.get(key);
    if (!line) lines.set(key, [id, id]);
    else {
      const x = v[id * 3 + axis];
      if (x < v[line[0] * 3 + axis]) line[0] = id;
      if (x > v[line[1] * 3 + axis]) line[1] = id;
    }
  }
  const out: number[] = [];
  for (const [lo, hi] of lines.values()) {
    out.push(lo);
    if (hi !== lo) out.push(hi);
  }
  return out;
}

function groupBy(v: Int32Array, ids: number[], axis: number): number[][] {
  const groups = new Map<number, number[]>();
  for (const id of ids) {
    const key = v[id * 3 + axis];
    const g = groups.get(key);
    if (g) g.push(id);
    else groups.set(key, [id]);
  }
  return [...groups.values()];
}

/** √ of the largest squared distance, summed as (dz² + dy²) + dx² like PyRadiomics. */
function maxPairDistance(mm: Float64Array, ids: number[]): number {
  let best = 0;
  const m = ids.length;
  const pts = new Float64Array(m * 3);
  for (let k = 0; k < m; k++) {
    pts[k * 3] = mm[ids[k] * 3];
    pts[k * 3 + 1] = mm[ids[k] * 3 + 1];
    pts[k * 3 + 2] = mm[ids[k] * 3 + 2];
  }
  for (let i = 0; i < m; i++) {
    const az = pts[i * 3];
    const ay = pts[i * 3 + 1];
    const ax = pts[i * 3 + 2];
    for (let j = i + 1; j < m; j++) {
      const dz = az - pts[j * 3];
      const dy = ay - pts[j * 3 + 1];
      const dx = ax - pts[j * 3 + 2];
      const d = dz * dz + dy * dy + dx * dx;
      if (d > best) best = d;
    }
  }
  return Math.sqrt(best);
}
