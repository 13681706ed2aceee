import type { Vec3 } from '../imaging/vec.js';
import { add, cross, normalize, scale } from '../imaging/vec.js';
import { type ClinicalRecord, type TumourPhenotype, sampleClinicalAndTumour } from './clinical.js';
import { type NoduleSpec, type PeritumoralSpec, bodyRadius, paintNodule, paintPeritumoral, sampleNoduleShape } from './nodule.js';
import { placeNodule } from './placement.js';
import { Random } from './random.js';
import { RenderGrid } from './render-grid.js';
import { latentProbability, type RiskTerms, RISK_MODEL } from './risk-model.js';
import { type CentreProfile, acquire, centreProfile } from './scanner.js';
import { type ThoraxAnatomy, ThoraxField, lungSide, sampleAnatomy } from './thorax.js';
import { type TubeSegment, growTrees, paintTubes } from './vessels.js';

/** Bumped whenever generated images, labels or recorded measurements would change for the same seed. */
export const PHANTOM_VERSION = 3;

/** CT-semantic signs a radiologist would record for the tumour. */
export interface SemanticSigns {
  type: TumourPhenotype['kind'];
  nominalDiameterMm: number;
  ctr: number;
  lobulation: boolean;
  spiculation: boolean;
  pleuralContact: boolean;
  pleuralIndentation: boolean;
  vacuole: boolean;
  airBronchogram: boolean;
  vascularConvergence: boolean;
}

export interface PhantomPatient {
  id: string;
  centre: string;
  seed: string;
  phantomVersion: number;
  clinical: ClinicalRecord;
  tumour: TumourPhenotype;
  semantics: SemanticSigns;
  anatomy: ThoraxAnatomy;
  nodule: NoduleSpec;
  peritumoral: PeritumoralSpec;
  extraTubes: TubeSegment[];
  latent: { logit: number; probability: number; terms: RiskTerms; riskModelVersion: number };
  label: 0 | 1;
}

/** Samples one patient: clinical data, tumour, where it sits, and its true risk and label. */
export function samplePatient(seed: string | number, id: string, centre: string, overrides: TumourOverrides = {}): PhantomPatient {
  const base = `${seed}/${id}`;
  const rng = Random.derive(base, 'patient');
  const profile = centreProfile(centre);
  const sampled = sampleClinicalAndTumour(rng);
  const { clinical, tumour } = applyOverrides(sampled.clinical, sampled.tumour, overrides, Random.derive(base, 'overrides'));
  const anatomy = sampleAnatomy(Random.derive(base, 'anatomy'), `${base}:texture`);
  const radius = tumour.diameterMm / 2;
  const where = placeNodule(anatomy, Random.derive(base, 'placement'), clinical.lobe, radius, clinical.location, tumour.juxtapleural);
  const shapeRng = Random.derive(base, 'shape');
  const solidHu = 38 + profile.contrast.tumourEnhancementHu + shapeRng.normal(0, 6);
  const ggoHu = shapeRng.uniform(-620, -440);
  const nodule = sampleNoduleShape(
    shapeRng,
    {
      centreLps: where.centreLps,
      diameterMm: tumour.diameterMm,
      kind: tumour.kind,
      ctr: tumour.ctr,
      heterogeneityHu: tumour.heterogeneityHu,
      necrosisFraction: tumour.necrosisFraction,
      solidHu,
      ggoHu,
      textureSeed: `${base}:tumour`,
    },
    tumour.lobulationAmplitude,
    tumour.spiculeCount,
    tumour.vacuoleCount,
    tumour.airBronchogram,
  );
  const spreadRng = Random.derive(base, 'spread');
  const peritumoral = samplePeritumoral(spreadRng, nodule, tumour);
  const extraTubes: TubeSegment[] = [];
  if (tumour.juxtavascular) {
    const dir = spreadRng.unitVector();
    const side = normalize(cross(dir, spreadRng.unitVector()));
    const vesselRadius = spreadRng.uniform(1.2, 2.4);
    const passAt = add(nodule.centreLps, scale(side, bodyRadius(nodule, side) + vesselRadius * 0.35));
    extraTubes.push({ p0: add(passAt, scale(dir, -35)), p1: add(passAt, scale(dir, 35)), r0: vesselRadius, r1: vesselRadius * 0.9, kind: 'artery' });
  }
  if (tumour.pleuralIndentation) {
    const from = add(nodule.centreLps, scale(where.pleuraDirection, bodyRadius(nodule, where.pleuraDirection) * 0.9));
    const to = add(nodule.centreLps, scale(where.pleuraDirection, where.pleuraDistanceMm + 2));
    peritumoral.strands.push({ p0: from, p1: to, radiusMm: 0.55 });
  }
  const latent = latentProbability({
    ceaNgMl: clinical.ceaNgMl,
    cyfraNgMl: clinical.cyfraNgMl,
    solidDiameterMm: tumour.ctr * tumour.diameterMm,
    kind: tumour.kind,
    heterogeneityHu: tumour.heterogeneityHu,
    necrosisFraction: tumour.necrosisFraction,
    spiculeCount: tumour.spiculeCount,
    lobulationAmplitude: tumour.lobulationAmplitude,
    satelliteCount: tumour.satelliteCount,
    strandCount: tumour.strandCount,
    haloStrength: tumour.haloStrength,
    noise: Random.derive(base, 'outcome').normal(),
  });
  const label: 0 | 1 = Random.derive(base, 'label').next() < latent.probability ? 1 : 0;
  return {
    id,
    centre,
    seed: String(seed),
    phantomVersion: PHANTOM_VERSION,
    clinical: { ...clinical, lobe: where.lobe },
    tumour,
    semantics: {
      type: tumour.kind,
      nominalDiameterMm: tumour.diameterMm,
      ctr: tumour.ctr,
      lobulation: tumour.lobulationAmplitude >= 0.1,
      spiculation: tumour.spiculeCount >= 2,
      pleuralContact: tumour.juxtapleural,
      pleuralIndentation: tumour.pleuralIndentation,
      vacuole: tumour.vacuoleCount > 0,
      airBronchogram: tumour.airBronchogram,
      vascularConvergence: tumour.juxtavascular,
    },
    anatomy,
    nodule,
    peritumoral,
    extraTubes,
    latent: { ...latent, riskModelVersion: RISK_MODEL.version },
    label,
  };
}

/** Phenotype choices forced by the caller (test sets of a given kind); the rest stays sampled. */
export type TumourOverrides = Partial<
  Pick<TumourPhenotype, 'kind' | 'diameterMm' | 'juxtapleural' | 'juxtavascular' | 'satelliteCount' | 'strandCount' | 'haloStrength'>
> & {
  location?: ClinicalRecord['location'];
};

function applyOverrides(
  clinical: ClinicalRecord,
  tumour: TumourPhenotype,
  o: TumourOverrides,
  rng: Random,
): { clinical: ClinicalRecord; tumour: TumourPhenotype } {
  const { location, ...phenotype } = o;
  const t = { ...tumour, ...phenotype };
  if (o.kind && o.kind !== tumour.kind) {
    t.ctr = o.kind === 'solid' ? 1 : o.kind === 'part-solid' ? +rng.uniform(0.25, 0.8).toFixed(3) : 0;
    if (o.kind === 'ground-glass') Object.assign(t, { heterogeneityHu: 6, necrosisFraction: 0, satelliteCount: 0, strandCount: 0, haloStrength: 0 });
  }
  if (t.necrosisFraction > 0 && (t.ctr * t.diameterMm) / 2 < 7) t.necrosisFraction = 0;
  const where = o.juxtapleural ? 'peripheral' : (location ?? clinical.location);
  return { clinical: { ...clinical, location: where }, tumour: where === 'central' ? { ...t, juxtapleural: false, pleuralIndentation: false } : t };
}

function samplePeritumoral(rng: Random, n: NoduleSpec, t: TumourPhenotype): PeritumoralSpec {
  const flatDirection = (): Vec3 => {
    const u = rng.unitVector();
    return normalize([u[0], u[1], u[2] * 0.35]);
  };
  const satellites = [];
  for (let i = 0; i < t.satelliteCount; i++) {
    const u = flatDirection();
    satellites.push({ centreLps: add(n.centreLps, scale(u, bodyRadius(n, u) + rng.uniform(3, 10))), radiusMm: rng.uniform(0.8, 1.7) });
  }
  const strands = [];
  for (let i = 0; i < t.strandCount; i++) {
    const u = flatDirection();
    const start = add(n.centreLps, scale(u, bodyRadius(n, u) + 0.5));
    strands.push({ p0: start, p1: add(start, scale(u, rng.uniform(8, 18))), radiusMm: rng.uniform(0.45, 0.7) });
  }
  return { satellites, strands, halo: t.haloStrength > 0.05 ? { direction: flatDirection(), strength: t.haloStrength } : null };
}

export interface RenderedPatient {
  grid: RenderGrid;
  hu: Int16Array;
  mask: Uint8Array;
}

export interface RenderOptions {
  /** Size of the rendered region around the nodule, mm; ignored for a full field of view. */
  regionMm?: Vec3;
  /** A 512×512 full-field-of-view series spanning `regionMm[2]` of z around the nodule (the demo case). */
  fullFieldOfView?: boolean;
}

export const DEFAULT_REGION_MM: Vec3 = [96, 96, 72];

/** Draws the patient as its centre's scanner would reconstruct it, with the ground-truth tumour mask. */
export function renderPatient(p: PhantomPatient, options: RenderOptions = {}): RenderedPatient {
  const profile: CentreProfile = centreProfile(p.centre);
  const region = options.regionMm ?? DEFAULT_REGION_MM;
  const offsetRng = Random.derive(`${p.seed}/${p.id}`, 'field-of-view');
  let grid: RenderGrid;
  if (options.fullFieldOfView) {
    const sp = profile.spacingMm;
    const fov = 512 * sp[0];
    grid = new RenderGrid([512, 512, Math.round(region[2] / sp[2])], sp, [
      -fov / 2 + sp[0] / 2,
      -fov / 2 + sp[1] / 2 + 10,
      p.nodule.centreLps[2] - region[2] / 2 + offsetRng.uniform(-5, 5),
    ]);
  } else {
    const jitter: Vec3 = [offsetRng.uniform(-6, 6), offsetRng.uniform(-6, 6), offsetRng.uniform(-4, 4)];
    grid = RenderGrid.around(add(p.nodule.centreLps, jitter), region, profile.spacingMm);
  }
  const n = grid.voxelCount;
  const ideal = new Float32Array(n);
  const lung = new Uint8Array(n);
  const field = new ThoraxField(p.anatomy, {
    aorta: profile.contrast.aorta,
    heartBlood: profile.contrast.heartBlood,
    pulmonaryVessel: profile.contrast.pulmonaryVessel,
  });
  const [nx, ny, nz] = grid.dims;
  let o = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        const [x, y, z] = grid.world(i, j, k);
        const side = lungSide(p.anatomy, x, y, z);
        lung[o] = side === 0 ? 0 : 1;
        ideal[o] = side === 0 ? field.hu(x, y, z) : field.lungParenchymaHu(x, y, z);
      }
  const trees = growTrees(p.anatomy, Random.derive(`${p.seed}/${p.id}`, 'trees'));
  paintTubes(grid, ideal, lung, [...trees, ...p.extraTubes], { artery: profile.contrast.pulmonaryVessel, vein: profile.contrast.veinHu, airwayWall: 35 });
  const mask = new Uint8Array(n);
  paintNodule(grid, ideal, mask, p.nodule, (q) => lungSide(p.anatomy, q[0], q[1], q[2]) !== 0);
  paintPeritumoral(grid, ideal, lung, p.nodule, p.peritumoral, 20 + profile.contrast.tumourEnhancementHu);
  const hu = acquire(ideal, grid.dims, profile, `${p.seed}/${p.id}`);
  return { grid, hu, mask };
}
