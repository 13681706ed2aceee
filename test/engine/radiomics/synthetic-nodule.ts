import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';

/**
 * A textured solid nodule in lung-like parenchyma, for radiomics tests and the benchmark (a
 * stand-in until the phantom module's nodule generator exists). Deterministic for a given seed.
 *
 * Background: −850 HU ± noise with a few vessel-like tubes (+40 HU). Nodule: a lobulated sphere
 * of the given diameter, 30 HU mean with smooth texture (sum of random waves) and noise, a soft
 * −200 HU rim; the mask is the nodule without the rim. CT-like spacing 0.7 × 0.7 × 1.25 mm.
 */
export interface SyntheticNodule {
  image: ScalarImage<Int16Array>;
  mask: ScalarImage<Uint8Array>;
}

export function syntheticNodule(diameterMm = 30, seed = 7): SyntheticNodule {
  const spacingMm: [number, number, number] = [0.7, 0.7, 1.25];
  const fieldMm = diameterMm + 40;
  const dims: [number, number, number] = [Math.round(fieldMm / spacingMm[0]), Math.round(fieldMm / spacingMm[1]), Math.round(fieldMm / spacingMm[2])];
  const [nx, ny, nz] = dims;
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const waves = Array.from({ length: 12 }, () => ({
    k: [random() - 0.5, random() - 0.5, random() - 0.5].map((v) => v * 1.2),
    phase: random() * 2 * Math.PI,
    amplitude: 8 + 20 * random(),
  }));
  const lobes = Array.from({ length: 6 }, () => ({ dir: unit([gauss(), gauss(), gauss()]), amount: 0.06 + 0.08 * random() }));
  const vessels = Array.from({ length: 4 }, () => ({
    point: [random() * fieldMm, random() * fieldMm, random() * fieldMm],
    dir: unit([gauss(), gauss(), gauss()]),
    radius: 1 + 2 * random(),
  }));
  const centre = [fieldMm / 2, fieldMm / 2, fieldMm / 2];
  const radius = diameterMm / 2;
  const image = new Int16Array(nx * ny * nz);
  const mask = new Uint8Array(nx * ny * nz);
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, o++) {
        const p = [x * spacingMm[0], y * spacingMm[1], z * spacingMm[2]];
        const d = [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]];
        const r = Math.hypot(d[0], d[1], d[2]);
        let surface = radius;
        if (r > 0)
          for (const lobe of lobes) surface += radius * lobe.amount * Math.max(0, (d[0] * lobe.dir[0] + d[1] * lobe.dir[1] + d[2] * lobe.dir[2]) / r) ** 3;
        let hu = -850 + 25 * gauss();
        for (const v of vessels) {
          const w = [p[0] - v.point[0], p[1] - v.point[1], p[2] - v.point[2]];
          const along = w[0] * v.dir[0] + w[1] * v.dir[1] + w[2] * v.dir[2];
          const dist = Math.hypot(w[0] - along * v.dir[0], w[1] - along * v.dir[1], w[2] - along * v.dir[2]);
          if (dist < v.radius) hu = 40 + 15 * gauss();
        }
        if (r < surface + 1.5 && r >= surface) hu = -200 + 40 * gauss();
        if (r < surface) {
          let texture = 30;
          for (const wv of waves) texture += wv.amplitude * Math.sin(wv.k[0] * p[0] + wv.k[1] * p[1] + wv.k[2] * p[2] + wv.phase);
          hu = texture + 12 * gauss();
          mask[o] = 1;
        }
        image[o] = Math.round(hu);
      }
  const grid = {
    dims,
    spacingMm,
    originLps: [-fieldMm / 2, -fieldMm / 2, -fieldMm / 2] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as ScalarImage['direction'],
  };
  return { image: { ...grid, voxels: image }, mask: { ...grid, dims: [...dims], voxels: mask } };
}

function unit(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
