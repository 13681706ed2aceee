import { renderPatient, samplePatient, type TumourOverrides } from '../../../electron/engine/phantom/index.js';
import { Random } from '../../../electron/engine/phantom/random.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { Volume } from '../../../electron/engine/imaging/volume.js';

export const NODULE_KINDS: { name: string; overrides: TumourOverrides }[] = [
  { name: 'solid', overrides: { kind: 'solid' } },
  { name: 'part-solid', overrides: { kind: 'part-solid' } },
  { name: 'ground-glass', overrides: { kind: 'ground-glass' } },
  { name: 'juxtapleural', overrides: { juxtapleural: true } },
  { name: 'juxtavascular', overrides: { juxtavascular: true } },
];

export interface TestNodule {
  index: number;
  kind: string;
  diameterMm: number;
  ct: Volume;
  truth: Uint8Array;
  /** A voxel drawn at random among the ground-truth voxels. */
  seed: Vec3;
}

/**
 * Nodule `index` of a segmentation test set: kinds in turn, diameters spread over 5–30 mm, every
 * third at centre B, rendered in a 72×72×56 mm region, seeded at a random voxel of the true mask.
 */
export function testNodule(set: string, index: number, count: number): TestNodule {
  const kind = NODULE_KINDS[index % NODULE_KINDS.length];
  const diameterMm = Number((5 + (25 * ((index * 7919) % count)) / Math.max(1, count - 1)).toFixed(1));
  const patient = samplePatient(set, `S${index}`, index % 3 === 2 ? 'B' : 'A', { ...kind.overrides, diameterMm });
  const rendered = renderPatient(patient, { regionMm: [72, 72, 56] });
  const inside: number[] = [];
  rendered.mask.forEach((m, o) => {
    if (m) inside.push(o);
  });
  const o = inside[Math.floor(new Random(`${set}-${index}`).next() * inside.length)];
  const [nx, ny] = rendered.grid.dims;
  const k = Math.floor(o / (nx * ny));
  const j = Math.floor((o - k * nx * ny) / nx);
  const { dims, spacingMm, originLps, direction } = rendered.grid;
  return {
    index,
    kind: kind.name,
    diameterMm,
    ct: { dims, spacingMm, originLps, direction, voxels: rendered.hu },
    truth: rendered.mask,
    seed: [o - k * nx * ny - j * nx, j, k],
  };
}
