/**
 * A new centre (or scanner) for a bundle that harmonises its radiomics: the batch's ComBat
 * parameters are estimated from a group of that batch's own patients against the bundle's frozen
 * training fit (stats/combat/combat-new-batch.ts: their features, standardised with the frozen
 * α_g, β_g, σ_g, give γ̂, δ̂, shrunk by empirical Bayes), and added to a new, sealed bundle whose
 * provenance names its parent. Nothing else changes: the known batches, signatures, thresholds
 * and metrics are the parent's.
 */
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { estimateNewBatch } from '../stats/combat/index.js';
import { type ModelBundle, sealBundle, type UnsealedBundle } from './bundle.js';
import { encodeClinical } from './clinical-encoding.js';
import type { FrozenHarmonisation } from './harmonisation.js';

/** The bundle's frozen harmonisation; a bundle without one is refused (HARMONISE_NOT_IN_BUNDLE). */
export function bundleHarmonisation(bundle: ModelBundle): FrozenHarmonisation {
  const h = bundle.signatures.harmonisation;
  if (!h)
    throw new HilumError({
      code: 'HARMONISE_NOT_IN_BUNDLE',
      message: `bundle ${bundle.name} does not harmonise its radiomics, so it has no batches to add to`,
      hint: 'Batches are added only to bundles of studies with a harmonisation step in their protocol (docs/study.md).',
    });
  return h;
}

export interface NewBatchPatients {
  ids: string[];
  /** Each patient's clinical values (for the covariates the harmonisation preserves). */
  clinical: Record<string, string | number | undefined>[];
  /** Raw radiomics features by name, one value per patient. */
  radiomics: Record<string, ArrayLike<number>>;
}

export function addHarmonisationBatch(
  parent: ModelBundle,
  batch: string,
  patients: NewBatchPatients,
  options: { name?: string; now?: Date } = {},
): ModelBundle {
  const h = bundleHarmonisation(parent);
  const encoded = patients.clinical.map((values, i) => encodeClinical(parent.signatures.clinicalEncoding, values, `patient ${patients.ids[i]}`));
  const updated = estimateNewBatch(h, batch, {
    rowIds: patients.ids,
    features: patients.radiomics,
    covariates: Object.fromEntries(h.covariates.map((c) => [c, Float64Array.from(encoded, (e) => e[c])])),
  });
  const { contentSha256: _hash, ...rest } = parent;
  const child: UnsealedBundle = {
    ...rest,
    name: options.name ?? `${parent.name}+${batch}`,
    createdAt: (options.now ?? new Date()).toISOString(),
    engineVersion: engineVersion(),
    provenance: { ...parent.provenance, parent: { name: parent.name, contentSha256: parent.contentSha256 } },
    signatures: { ...parent.signatures, harmonisation: { ...updated, batchColumn: h.batchColumn } },
  };
  return sealBundle(child);
}
