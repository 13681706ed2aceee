import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../electron/engine/core/csv.js';
import { readImageFile, writeImageFile } from '../../electron/engine/imaging/image-files.js';
import { readFeatureTable } from '../../electron/engine/pipeline/cohort-features.js';
import { readBundle, serializeBundle } from '../../electron/engine/signatures/bundle.js';
import { applySignatureSet } from '../../electron/engine/signatures/fit-set.js';
import { deepOutputsFromColumns } from '../../electron/engine/signatures/deep-features.js';
import { ROOT, errorOf, tempDir } from '../helpers.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';
import { runCli } from './run-cli.js';

const tmp = tempDir('hilum-cli-study-');
afterAll(() => tmp.cleanup());
const cohort = path.join(tmp.dir, 'cohort');
const manifest = path.join(cohort, 'manifest.csv');
const protocolFile = path.join(tmp.dir, 'protocol.yaml');

/** Runs the CLI from source in a separate process. */
function spawnCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'cli', 'hilum-from-source.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const csvRows = (file: string) => parseCsv(readFileSync(file, 'utf8'));

beforeAll(async () => {
  const r = await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS]);
  expect(r.code).toBe(0);
  writeSmallStudyProtocol(tmp.dir, 'test-study', protocolFile);
}, 300_000);

describe('hilum study', () => {
  const out = path.join(tmp.dir, 'study');

  it('fits the five signatures and writes the table, plots, nomogram and a verifiable bundle', async () => {
    const r = await runCli(['study', '--manifest', manifest, '--out', out, '--protocol', protocolFile, '--jobs', '2']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/training 28, validation 12, external 16 \(features: 56 extracted, 0 cached\)/);
    expect(r.stdout).toMatch(/SYNTHETIC/);
    // 28 training patients: the multivariable clinical model is separated; reported, fitted with Firth's penalty.
    expect(r.stdout).toMatch(/PERFECT_SEPARATION\] clinical: the outcome is completely separated/);
    const table = csvRows(path.join(out, 'table.csv'));
    const header = table[0];
    const rows = table.slice(1).map((row) => Object.fromEntries(header.map((h, j) => [h, row[j]])));
    for (const signature of ['clinical', 'radiomics', 'mil', 'dlrad', 'combined'])
      for (const cohortName of ['training', 'validation', 'external']) {
        const row = rows.find((x) => x.signature === signature && x.cohort === cohortName)!;
        expect(row, `${signature} ${cohortName}`).toBeDefined();
        for (const k of ['auc', 'auc_ci_lower', 'auc_ci_upper', 'accuracy', 'sensitivity', 'specificity']) expect(Number.isFinite(Number(row[k]))).toBe(true);
      }
    expect(rows.filter((x) => x.signature === 'oracle').map((x) => x.cohort)).toEqual(['training', 'validation', 'external']);
    expect(readFileSync(path.join(out, 'table.md'), 'utf8')).toMatch(/\| Combined \(nomogram\) \| External test \| 16 \(/);
    expect(csvRows(path.join(out, 'delong.csv'))).toHaveLength(1 + 3 * 4);
    for (const plot of ['roc-training', 'roc-external', 'calibration-validation', 'decision-curve-external', 'nomogram'])
      expect(readFileSync(path.join(out, 'plots', `${plot}.svg`), 'utf8')).toMatch(/^<svg[^>]+xmlns/);
    expect(readFileSync(path.join(out, 'plots', 'nomogram.svg'), 'utf8')).toMatch(/DLRad score/);

    const bundleFile = path.join(out, 'model-bundle.hilum.json');
    const text = readFileSync(bundleFile, 'utf8');
    const bundle = readBundle(bundleFile);
    expect(serializeBundle(bundle)).toBe(text);
    expect(bundle.synthetic).toBe(true);
    expect(bundle.notice).toMatch(/SYNTHETIC/);
    expect(bundle.provenance.cohorts).toMatchObject({ training: { patients: 28 }, validation: { patients: 12 }, external: { patients: 16, centres: ['B'] } });
    expect(r.stdout).toContain(bundle.contentSha256);

    // The bundle alone reproduces every patient's predictions from the features.
    const features = readFeatureTable(path.join(out, 'features.csv'));
    const predictions = csvRows(path.join(out, 'predictions.csv'));
    const manifestRows = csvRows(manifest);
    const col = (name: string) => manifestRows[0].indexOf(name);
    for (const i of [0, 30, 55]) {
      const row = features.rows[i];
      const values = Object.fromEntries(manifestRows[0].map((h, j) => [h, manifestRows[i + 1][j]]));
      const applied = applySignatureSet(bundle.signatures, {
        clinical: values,
        radiomics: Object.fromEntries(features.names.filter((n) => !n.startsWith('deep_')).map((n) => [n, row[features.names.indexOf(n)]])),
        deep: deepOutputsFromColumns(features.names, (n) => row[features.names.indexOf(n)]),
      });
      expect(predictions[i + 1][0]).toBe(manifestRows[i + 1][col('patient_id')]);
      expect(String(applied.probability.combined)).toBe(predictions[i + 1][predictions[0].indexOf('combined_probability')]);
    }

    // A changed coefficient is refused.
    const tampered = path.join(tmp.dir, 'tampered.hilum.json');
    const b = JSON.parse(text);
    b.signatures.combined.coefficients[0] += 0.01;
    writeFileSync(tampered, JSON.stringify(b));
    expect(errorOf(() => readBundle(tampered)).code).toBe('BUNDLE_TAMPERED');
  }, 300_000);

  it('predicts a patient at the bedside exactly as the study did: the same combined probability to the last bit', async () => {
    const bundleFile = path.join(out, 'model-bundle.hilum.json');
    const bundle = readBundle(bundleFile);
    const predictions = csvRows(path.join(out, 'predictions.csv'));
    const manifestRows = csvRows(manifest);
    // An external-centre patient and a validation patient (neither touched by cross-fitting).
    for (const i of [55, 30]) {
      const row = Object.fromEntries(manifestRows[0].map((h, j) => [h, manifestRows[i + 1][j]]));
      const clinical = path.join(tmp.dir, `bedside-${row.patient_id}.json`);
      const values = Object.fromEntries(bundle.protocol.clinical.variables.map((v) => [v.column, row[v.column]]));
      writeFileSync(clinical, JSON.stringify({ format: 'hilum-clinical/1', patient: { pseudonym: row.patient_id }, values }));
      const r = await runCli([
        'predict',
        '--image',
        path.join(cohort, row.image_path),
        '--mask',
        path.join(cohort, row.mask_path),
        '--clinical',
        clinical,
        '--model',
        bundleFile,
        '--out',
        path.join(tmp.dir, `bedside-${row.patient_id}.pdf`),
        '--json',
      ]);
      expect(r.stderr).toBe('');
      const record = (JSON.parse(r.stdout) as { record: { result: { probability: number }; signatures: { name: string; probability: number }[] } }).record;
      const batch = predictions.find((p) => p[0] === row.patient_id)!;
      const column = (name: string) => batch[predictions[0].indexOf(name)];
      expect(String(record.result.probability)).toBe(column('combined_probability'));
      for (const s of record.signatures) expect(String(s.probability), s.name).toBe(column(`${s.name}_probability`));
    }
  }, 120_000);

  it('resumes from the feature cache: a second run extracts nothing and gives the same table', async () => {
    const before = readFileSync(path.join(out, 'table.csv'), 'utf8');
    const r = await runCli(['study', '--manifest', manifest, '--out', out, '--protocol', protocolFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/features: 0 extracted, 56 cached/);
    expect(readFileSync(path.join(out, 'table.csv'), 'utf8')).toBe(before);
  }, 120_000);

  it('extracts a corrected mask again, and uses repeat segmentations for the ICC filter', async () => {
    // A "second reader": each repeat mask is the ground-truth mask with its first label voxel removed.
    const rows = parseCsv(readFileSync(manifest, 'utf8'));
    const header = [...rows[0], 'repeat_mask_path'];
    const mi = rows[0].indexOf('mask_path');
    const edited = rows.slice(1).map((row, k) => {
      if (k >= 8) return [...row, ''];
      const image = readImageFile(path.join(cohort, row[mi])).image;
      const voxels = image.voxels.slice();
      voxels[voxels.findIndex((v) => v === 1)] = 0;
      const repeat = `masks/${row[0]}-repeat.nii.gz`;
      writeImageFile(path.join(cohort, repeat), { ...image, voxels });
      // Patient 1's own mask is corrected too: its features must be extracted again.
      return k === 0 ? [...row.slice(0, mi), repeat, ...row.slice(mi + 1), repeat] : [...row, repeat];
    });
    const file = path.join(cohort, 'with-repeat.csv');
    writeFileSync(file, [header, ...edited].map((row) => row.join(',')).join('\n') + '\n');
    const copy = path.join(tmp.dir, 'study-with-repeat');
    cpSync(out, copy, { recursive: true });
    const r = await runCli(['study', '--manifest', file, '--out', copy, '--protocol', protocolFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.extraction).toEqual({ extracted: 8, cached: 48, failures: 0 });
    const study = JSON.parse(readFileSync(path.join(copy, 'study.json'), 'utf8'));
    expect(study.selection.radiomics.icc).toMatchObject({ applied: true, patients: 8, threshold: 0.75 });
    expect(study.selection.mil.icc).toMatchObject({ applied: false, reason: 'no radiomics features among the candidates' });
  }, 300_000);

  it('fits the training split on the backbone’s out-of-fold outputs when they match the patients’ bags', async () => {
    // A copy of the shipped backbone whose oof.json covers this cohort's training patients, keyed by
    // the SHA-256 of each patient's bag (as the training recipe writes it); one patient's probabilities
    // are marked so the study's use of them is visible in the MIL features.
    const model = path.join(tmp.dir, 'backbone-with-oof');
    cpSync(path.join(ROOT, 'models', 'hilum-demo-backbone'), model, { recursive: true });
    const meta = JSON.parse(readFileSync(path.join(out, 'features.json'), 'utf8'));
    const split = csvRows(path.join(out, 'split.csv')).slice(1);
    const patients: Record<string, { bag: string; p: number[] }> = {};
    split.forEach(([id, , label, part], i) => {
      if (part === 'training') patients[id] = { bag: meta.bagSha256[i], p: Array(7).fill(Number(label) ? 0.9 : 0.1) };
    });
    writeFileSync(path.join(model, 'oof.json'), JSON.stringify({ folds: 5, patients }));
    const card = JSON.parse(readFileSync(path.join(model, 'card.json'), 'utf8'));
    card.outOfFold = { file: 'oof.json', folds: 5, patients: Object.keys(patients).length };
    writeFileSync(path.join(model, 'card.json'), JSON.stringify(card));
    const protocol = path.join(tmp.dir, 'protocol-oof.yaml');
    writeFileSync(protocol, readFileSync(protocolFile, 'utf8').replace('deep:\n', `deep:\n  model: ${model}\n`));
    const copy = path.join(tmp.dir, 'study-oof');
    cpSync(path.join(out, 'features'), path.join(copy, 'features'), { recursive: true });
    const r = await runCli(['study', '--manifest', manifest, '--out', copy, '--protocol', protocol, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.extraction).toEqual({ extracted: 0, cached: 56, failures: 0 });
    expect(summary.findings.map((f: { code: string }) => f.code)).toContain('DEEP_OUT_OF_FOLD');
    const bundle = readBundle(path.join(copy, 'model-bundle.hilum.json'));
    expect(bundle.provenance.deepOutOfFold).toEqual({ used: true, folds: 5, patients: 28 });
    expect(bundle.protocol.deep.model).toBe('backbone-with-oof');
    // The MIL vocabulary was fitted on the out-of-fold probabilities (0.1 and 0.9 only): its word edges are those values.
    expect(new Set(bundle.signatures.deepAggregation.wordEdges)).toEqual(new Set([0.1, 0.9]));
  }, 300_000);

  it('extracts in shards run as separate processes; the merged table equals a single run', async () => {
    const sharded = path.join(tmp.dir, 'sharded');
    const shards = await Promise.all(
      ['1/2', '2/2'].map((s) => spawnCli(['study', '--manifest', manifest, '--out', sharded, '--protocol', protocolFile, '--shard', s, '--jobs', '1'])),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    expect(shards[0].stdout).toMatch(/shard 1\/2: features of 28 patients/);
    expect(existsSync(path.join(sharded, 'features.csv'))).toBe(false);
    const r = await runCli(['study', '--manifest', manifest, '--out', sharded, '--protocol', protocolFile, '--merge']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(sharded, 'features.csv'), 'utf8')).toBe(readFileSync(path.join(out, 'features.csv'), 'utf8'));
    expect(readFileSync(path.join(sharded, 'features.json'), 'utf8')).toBe(readFileSync(path.join(out, 'features.json'), 'utf8'));
    expect(readFileSync(path.join(sharded, 'table.csv'), 'utf8')).toBe(readFileSync(path.join(out, 'table.csv'), 'utf8'));
  }, 300_000);

  it('merging with a shard missing names it', async () => {
    const partial = path.join(tmp.dir, 'partial');
    const s = await spawnCli(['study', '--manifest', manifest, '--out', partial, '--protocol', protocolFile, '--shard', '2/3', '--jobs', '1']);
    expect(s.code, s.stderr).toBe(0);
    const r = await runCli(['study', '--manifest', manifest, '--out', partial, '--protocol', protocolFile, '--merge']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SHARDS_MISSING.*shard\(s\) 1, 3 of 3/);
  }, 300_000);

  it('merging refuses a stale shard by name (a mask corrected after it was extracted); --status says so; re-running that shard mends it', async () => {
    const stale = path.join(tmp.dir, 'stale');
    cpSync(path.join(tmp.dir, 'sharded'), stale, { recursive: true });
    // The second patient (shard 2 of 2) gets a corrected mask.
    const rows = csvRows(manifest);
    const mi = rows[0].indexOf('mask_path');
    const id = rows[2][0];
    const image = readImageFile(path.join(cohort, rows[2][mi])).image;
    const voxels = image.voxels.slice();
    voxels[voxels.findIndex((v) => v === 1)] = 0;
    rows[2][mi] = `masks/${id}-corrected.nii.gz`;
    writeImageFile(path.join(cohort, rows[2][mi]), { ...image, voxels });
    const corrected = path.join(cohort, 'corrected.csv');
    writeFileSync(corrected, rows.map((row) => row.join(',')).join('\n') + '\n');
    const args = ['study', '--manifest', corrected, '--out', stale, '--protocol', protocolFile];

    const status = await runCli([...args, '--status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/shard 1\/2 +done +28 patients/);
    expect(status.stdout).toMatch(new RegExp(`shard 2/2 +stale +the image or mask of 1 patient\\(s\\) changed since it was extracted: ${id} \\(mask\\)`));
    const merge = await runCli([...args, '--merge']);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(
      new RegExp(
        `SHARDS_STALE\\]: shard\\(s\\) 2 of 2 are stale — 2: stale \\(the image or mask of 1 patient\\(s\\) changed since it was extracted: ${id} \\(mask\\)\\)`,
      ),
    );
    const shard = await spawnCli([...args, '--shard', '2/2', '--jobs', '1']);
    expect(shard.code, shard.stderr).toBe(0);
    expect(shard.stderr).toMatch(/features: 1\/1 patients/);
    const merged = await runCli([...args, '--merge']);
    expect(merged.code, merged.stderr).toBe(0);
  }, 300_000);

  it('refuses a cohort with a single outcome class before extracting anything', async () => {
    const rows = readFileSync(manifest, 'utf8').trim().split('\n');
    const header = rows[0].split(',');
    const li = header.indexOf('label');
    const oneClass =
      [
        rows[0],
        ...rows.slice(1).map((l) =>
          l
            .split(',')
            .map((v, j) => (j === li ? '0' : v))
            .join(','),
        ),
      ].join('\n') + '\n';
    const file = path.join(cohort, 'one-class.csv');
    writeFileSync(file, oneClass);
    const r = await runCli(['study', '--manifest', file, '--out', path.join(tmp.dir, 'one-class'), '--protocol', protocolFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ONE_CLASS_ONLY/);
    expect(existsSync(path.join(tmp.dir, 'one-class', 'features'))).toBe(false);
  }, 60_000);
});
