import type { Random } from './random.js';
import type { NoduleKind } from './nodule.js';

export type Lobe = 'RUL' | 'RML' | 'RLL' | 'LUL' | 'LLL';

/** Clinical data in the units a clinic records them. */
export interface ClinicalRecord {
  ageYears: number;
  sex: 'female' | 'male';
  smoker: boolean;
  packYears: number;
  /** Serum carcinoembryonic antigen, ng/mL (reference < 5). */
  ceaNgMl: number;
  /** Serum cytokeratin-19 fragment, ng/mL (reference < 3.3). */
  cyfraNgMl: number;
  lobe: Lobe;
  location: 'central' | 'peripheral';
}

/** The tumour phenotype, before it is placed and drawn. */
export interface TumourPhenotype {
  kind: NoduleKind;
  diameterMm: number;
  ctr: number;
  heterogeneityHu: number;
  necrosisFraction: number;
  spiculeCount: number;
  lobulationAmplitude: number;
  vacuoleCount: number;
  airBronchogram: boolean;
  juxtapleural: boolean;
  pleuralIndentation: boolean;
  juxtavascular: boolean;
  satelliteCount: number;
  strandCount: number;
  haloStrength: number;
}

const LOBES: Lobe[] = ['RUL', 'RML', 'RLL', 'LUL', 'LLL'];
const LOBE_WEIGHTS = [0.31, 0.08, 0.19, 0.26, 0.16];

function poisson(rng: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit && k < 50) {
    k++;
    p *= rng.next();
  }
  return k;
}

/**
 * A surgical lung-adenocarcinoma patient: demographics and smoking as in East-Asian surgical
 * series (more never-smoking women), tumour markers log-normal around normal medians, and a tumour
 * whose aggressiveness components (texture, shape, peritumoral spread) are latent standard normals.
 */
export function sampleClinicalAndTumour(rng: Random): { clinical: ClinicalRecord; tumour: TumourPhenotype } {
  const sex = rng.bool(0.55) ? 'female' : 'male';
  const smoker = rng.bool(sex === 'male' ? 0.62 : 0.12);
  const packYears = smoker ? Math.round(Math.min(120, Math.max(2, rng.logNormal(24, 0.6)))) : 0;
  const ageYears = Math.round(rng.truncatedNormal(61 + (smoker ? 2 : 0), 9, 30, 86));

  const kind: NoduleKind = rng.pick(['ground-glass', 'part-solid', 'solid'], smoker ? [0.1, 0.3, 0.6] : [0.22, 0.38, 0.4]);
  const diameterMm =
    kind === 'ground-glass'
      ? rng.truncatedNormal(12, 4.5, 5, 28)
      : kind === 'part-solid'
        ? rng.truncatedNormal(17, 5.5, 6, 30)
        : rng.truncatedNormal(20, 5.5, 6, 30);
  const ctr = kind === 'solid' ? 1 : kind === 'part-solid' ? rng.uniform(0.25, 0.8) : 0;
  const solidRadius = (ctr * diameterMm) / 2;

  const zTexture = rng.normal();
  const zShape = rng.normal();
  const zSpread = rng.normal();
  const zMarker = rng.normal();

  const heterogeneityHu = kind === 'ground-glass' ? 6 : Math.min(45, Math.max(5, 18 + 9 * zTexture + 0.3 * (diameterMm - 18)));
  const necrosisFraction = solidRadius >= 7 && zTexture + rng.normal(0, 0.6) > 0.6 ? Math.min(0.5, 0.18 + 0.12 * zTexture) : 0;
  const spiculeCount = kind === 'ground-glass' ? poisson(rng, 0.4) : poisson(rng, Math.exp(0.6 + 0.55 * zShape));
  const lobulationAmplitude = Math.min(0.3, Math.max(0, 0.08 + 0.06 * zShape + rng.normal(0, 0.03)));
  const satelliteCount = kind === 'ground-glass' ? 0 : poisson(rng, Math.max(0, 1.1 * (zSpread + 0.6)));
  const strandCount = kind === 'ground-glass' ? 0 : poisson(rng, Math.max(0, 0.8 * (zSpread + 0.3)));
  const haloStrength = kind === 'ground-glass' ? 0 : 1 / (1 + Math.exp(-(1.6 * zSpread - 0.4)));

  // Tumour markers rise with tumour burden and (CEA) smoking, on top of the patient's own level.
  const ceaNgMl = +Math.min(80, Math.max(0.3, rng.logNormal(2.1, 0.35) * Math.exp(0.45 * zMarker + 0.02 * solidRadius * 2 + (smoker ? 0.25 : 0)))).toFixed(2);
  const cyfraNgMl = +Math.min(40, Math.max(0.4, rng.logNormal(2.2, 0.38) * Math.exp(0.012 * diameterMm + 0.15 * zMarker))).toFixed(2);

  const lobe = rng.pick(LOBES, LOBE_WEIGHTS);
  const location = rng.bool(0.15) ? 'central' : 'peripheral';
  return {
    clinical: { ageYears, sex, smoker, packYears, ceaNgMl, cyfraNgMl, lobe, location },
    tumour: {
      kind,
      diameterMm: +diameterMm.toFixed(1),
      ctr: +ctr.toFixed(3),
      heterogeneityHu: +heterogeneityHu.toFixed(1),
      necrosisFraction: +necrosisFraction.toFixed(3),
      spiculeCount,
      lobulationAmplitude: +lobulationAmplitude.toFixed(3),
      vacuoleCount: kind !== 'solid' && rng.bool(0.25) ? rng.int(1, 3) : rng.bool(0.08) ? 1 : 0,
      airBronchogram: kind !== 'solid' ? rng.bool(0.25) : rng.bool(0.1),
      juxtapleural: location === 'peripheral' && rng.bool(0.3),
      pleuralIndentation: location === 'peripheral' && kind !== 'ground-glass' && rng.bool(0.3),
      juxtavascular: rng.bool(0.3),
      satelliteCount,
      strandCount,
      haloStrength: +haloStrength.toFixed(3),
    },
  };
}
