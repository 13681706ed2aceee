import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../electron/engine/core/csv.js';
import { readFeatureTable } from '../../electron/engine/pipeline/cohort-features.js';
import { predictCase } from '../../electron/engine/pipeline/bedside.js';
import { readBundle } from '../../electron/engine/signatures/bundle.js';
import { tempDir } from '../helpers.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';
import { runCli } from './run-cli.js';

/** Peritumoral radiomics as a protocol step: extracted in the study, recorded in the bundle, computed the same way at the bedside. */
const tmp = tempDir('hilum-cli-study-peritumoral-');
afterAll(() => tmp.cleanup());
const cohort = path.join(tmp.dir, 'cohort');
const study = path.join(tmp.dir, 'study');
const bundleFile = path.join(study, 'model-bundle.hilum.json');
const RING = 'peritumoral-3-0-mm-';

beforeAll(async () => {
  expect((await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS])).code).toBe(0);
  const protocol = writeSmallStudyProtocol(tmp.dir, 'peritumoral-study');
  writeFileSync(
    path.join(tmp.dir, 'ring.yaml'),
    'imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\nsetting:\n  binWidth: 25\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkBSpline\n  label: 1\n',
  );
  writeFileSync(
    protocol,
    readFileSync(protocol, 'utf8').replace(
      'radiomics:\n  parameterFile: light.yaml\n',
      'radiomics:\n  parameterFile: light.yaml\n  peritumoral:\n    ringMm: 3\n    parameterFile: ring.yaml\n',
    ),
  );
  const r = await runCli(['study', '--manifest', path.join(cohort, 'manifest.csv'), '--out', study, '--protocol', protocol, '--jobs', '2']);
  expect(r.code, r.stderr).toBe(0);
}, 600_000);

describe('peritumoral radiomics in hilum study', () => {
  it('adds the ring’s features to every patient’s radiomics and records the step in the bundle', () => {
    const table = readFeatureTable(path.join(study, 'features.csv'));
    const ring = table.names.filter((n) => n.startsWith(RING));
    expect(ring).toContain(`${RING}original_firstorder_Mean`);
    expect(ring).toHaveLength(18); // PyRadiomics' 18 first-order features
    // Around a solid tumour the ring is mostly lung: darker than the tumour itself.
    const manifest = parseCsv(readFileSync(path.join(cohort, 'manifest.csv'), 'utf8'));
    const solid = new Set(
      manifest
        .slice(1)
        .filter((r) => r[manifest[0].indexOf('nodule_type')] === 'solid')
        .map((r) => r[0]),
    );
    const j = table.names.indexOf(`${RING}original_firstorder_Mean`);
    const t = table.names.indexOf('original_firstorder_Mean');
    expect(solid.size).toBeGreaterThan(10);
    table.rows.forEach((row, i) => {
      for (const name of ring) expect(Number.isFinite(row[table.names.indexOf(name)]), `${table.ids[i]} ${name}`).toBe(true);
      if (solid.has(table.ids[i])) expect(row[j], table.ids[i]).toBeLessThan(row[t] - 100);
    });
    const b = readBundle(bundleFile);
    expect(b.radiomics.peritumoral).toMatchObject({ ringMm: 3, parameterFile: 'ring.yaml' });
    expect(b.radiomics.peritumoral!.parameterText).toBe(readFileSync(path.join(tmp.dir, 'ring.yaml'), 'utf8'));
    expect(b.protocol.radiomics.peritumoral).toEqual({ ringMm: 3, parameterFile: 'ring.yaml' });
    // The ring's features are radiomics candidates like the tumour's.
    expect(b.signatures.radiomicsFeatureNames.filter((n) => n.startsWith(RING))).toHaveLength(18);
  });

  it('the bedside computes the ring’s features, and the prediction, exactly as the study did', async () => {
    const bundle = readBundle(bundleFile);
    const table = readFeatureTable(path.join(study, 'features.csv'));
    const predictions = parseCsv(readFileSync(path.join(study, 'predictions.csv'), 'utf8'));
    const manifest = parseCsv(readFileSync(path.join(cohort, 'manifest.csv'), 'utf8'));
    for (const i of [55, 30]) {
      const row = Object.fromEntries(manifest[0].map((h, k) => [h, manifest[i + 1][k]]));
      const values = Object.fromEntries(bundle.protocol.clinical.variables.map((v) => [v.column, row[v.column]]));
      const outcome = await predictCase({
        image: path.join(cohort, row.image_path),
        mask: path.join(cohort, row.mask_path),
        clinical: { format: 'hilum-clinical/1', patient: { pseudonym: row.patient_id }, values },
        bundle,
        modelCache: path.join(tmp.dir, 'models'),
      });
      const studyRow = table.rows[table.ids.indexOf(row.patient_id)];
      for (const name of table.names.filter((n) => n.startsWith(RING)))
        expect(outcome.features.radiomics[name], name).toBe(studyRow[table.names.indexOf(name)]);
      const p = predictions.find((x) => x[0] === row.patient_id)!;
      expect(String(outcome.record.result!.probability)).toBe(p[predictions[0].indexOf('combined_probability')]);
    }
  }, 120_000);
});
