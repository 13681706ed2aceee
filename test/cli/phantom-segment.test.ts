import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti } from '../../electron/engine/imaging/nifti.js';
import { dice } from '../../electron/engine/segmentation/index.js';
import { tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const tmp = tempDir('hilum-cli-phantom-');
afterAll(() => tmp.cleanup());

describe('hilum phantom and hilum segment', () => {
  const cohort = path.join(tmp.dir, 'cohort');

  it('phantom --n splits patients over the centres and writes the manifest, labelled synthetic', async () => {
    const r = await runCli(['phantom', '--out', cohort, '--n', '3', '--centres', 'A:2,B:1', '--seed', '5', '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SYNTHETIC/);
    expect(r.stdout).toMatch(/wrote 3 patients/);
    expect(r.stdout).toMatch(/oracle AUC/);
    const rows = readFileSync(path.join(cohort, 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((row) => row.split(',').slice(0, 2).join(':'))).toEqual(['A0001:A', 'A0002:A', 'B0001:B']);
  });

  it('phantom --no-images --json gives the cohort summary without writing images', async () => {
    const out = path.join(tmp.dir, 'clinical-only');
    const r = await runCli(['phantom', '--out', out, '--n', '40', '--seed', '2', '--no-images', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.patients).toBe(40);
    expect(summary.byCentre.A.patients + summary.byCentre.B.patients).toBe(40);
    expect(summary.byCentre.A.patients).toBe(28); // 781:318 of 40, largest remainders
    const rows = readFileSync(summary.manifest, 'utf8').trim().split('\n').slice(1);
    expect(rows.every((row) => row.split(',')[2] === '')).toBe(true);
  });

  it('segment, seeded at the true nodule centre in world mm, writes a mask that matches the ground truth', async () => {
    const clinical = JSON.parse(readFileSync(path.join(cohort, 'clinical', 'A0001.json'), 'utf8'));
    const seed = (clinical.truth.noduleCentreLps as number[]).map((v) => v.toFixed(2)).join(',');
    const out = path.join(tmp.dir, 'A0001-mask.nii.gz');
    const r = await runCli(['segment', '--image', path.join(cohort, 'images', 'A0001'), '--seed', seed, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.measurements.volumeMl).toBeGreaterThan(0);
    expect(result.measurements.ctr).toBeGreaterThanOrEqual(0);
    expect(result.measurements.ctr).toBeLessThanOrEqual(1);
    expect(result.mask).toBe(out);
    const written = readNifti(out).image;
    const truth = readNifti(path.join(cohort, 'masks', 'A0001.nii.gz')).image;
    expect(written.dims).toEqual(truth.dims);
    expect(
      dice(
        Uint8Array.from(written.voxels, (v) => (v ? 1 : 0)),
        Uint8Array.from(truth.voxels, (v) => (v ? 1 : 0)),
      ),
    ).toBeGreaterThan(0.8);
    const text = await runCli(['segment', '--image', path.join(cohort, 'images', 'A0001'), '--seed', seed]);
    expect(text.stdout).toMatch(/volume\s+\d+\.\d{3} mL/);
    expect(text.stdout).toMatch(/longest axial diameter\s+\d+\.\d mm/);
    expect(text.stdout).toMatch(/CTR\s+\d\.\d\d/);
  });

  it('segment refuses a seed on the chest wall at the image corner and a malformed seed with a named error', async () => {
    const image = path.join(cohort, 'images', 'A0001');
    const air = await runCli(['segment', '--image', image, '--seed', '0,0,0', '--voxel']);
    expect(air.code).not.toBe(0);
    expect(air.stderr).toMatch(/no nodule found at \(-?\d+\.\d, -?\d+\.\d, -?\d+\.\d\) mm: the point is outside the lungs/);
    expect(air.stdout).not.toMatch(/volume/);
    const bad = await runCli(['segment', '--image', image, '--seed', '1,2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--seed must be three numbers/);
  });

  it('radiomics reads the cohort manifest: one row per patient, its label column taken as the outcome, not the mask label', async () => {
    const params = path.join(tmp.dir, 'firstorder.yaml');
    writeFileSync(params, 'imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\nsetting:\n  binWidth: 25\n');
    const out = path.join(tmp.dir, 'features.csv');
    const r = await runCli(['radiomics', '--manifest', path.join(cohort, 'manifest.csv'), '--params', params, '--out', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    // Rows are appended as cases finish (a batch resumes where it stopped), so in any order.
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[header.indexOf('Case')])
        .sort(),
    ).toEqual(['A0001', 'A0002', 'B0001']);
    const mean = lines.slice(1).map((l) => Number(l.split(',')[header.indexOf('original_firstorder_Mean')]));
    // A tumour's mean HU: soft tissue or ground glass, never air or bone.
    for (const m of mean) {
      expect(m).toBeGreaterThan(-750);
      expect(m).toBeLessThan(200);
    }
  });
});
