/**
 * The generative model of occult nodal metastasis (docs/phantom.md): a latent logit that is a sum
 * of parts each signature can see — clinical (CEA, CYFRA 21-1, the consolidation size a surgeon
 * reads off the CT), radiomics-visible (internal heterogeneity, necrosis, spiculation, lobulation,
 * all inside the tumour mask), spatial patterns best seen by slice-level deep features (satellite
 * micronodules, strands and an asymmetric halo just outside the tumour), a penalty for ground-glass
 * lesions — plus unexplained patient-level noise. The label is a Bernoulli draw of sigmoid(logit);
 * the true probability is written out, so the oracle AUC of any cohort is known.
 */
export interface RiskInputs {
  ceaNgMl: number;
  cyfraNgMl: number;
  solidDiameterMm: number;
  kind: 'solid' | 'part-solid' | 'ground-glass';
  heterogeneityHu: number;
  necrosisFraction: number;
  spiculeCount: number;
  lobulationAmplitude: number;
  satelliteCount: number;
  strandCount: number;
  haloStrength: number;
  /** Standard normal draw for the unexplained part. */
  noise: number;
}

export interface RiskTerms {
  clinical: number;
  radiomic: number;
  spatial: number;
  composition: number;
  unexplained: number;
}

/** Coefficients; changing one changes the phantom, so they are versioned with the generator. */
export const RISK_MODEL = {
  version: 1,
  intercept: -1.85,
  cea: 0.85, // per unit of ln(CEA / 2.5 ng/mL)
  cyfra: 0.35, // per unit of ln(CYFRA / 2.3 ng/mL) / 0.45
  solidSize: 0.42, // per 6 mm of consolidation diameter above 10 mm
  heterogeneity: 0.55, // per 10 HU of solid-part texture amplitude above 18 HU
  necrosis: 1.6, // per unit necrosis fraction
  spicules: 0.22, // per spicule above 2
  lobulation: 3.0, // per unit lobulation amplitude above 0.08
  satellites: 0.5, // per satellite micronodule
  strands: 0.3, // per peritumoral strand
  halo: 1.3, // per unit halo strength
  groundGlass: -2.2,
  partSolid: -0.55,
  noiseSd: 0.7,
} as const;

export function riskTerms(x: RiskInputs): RiskTerms {
  const m = RISK_MODEL;
  return {
    clinical: m.cea * Math.log(x.ceaNgMl / 2.5) + (m.cyfra * Math.log(x.cyfraNgMl / 2.3)) / 0.45 + (m.solidSize * (x.solidDiameterMm - 10)) / 6,
    radiomic:
      (m.heterogeneity * (x.heterogeneityHu - 18)) / 10 +
      m.necrosis * x.necrosisFraction +
      m.spicules * (x.spiculeCount - 2) +
      m.lobulation * (x.lobulationAmplitude - 0.08),
    spatial: m.satellites * x.satelliteCount + m.strands * x.strandCount + m.halo * x.haloStrength - 0.9,
    composition: x.kind === 'ground-glass' ? m.groundGlass : x.kind === 'part-solid' ? m.partSolid : 0,
    unexplained: m.noiseSd * x.noise,
  };
}

export function latentProbability(x: RiskInputs): { logit: number; probability: number; terms: RiskTerms } {
  const terms = riskTerms(x);
  const logit = RISK_MODEL.intercept + terms.clinical + terms.radiomic + terms.spatial + terms.composition + terms.unexplained;
  return { logit, probability: 1 / (1 + Math.exp(-logit)), terms };
}
