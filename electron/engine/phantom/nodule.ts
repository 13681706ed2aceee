import type { Vec3 } from '../imaging/vec.js';
import { add, dot, norm, normalize, scale, sub, cross } from '../imaging/vec.js';
import { ValueNoise } from './noise.js';
import type { Random } from './random.js';
import type { RenderGrid } from './render-grid.js';
import { segmentDistance } from './vessels.js';

export type NoduleKind = 'solid' | 'part-solid' | 'ground-glass';

export interface Spicule {
  direction: Vec3;
  lengthMm: number;
  baseRadiusMm: number;
}

export interface Bump {
  direction: Vec3;
  amplitude: number;
  /** Angular half-width, as the cosine of the angle at which the bump vanishes. */
  cosWidth: number;
}

/** Everything that defines one nodule; all lengths in mm, intensities in HU. */
export interface NoduleSpec {
  centreLps: Vec3;
  /** Nominal diameter (twice the mean radius before spicules). */
  diameterMm: number;
  kind: NoduleKind;
  /** Consolidation-to-tumour ratio: solid-core radius / tumour radius (1 solid, 0 pure ground glass). */
  ctr: number;
  lobulation: Bump[];
  spicules: Spicule[];
  /** Texture amplitude of the solid part (internal heterogeneity). */
  heterogeneityHu: number;
  /** Radius of central necrosis as a fraction of the solid core radius (0 = none). */
  necrosisFraction: number;
  solidHu: number;
  ggoHu: number;
  vacuoles: { offset: Vec3; radiusMm: number }[];
  /** An air-filled bronchus crossing the nodule. */
  airBronchogram: { p0: Vec3; p1: Vec3; radiusMm: number } | null;
  textureSeed: string;
}

/** Peritumoral findings outside the tumour: what a slice-level CNN sees in the crop and radiomics inside the mask does not. */
export interface PeritumoralSpec {
  satellites: { centreLps: Vec3; radiusMm: number }[];
  halo: { direction: Vec3; strength: number } | null;
  strands: { p0: Vec3; p1: Vec3; radiusMm: number }[];
}

/** Maximum radius of the tumour body (lobules included) along a direction. */
export function bodyRadius(n: NoduleSpec, u: Vec3): number {
  let f = 1;
  for (const b of n.lobulation) {
    const c = dot(u, b.direction);
    if (c > b.cosWidth) {
      const x = (c - b.cosWidth) / (1 - b.cosWidth);
      f += b.amplitude * x * x * (3 - 2 * x);
    }
  }
  return (n.diameterMm / 2) * f;
}

/** Signed distance-like value of the tumour body: negative inside. */
export function bodySdf(n: NoduleSpec, p: Vec3): number {
  const rel = sub(p, n.centreLps);
  const r = norm(rel);
  if (r < 1e-9) return -n.diameterMm / 2;
  return r - bodyRadius(n, scale(rel, 1 / r));
}

/** Negative inside any spicule (a tapered cone from just inside the surface outwards). */
export function spiculeSdf(n: NoduleSpec, p: Vec3): number {
  let best = Infinity;
  for (const s of n.spicules) {
    const base = add(n.centreLps, scale(s.direction, bodyRadius(n, s.direction) * 0.85));
    const tip = add(base, scale(s.direction, s.lengthMm));
    const { d, t } = segmentDistance(p, base, tip);
    const radius = s.baseRadiusMm * (1 - t) + 0.15 * t;
    best = Math.min(best, d - radius);
  }
  return best;
}

/** Samples per axis used for partial-volume rendering of the nodule (2 → 8 samples per voxel). */
const SUPERSAMPLE = 2;

/**
 * Renders a nodule into a HU field and its ground-truth mask: every voxel is split into 2×2×2
 * samples; a sample inside the tumour (body or spicule) and on the lung side of the pleura takes
 * the tumour's value, others keep the background; the voxel is the mean, and it belongs to the
 * mask when at least half its samples are inside.
 */
export function paintNodule(grid: RenderGrid, hu: Float32Array, mask: Uint8Array, n: NoduleSpec, onLungSide: (p: Vec3) => boolean): void {
  const texture = new ValueNoise(`${n.textureSeed}:solid`);
  const ggoTexture = new ValueNoise(`${n.textureSeed}:ggo`);
  const maxLobe = 1 + n.lobulation.reduce((s, b) => s + b.amplitude, 0);
  const maxSpike = n.spicules.reduce((m, s) => Math.max(m, s.lengthMm), 0);
  const reach = (n.diameterMm / 2) * maxLobe + maxSpike + 2;
  const box = grid.indexBox(sub(n.centreLps, [reach, reach, reach]), add(n.centreLps, [reach, reach, reach]));
  if (!box) return;
  const [nx, ny] = grid.dims;
  const sp = grid.spacingMm;
  const samples = SUPERSAMPLE ** 3;
  for (let k = box.lo[2]; k <= box.hi[2]; k++)
    for (let j = box.lo[1]; j <= box.hi[1]; j++)
      for (let i = box.lo[0]; i <= box.hi[0]; i++) {
        const o = i + nx * (j + ny * k);
        const centre = grid.world(i, j, k);
        const background = hu[o];
        let sum = 0;
        let inside = 0;
        for (let s = 0; s < samples; s++) {
          const p: Vec3 = [
            centre[0] + sp[0] * (((s % 2) + 0.5) / SUPERSAMPLE - 0.5),
            centre[1] + sp[1] * ((((s >> 1) % 2) + 0.5) / SUPERSAMPLE - 0.5),
            centre[2] + sp[2] * ((((s >> 2) % 2) + 0.5) / SUPERSAMPLE - 0.5),
          ];
          const value = noduleValue(n, p, background, texture, ggoTexture);
          if (value !== null && onLungSide(p)) {
            sum += value;
            inside++;
          } else sum += background;
        }
        if (inside === 0) continue;
        hu[o] = sum / samples;
        if (inside * 2 >= samples) mask[o] = 1;
      }
}

/** HU of the tumour at p, or null outside it. */
function noduleValue(n: NoduleSpec, p: Vec3, background: number, texture: ValueNoise, ggoTexture: ValueNoise): number | null {
  const body = bodySdf(n, p);
  const spike = n.spicules.length ? spiculeSdf(n, p) : Infinity;
  if (body >= 0 && spike >= 0) return null;
  for (const v of n.vacuoles) if (norm(sub(p, add(n.centreLps, v.offset))) < v.radiusMm) return -900;
  if (n.airBronchogram && segmentDistance(p, n.airBronchogram.p0, n.airBronchogram.p1).d < n.airBronchogram.radiusMm) return -950;
  const rel = sub(p, n.centreLps);
  const r = norm(rel);
  const u = r > 1e-9 ? scale(rel, 1 / r) : ([1, 0, 0] as Vec3);
  const coreRadius = n.ctr * bodyRadius(n, u);
  const solid = spike < 0 || r < coreRadius;
  if (!solid) return Math.max(background, n.ggoHu + 35 * ggoTexture.fbm(p[0], p[1], p[2], 2.5, 2));
  if (n.necrosisFraction > 0 && r < n.necrosisFraction * coreRadius) return 14 + 6 * texture.at(p[0], p[1], p[2]);
  return n.solidHu + n.heterogeneityHu * texture.fbm(p[0], p[1], p[2], 3, 3, 0.6);
}

/**
 * Density of the halo where it is full (weight 1): ground glass, as the CT halo sign is (hazy
 * opacity of −700…−300 HU around a nodule, bronchi and vessels still visible), at the faint end of
 * the phantom's ground-glass lesions (−620…−440 HU). Phantom v2 drew it at −790 HU, 40–75 HU above
 * the lung, which at the weights below left it under the scanners' noise (docs/phantom.md).
 */
export const HALO_GROUND_GLASS_HU = -640;

/**
 * Draws the peritumoral pattern (satellites, strands, asymmetric halo): never part of the mask.
 * The halo blends the lung towards HALO_GROUND_GLASS_HU with weight
 * facing² · (1 − (d − 0.5 mm) / 5.5 mm) · strength, d the distance outside the tumour surface
 * (0.5–6 mm) and facing the cosine between the halo's direction and the direction from the centre.
 */
export function paintPeritumoral(grid: RenderGrid, hu: Float32Array, lung: Uint8Array, n: NoduleSpec, pt: PeritumoralSpec, satelliteHu: number): void {
  const [nx, ny] = grid.dims;
  const w = (grid.spacingMm[0] + grid.spacingMm[1] + grid.spacingMm[2]) / 3;
  const paintBall = (c: Vec3, r: number, value: number) => {
    const box = grid.indexBox(sub(c, [r + w, r + w, r + w]), add(c, [r + w, r + w, r + w]));
    if (!box) return;
    for (let k = box.lo[2]; k <= box.hi[2]; k++)
      for (let j = box.lo[1]; j <= box.hi[1]; j++)
        for (let i = box.lo[0]; i <= box.hi[0]; i++) {
          const o = i + nx * (j + ny * k);
          if (!lung[o]) continue;
          const cover = Math.min(1, Math.max(0, (r - norm(sub(grid.world(i, j, k), c))) / w + 0.5));
          if (cover > 0) hu[o] = Math.max(hu[o], hu[o] + cover * (value - hu[o]));
        }
  };
  for (const s of pt.satellites) paintBall(s.centreLps, s.radiusMm, satelliteHu);
  for (const s of pt.strands) {
    const steps = Math.ceil(norm(sub(s.p1, s.p0)) / (w / 2));
    for (let t = 0; t <= steps; t++) paintBall(add(s.p0, scale(sub(s.p1, s.p0), t / steps)), s.radiusMm, satelliteHu - 30);
  }
  if (pt.halo) {
    const halo = pt.halo;
    const reach = n.diameterMm + 8;
    const box = grid.indexBox(sub(n.centreLps, [reach, reach, reach]), add(n.centreLps, [reach, reach, reach]));
    if (!box) return;
    const texture = new ValueNoise(`${n.textureSeed}:halo`);
    for (let k = box.lo[2]; k <= box.hi[2]; k++)
      for (let j = box.lo[1]; j <= box.hi[1]; j++)
        for (let i = box.lo[0]; i <= box.hi[0]; i++) {
          const o = i + nx * (j + ny * k);
          if (!lung[o]) continue;
          const p = grid.world(i, j, k);
          const d = bodySdf(n, p);
          if (d <= 0.5 || d > 6) continue;
          const rel = normalize(sub(p, n.centreLps));
          const facing = Math.max(0, dot(rel, halo.direction));
          const weight = facing * facing * (1 - (d - 0.5) / 5.5) * halo.strength;
          if (weight <= 0) continue;
          const value = HALO_GROUND_GLASS_HU + 35 * texture.at(p[0] / 2, p[1] / 2, p[2] / 2);
          hu[o] = Math.max(hu[o], hu[o] + weight * (value - hu[o]));
        }
  }
}

/** Random shape details for a nodule: lobules, spicules, vacuoles and an air bronchogram. */
export function sampleNoduleShape(
  rng: Random,
  base: Pick<NoduleSpec, 'centreLps' | 'diameterMm' | 'kind' | 'ctr' | 'heterogeneityHu' | 'necrosisFraction' | 'solidHu' | 'ggoHu' | 'textureSeed'>,
  lobulationAmplitude: number,
  spiculeCount: number,
  vacuoleCount: number,
  airBronchogram: boolean,
): NoduleSpec {
  const r = base.diameterMm / 2;
  const lobulation: Bump[] = [];
  const lobes = lobulationAmplitude > 0 ? rng.int(3, 6) : 0;
  for (let i = 0; i < lobes; i++)
    lobulation.push({ direction: rng.unitVector(), amplitude: lobulationAmplitude * rng.uniform(0.6, 1.2), cosWidth: Math.cos(rng.uniform(0.5, 0.9)) });
  const spicules: Spicule[] = [];
  for (let i = 0; i < spiculeCount; i++)
    spicules.push({ direction: rng.unitVector(), lengthMm: r * rng.uniform(0.35, 0.9) + 2, baseRadiusMm: Math.min(1.4, 0.5 + r * rng.uniform(0.04, 0.08)) });
  const vacuoles = [];
  for (let i = 0; i < vacuoleCount; i++)
    vacuoles.push({ offset: scale(rng.unitVector(), r * rng.uniform(0.1, 0.55)), radiusMm: rng.uniform(0.8, Math.min(2, 0.15 * r + 0.6)) });
  let bronchus: NoduleSpec['airBronchogram'] = null;
  if (airBronchogram) {
    const dir = rng.unitVector();
    const side = normalize(cross(dir, rng.unitVector()));
    const through = add(base.centreLps, scale(side, r * rng.uniform(0, 0.4)));
    bronchus = { p0: add(through, scale(dir, -r * 0.9)), p1: add(through, scale(dir, r * 0.9)), radiusMm: rng.uniform(0.6, 1.0) };
  }
  return { ...base, lobulation, spicules, vacuoles, airBronchogram: bronchus };
}
