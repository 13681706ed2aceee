import { describe, expect, it } from 'vitest';
import { addHarmonisationBatch } from '../../../electron/engine/signatures/add-batch-bundle.js';
import { type ModelBundle, sealBundle, type UnsealedBundle } from '../../../electron/engine/signatures/bundle.js';
import { applySignatureSet, fitSignatureSet, type StudyInputs } from '../../../electron/engine/signatures/fit-set.js';
import { clinicalBatch } from '../../../electron/engine/signatures/harmonisation.js';
import { parseProtocol, type StudyProtocol } from '../../../electron/engine/signatures/protocol.js';
import { mean } from '../../../electron/engine/stats/descriptive.js';
import { errorOf } from '../../helpers.js';
import { syntheticStudy } from './synthetic-study.js';

const VARIABLES = [
  { column: 'age_years', kind: 'numeric', unit: 'years', range: [18, 100] },
  { column: 'sex', kind: 'binary', positive: 'male' },
  { column: 'cea_ng_ml', kind: 'numeric', unit: 'ng/mL', range: [0, 1000] },
  { column: 'diameter_mm', kind: 'numeric', unit: 'mm', range: [1, 100] },
];

function protocol(harmonisation?: Record<string, unknown>): StudyProtocol {
  return parseProtocol({
    clinical: { variables: VARIABLES },
    selection: { lasso: { nFolds: 5 } },
    stacking: { folds: 3 },
    ...(harmonisation ? { harmonisation } : {}),
  });
}

/** The synthetic study with scanners: S1 and S2 in centre A (training and validation), S3 only in centre B (external); S2 and S3 shift and scale the radiomics. */
function scannerStudy(): StudyInputs & { scanner: string[] } {
  const s = syntheticStudy();
  const scanner = s.ids.map((id, i) => (id.startsWith('B') ? 'S3' : i % 2 ? 'S2' : 'S1'));
  const radiomics = Object.fromEntries(
    s.radiomicsNames.map((f, j) => [
      f,
      Float64Array.from(s.radiomics[f], (v, i) => (scanner[i] === 'S2' ? v + 3 * (j + 1) : scanner[i] === 'S3' ? 1.5 * v - 40 : v)),
    ]),
  );
  return { ...s, radiomics, batch: scanner, scanner };
}

const patientOf = (s: StudyInputs, i: number, batch?: string) => ({
  clinical: s.clinicalValues[i],
  radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, s.radiomics[f][i]])),
  deep: s.deep[i],
  ...(batch === undefined ? {} : { batch }),
});

describe('harmonisation as a protocol step', () => {
  const s = scannerStudy();
  const fit = fitSignatureSet(s, protocol({ batchColumn: 'scanner', covariates: ['age_years'] }));
  const h = fit.set.harmonisation!;

  it('fits ComBat on the training split, estimates the external-only scanner from its own patients, and freezes them in the set', () => {
    expect(h.batchColumn).toBe('scanner');
    expect(h.covariates).toEqual(['age_years']);
    expect(h.batches.S1.source).toBe('training');
    expect(h.batches.S2.source).toBe('training');
    expect(h.batches.S3.source).toBe('new-batch');
    const training = s.split.flatMap((x, i) => (x === 'training' ? [i] : []));
    expect(h.batches.S1.samples + h.batches.S2.samples).toBe(training.length);
    expect(h.batches.S3.samples).toBe(s.scanner.filter((b) => b === 'S3').length);
    expect(fit.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['HARMONISE_APPLIED', 'HARMONISE_BATCH_ESTIMATED']));
    // Selected feature F19 carries S2's largest shift (60); harmonised, the two training scanners' means agree.
    const f = s.radiomicsNames[19];
    const raw = (b: string) =>
      mean(
        Float64Array.from(
          training.filter((i) => s.scanner[i] === b),
          (i) => s.radiomics[f][i],
        ),
      );
    expect(Math.abs(raw('S2') - raw('S1'))).toBeGreaterThan(40);
  });

  it('harmonises a patient of a known batch at scoring exactly as in the study', () => {
    for (const i of [0, 1, 239]) {
      const one = applySignatureSet(fit.set, patientOf(s, i, s.scanner[i]), `patient ${s.ids[i]}`);
      for (const name of ['clinical', 'radiomics', 'mil', 'dlrad', 'combined'] as const) expect(one.score[name]).toBeCloseTo(fit.scores.score[name][i], 10);
    }
  });

  it('refuses a patient of an unseen batch, or with none, by name', () => {
    const unknown = errorOf(() => applySignatureSet(fit.set, patientOf(s, 0, 'S9'), 'patient A0001'));
    expect(unknown.code).toBe('HARMONISE_UNKNOWN_BATCH');
    expect(unknown.message).toMatch(/scanner 'S9'.*knows S1, S2, S3/);
    expect(unknown.hint).toMatch(/hilum harmonise add-batch/);
    expect(errorOf(() => applySignatureSet(fit.set, patientOf(s, 0), 'patient A0001')).code).toBe('HARMONISE_BATCH_MISSING');
    expect(clinicalBatch({ Scanner: { value: 'S2' } }, h)).toBe('S2');
    expect(clinicalBatch({ age_years: 60 }, h)).toBeUndefined();
  });

  it('refuses the outcome as a covariate or batch column, and covariates the bedside would not have', () => {
    expect(errorOf(() => protocol({ batchColumn: 'scanner', covariates: ['label'] })).code).toBe('HARMONISE_OUTCOME_COVARIATE');
    expect(errorOf(() => protocol({ batchColumn: 'label' })).code).toBe('HARMONISE_OUTCOME_COVARIATE');
    expect(errorOf(() => protocol({ batchColumn: 'scanner', covariates: ['smoker'] })).code).toBe('PROTOCOL_INVALID');
    expect(errorOf(() => protocol({ batchColumn: 'scanner', method: 'limma' })).code).toBe('PROTOCOL_INVALID');
    expect(errorOf(() => fitSignatureSet({ ...s, batch: undefined }, protocol({ batchColumn: 'scanner' }))).code).toBe('HARMONISE_BATCH_MISSING');
    // One training batch: only as the reference.
    expect(errorOf(() => fitSignatureSet({ ...s, batch: s.ids.map((id) => id[0]) }, protocol({ batchColumn: 'centre' }))).code).toBe('HARMONISE_ONE_BATCH');
    const ref = fitSignatureSet({ ...s, batch: s.ids.map((id) => id[0]) }, protocol({ batchColumn: 'centre', referenceBatch: 'A' }));
    expect(ref.set.harmonisation!.referenceBatch).toBe('A');
    expect(ref.set.harmonisation!.batches.B.source).toBe('new-batch');
  });

  it('adds a new scanner to a bundle from a group of its own patients: a new bundle naming its parent', () => {
    const parent = sealBundle({ name: 'harmonised', provenance: { centres: {} }, signatures: fit.set } as unknown as UnsealedBundle);
    // "S4": centre-B patients re-scanned: raw features shifted again.
    const rows = s.ids.flatMap((id, i) => (id.startsWith('B') ? [i] : [])).slice(0, 30);
    const shifted = (i: number) => Object.fromEntries(s.radiomicsNames.map((f) => [f, s.radiomics[f][i] + 25]));
    const child = addHarmonisationBatch(parent, 'S4', {
      ids: rows.map((i) => s.ids[i]),
      clinical: rows.map((i) => s.clinicalValues[i]),
      radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, Float64Array.from(rows, (i) => s.radiomics[f][i] + 25)])),
    });
    expect(child.provenance.parent).toEqual({ name: 'harmonised', contentSha256: parent.contentSha256 });
    expect(child.name).toBe('harmonised+S4');
    const ch = child.signatures.harmonisation!;
    expect(ch.batches.S4).toMatchObject({ samples: 30, source: 'new-batch' });
    expect(ch.batches.S1).toEqual(h.batches.S1);
    const i = rows[0];
    const one = applySignatureSet(child.signatures, { ...patientOf(s, i, 'S4'), radiomics: shifted(i) });
    expect(Number.isFinite(one.score.combined)).toBe(true);
    expect(
      errorOf(() => addHarmonisationBatch(parent, 'S1', { ids: ['x', 'y'], clinical: [s.clinicalValues[0], s.clinicalValues[1]], radiomics: {} })).code,
    ).toBe('HARMONISE_BATCH_EXISTS');
    const single = errorOf(() =>
      addHarmonisationBatch(parent, 'S5', {
        ids: [s.ids[i]],
        clinical: [s.clinicalValues[i]],
        radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, [s.radiomics[f][i]]])),
      }),
    );
    expect(single.code).toBe('HARMONISE_BATCH_TOO_SMALL');
    const plain = sealBundle({
      name: 'plain',
      provenance: {},
      signatures: { ...fit.set, harmonisation: undefined },
    } as unknown as UnsealedBundle) as ModelBundle;
    expect(errorOf(() => addHarmonisationBatch(plain, 'S4', { ids: [], clinical: [], radiomics: {} })).code).toBe('HARMONISE_NOT_IN_BUNDLE');
  });
});
