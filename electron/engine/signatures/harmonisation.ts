/**
 * The protocol's optional harmonisation step: ComBat (Johnson, Li & Rabinovic 2007; stats/combat/)
 * of the radiomics features across the batches of a manifest column (centre or scanner), before
 * feature selection:
 *   - fitted on the training split only: the standardisation (α_g, σ²_g, covariate effects β_g) and
 *     each training batch's empirical-Bayes γ*_bg, δ*_bg, then frozen in the bundle;
 *   - a batch with no training patient (an external centre) is estimated from that batch's own
 *     patients in the study — their features, never their outcomes — against the frozen training
 *     fit, as `hilum harmonise add-batch` does for a new centre after the study;
 *   - every patient of a known batch is harmonised with the frozen parameters,
 *       x*_ig = σ_g (z_ig − γ*_bg)/√δ*_bg + α_g + Σ_k c_ik β_gk,  z_ig = (x_ig − α_g − Σ_k c_ik β_gk)/σ_g;
 *   - a patient of an unknown batch is refused (HARMONISE_UNKNOWN_BATCH): one patient cannot
 *     estimate a centre's batch effect.
 * Covariates to preserve are clinical variables of the protocol (numeric or binary), taken as the
 * clinical encoding gives them; the outcome never is one.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { applyCombat, type CombatParams, estimateNewBatch, fitCombat, scalePriorMisfit } from '../stats/combat/index.js';
import type { StudyProtocol } from './protocol.js';
import { appendAll } from '../core/append-all.js';

export type HarmonisationSettings = NonNullable<StudyProtocol['harmonisation']>;

/** The frozen harmonisation of a bundle: ComBat parameters and the manifest column its batches come from. */
export type FrozenHarmonisation = CombatParams & { batchColumn: string };

export interface StudyHarmonisation {
  params: FrozenHarmonisation;
  /** The harmonised radiomics columns of every patient (non-finite features pass unchanged). */
  radiomics: Record<string, Float64Array>;
  findings: Finding[];
}

/** Fits the harmonisation on the training rows, estimates the batches without training patients from their own rows, and harmonises every patient. */
export function harmoniseStudyRadiomics(
  settings: HarmonisationSettings,
  data: {
    ids: readonly string[];
    batch: readonly string[];
    training: readonly boolean[];
    radiomics: Record<string, Float64Array>;
    radiomicsNames: readonly string[];
    covariates: Record<string, Float64Array>;
  },
): StudyHarmonisation {
  const findings: Finding[] = [];
  data.batch.forEach((b, i) => {
    if (!b)
      throw new HilumError({
        code: 'HARMONISE_BATCH_MISSING',
        message: `harmonisation: patient ${data.ids[i]} has no value in the batch column '${settings.batchColumn}' of the manifest`,
        hint: `Fill in ${settings.batchColumn} for every patient, or change harmonisation.batchColumn in the protocol.`,
      });
  });
  // ComBat needs complete columns; a feature with a missing value is left as it is (feature selection drops it).
  const featureNames = data.radiomicsNames.filter((f) => data.radiomics[f].every(Number.isFinite));
  const rowsOf = (keep: (i: number) => boolean) => data.ids.flatMap((_, i) => (keep(i) ? [i] : []));
  const pick = (cols: Record<string, Float64Array>, names: readonly string[], rows: number[]) =>
    Object.fromEntries(names.map((f) => [f, Float64Array.from(rows, (i) => cols[f][i])]));
  const trainRows = rowsOf((i) => data.training[i]);
  const fit = fitCombat(
    {
      batch: trainRows.map((i) => data.batch[i]),
      rowIds: trainRows.map((i) => data.ids[i]),
      featureNames,
      features: pick(data.radiomics, featureNames, trainRows),
      covariateNames: settings.covariates,
      covariates: pick(data.covariates, settings.covariates, trainRows),
    },
    { parametric: settings.parametric, meanOnly: settings.meanOnly, referenceBatch: settings.referenceBatch },
  );
  let params: CombatParams = fit.params;
  appendAll(findings, fit.findings);
  const unseen = [...new Set(data.batch)].filter((b) => !params.batches[b]).sort();
  for (const b of unseen) {
    const rows = rowsOf((i) => data.batch[i] === b);
    params = estimateNewBatch(params, b, {
      rowIds: rows.map((i) => data.ids[i]),
      features: pick(data.radiomics, [...params.features, ...params.unchanged], rows),
      covariates: pick(data.covariates, settings.covariates, rows),
    });
    findings.push({
      code: 'HARMONISE_BATCH_ESTIMATED',
      severity: 'info',
      message: `harmonisation: batch ${b} has no training patient; its parameters were estimated from its own ${rows.length} patients' features (not their outcomes) against the training fit`,
    });
    const misfit = scalePriorMisfit(params, b);
    if (misfit) findings.push(misfit);
  }
  const all = rowsOf(() => true);
  const harmonised = applyCombat(params, {
    batch: data.batch,
    rowIds: data.ids,
    features: pick(data.radiomics, [...params.features, ...params.unchanged], all),
    covariates: pick(data.covariates, settings.covariates, all),
  });
  findings.push({
    code: 'HARMONISE_APPLIED',
    severity: 'info',
    message: `radiomics harmonised by ComBat across ${settings.batchColumn} (${Object.keys(params.batches).join(', ')}): fitted on the ${trainRows.length} training patients, ${params.features.length} features adjusted`,
  });
  return { params: { ...params, batchColumn: settings.batchColumn }, radiomics: { ...data.radiomics, ...harmonised }, findings };
}

/**
 * Refuses a patient whose batch the frozen harmonisation does not know (or who has none): a single
 * patient cannot estimate a new centre's batch effect. Checked at the bedside before any heavy work.
 */
export function assertKnownBatch(params: FrozenHarmonisation, batch: string | undefined, who: string): asserts batch is string {
  const known = Object.keys(params.batches);
  if (!batch)
    throw new HilumError({
      code: 'HARMONISE_BATCH_MISSING',
      message: `${who}: the model harmonises radiomics across ${params.batchColumn}, but the ${params.batchColumn} of this patient is not given`,
      hint: `Give the patient's ${params.batchColumn} (one of ${known.join(', ')}).`,
      data: { field: params.batchColumn, known },
    });
  if (!params.batches[batch])
    throw new HilumError({
      code: 'HARMONISE_UNKNOWN_BATCH',
      message: `${who} is from ${params.batchColumn} '${batch}', which this model's harmonisation does not know (it knows ${known.join(', ')}); a single patient cannot estimate a new ${params.batchColumn}'s batch effect`,
      hint: `Estimate the batch from a group of that ${params.batchColumn}'s own patients into a new bundle: hilum harmonise add-batch --bundle <this bundle> --manifest <their manifest> --out <new bundle>.`,
      data: { field: params.batchColumn, batch, known },
    });
}

/** Harmonises one patient's radiomics with the frozen parameters (x*_ig above); an unknown or missing batch is refused. */
export function harmonisePatient(
  params: FrozenHarmonisation,
  batch: string | undefined,
  radiomics: Record<string, number>,
  covariates: Record<string, number>,
  who: string,
): Record<string, number> {
  assertKnownBatch(params, batch, who);
  const one = (v: number) => [v];
  const out = applyCombat(params, {
    batch: [batch],
    rowIds: [who],
    features: Object.fromEntries([...params.features, ...params.unchanged].map((f) => [f, one(radiomics[f])])),
    covariates: Object.fromEntries(params.covariates.map((c) => [c, one(covariates[c])])),
  });
  return { ...radiomics, ...Object.fromEntries(Object.entries(out).map(([f, v]) => [f, v[0]])) };
}

/** Each patient's batch from a manifest's rows (columns lower-cased, as the manifest reader keeps them); undefined without a batch column. */
export function manifestBatches(rows: readonly { values: Record<string, string> }[], batchColumn: string | undefined): string[] | undefined {
  if (!batchColumn) return undefined;
  const column = batchColumn.toLowerCase();
  return rows.map((r) => r.values[column] ?? '');
}

/** A bedside patient's batch from the clinical data's values (a field named as the batch column; a plain value or {value}). */
export function clinicalBatch(values: Record<string, unknown>, params: FrozenHarmonisation | undefined): string | undefined {
  if (!params) return undefined;
  const key = Object.keys(values).find((k) => k.toLowerCase() === params.batchColumn.toLowerCase());
  const raw = key === undefined ? undefined : values[key];
  const v = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  return v === undefined || v === null || v === '' ? undefined : String(v);
}
