/**
 * Scores a site's cohort manifest with a model bundle, as the bedside would score each patient:
 * the bundle's own radiomics settings and backbone (unpacked from the bundle), the study's cached
 * cohort extraction (`<workDir>/features`, resumable, `jobs` patients at a time), then every
 * signature of the bundle applied to each patient with the manifest's clinical columns. Used to
 * recalibrate a bundle on the site's patients (hilum recalibrate --manifest).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { loadBackbone } from '../deep/model-card.js';
import { parseParameters } from '../radiomics/settings.js';
import { type ModelBundle, unpackBackbone } from '../signatures/bundle.js';
import { deepOutputsFromColumns } from '../signatures/deep-features.js';
import { applySignatureSet, type SignatureName } from '../signatures/fit-set.js';
import { type FeatureTable, extractCohortFeatures, extractionKeys, featureTableFromCache } from './cohort-features.js';
import { type CohortManifest, readCohortManifest } from './cohort-manifest.js';
import { bundlePeritumoral } from './radiomics-regions.js';

export interface ScoredCohort {
  manifest: string;
  manifestSha256: string;
  ids: string[];
  centres: string[];
  y: Float64Array;
  score: Record<SignatureName, Float64Array>;
  probability: Record<SignatureName, Float64Array>;
}

export interface CohortExtractionOptions {
  workDir: string;
  jobs?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function scoreCohort(bundle: ModelBundle, manifestFile: string, options: CohortExtractionOptions): Promise<ScoredCohort> {
  const { manifest, table } = await extractWithBundle(bundle, manifestFile, options);
  const index = new Map(table.names.map((n, j) => [n, j]));
  const radiomicsNames = table.names.filter((n) => !n.startsWith('deep_'));
  const n = table.ids.length;
  const batchColumn = bundle.signatures.harmonisation?.batchColumn.toLowerCase();
  const score = {} as Record<SignatureName, Float64Array>;
  const probability = {} as Record<SignatureName, Float64Array>;
  manifest.cases.forEach((c, i) => {
    const row = table.rows[i];
    const out = applySignatureSet(
      bundle.signatures,
      {
        clinical: c.values,
        radiomics: Object.fromEntries(radiomicsNames.map((f) => [f, row[index.get(f)!]])),
        deep: deepOutputsFromColumns(table.names, (f) => row[index.get(f)!]),
        ...(batchColumn ? { batch: c.values[batchColumn] } : {}),
      },
      `patient ${c.id}`,
    );
    for (const s of Object.keys(out.score) as SignatureName[]) {
      (score[s] ??= new Float64Array(n))[i] = out.score[s];
      (probability[s] ??= new Float64Array(n))[i] = out.probability[s];
    }
  });
  return {
    manifest: manifestFile,
    manifestSha256: createHash('sha256').update(readFileSync(manifestFile)).digest('hex'),
    ids: manifest.cases.map((c) => c.id),
    centres: manifest.cases.map((c) => c.centre),
    y: Float64Array.from(manifest.cases, (c) => c.label),
    score,
    probability,
  };
}

/** A manifest's features extracted with the bundle's own radiomics settings and backbone (cached in the work folder). */
export async function extractWithBundle(
  bundle: ModelBundle,
  manifestFile: string,
  options: CohortExtractionOptions,
): Promise<{ manifest: CohortManifest; table: FeatureTable }> {
  const manifest = readCohortManifest(manifestFile);
  const params = parseParameters(bundle.radiomics.parameterText, bundle.radiomics.parameterFile);
  const backbone = loadBackbone(unpackBackbone(bundle, path.join(options.workDir, 'models')));
  const peritumoral = bundlePeritumoral(bundle);
  const keys = extractionKeys(params, backbone, peritumoral);
  if (keys.radiomics !== bundle.radiomics.extractionKey || keys.deep !== bundle.backbone.extractionKey)
    throw new HilumError({
      code: 'BUNDLE_ENGINE_MISMATCH',
      message: `this engine would extract the features of ${bundle.name} differently from the engine that made it (extraction keys differ)`,
      hint: 'Use the Hilum version the bundle was made with, or re-run the study.',
      data: { bundle: { radiomics: bundle.radiomics.extractionKey, deep: bundle.backbone.extractionKey }, engine: keys },
    });
  const r = await extractCohortFeatures(
    { cases: manifest.cases, repeatMaskOf: () => '', radiomicsParams: params, ...(peritumoral ? { peritumoral } : {}), backbone, dir: options.workDir },
    { jobs: options.jobs, onProgress: (done, total) => options.onProgress?.(done, total) },
  );
  if (r.failures.length)
    throw new HilumError({
      code: 'STUDY_EXTRACTION_FAILURES',
      message: `features of ${r.failures.length} patient(s) could not be extracted (first: ${r.failures[0].id}: ${r.failures[0].message})`,
      data: { failures: r.failures.slice(0, 20) },
    });
  return { manifest, table: featureTableFromCache(options.workDir, manifest.cases, keys) };
}
