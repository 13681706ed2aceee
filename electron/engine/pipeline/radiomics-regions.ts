/**
 * One case's radiomics as a study or bundle asks for it, the same in the cohort study's workers,
 * at the bedside and when a bundle scores a new cohort: the tumour's features (PyRadiomics names),
 * and — when the protocol has a peritumoral step — the same extraction on the ring of tissue
 * around the tumour (radiomics/peritumoral.ts), each name prefixed `peritumoral-<r>-mm-`.
 */
import { extractRadiomics } from '../radiomics/extractor.js';
import { RING_LABEL, peritumoralPrefix, peritumoralRing } from '../radiomics/peritumoral.js';
import { type ParameterSet, extractionSettings, parseParameters } from '../radiomics/settings.js';
import type { ModelBundle } from '../signatures/bundle.js';
import type { ScalarImage } from '../imaging/volume.js';

/** The peritumoral step: ring width and the parameter set its features are extracted with. */
export interface PeritumoralPlan {
  ringMm: number;
  params: ParameterSet;
}

export async function extractCaseRadiomics(
  caseId: string,
  image: ScalarImage,
  mask: ScalarImage,
  params: ParameterSet,
  peritumoral?: PeritumoralPlan,
): Promise<Record<string, number>> {
  const features = (await extractRadiomics({ caseId, image, mask }, { params })).features;
  if (!peritumoral) return features;
  const label = Number(extractionSettings(params).label ?? 1);
  const ring = peritumoralRing(mask, label, peritumoral.ringMm, caseId);
  const around = (await extractRadiomics({ caseId: `${caseId} (peritumoral ring)`, image, mask: ring }, { params: peritumoral.params, label: RING_LABEL }))
    .features;
  const prefix = peritumoralPrefix(peritumoral.ringMm);
  for (const [name, value] of Object.entries(around)) features[`${prefix}${name}`] = value;
  return features;
}

/** A bundle's peritumoral step, its parameter file parsed (undefined when the study had none). */
export function bundlePeritumoral(bundle: Pick<ModelBundle, 'radiomics'>): PeritumoralPlan | undefined {
  const p = bundle.radiomics.peritumoral;
  return p ? { ringMm: p.ringMm, params: parseParameters(p.parameterText, p.parameterFile) } : undefined;
}
