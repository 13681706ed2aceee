import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../electron/engine/core/csv.js';
import { writeNrrd } from '../../../electron/engine/imaging/nrrd.js';
import { tempDir } from '../../helpers.js';
import { runCli } from '../../cli/run-cli.js';
import { radiomicsFixture, readNameValueCsv, relativeDeviation } from './reference.js';

const tmp = tempDir('hilum-radiomics-cli-');
afterAll(() => tmp.cleanup());
const image = radiomicsFixture('pyradiomics', 'data', 'breast1_image.nrrd');
const mask = radiomicsFixture('pyradiomics', 'data', 'breast1_label.nrrd');
const pyradiomicsDefault = readNameValueCsv(radiomicsFixture('pyradiomics-3.1', 'breast1_default.csv'));

describe('hilum radiomics', () => {
  it('writes one CSV row per case: case columns, diagnostics, then PyRadiomics-named features', async () => {
    const out = path.join(tmp.dir, 'breast1.csv');
    const r = await runCli([
      'radiomics',
      '--image',
      image,
      '--mask',
      mask,
      '--params',
      radiomicsFixture('pyradiomics-3.1', 'default.yaml'),
      '--out',
      out,
      '--jobs',
      '1',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: 107 features of breast1_image\n`);
    const [header, row] = parseCsv(readFileSync(out, 'utf8'));
    expect(header.slice(0, 4)).toEqual(['Case', 'Image', 'Mask', 'Label']);
    expect(header[4]).toBe('diagnostics_Versions_Hilum');
    const firstFeature = header.findIndex((h) => !h.startsWith('diagnostics_') && h !== 'Case' && h !== 'Image' && h !== 'Mask' && h !== 'Label');
    expect(header.slice(4, firstFeature).every((h) => h.startsWith('diagnostics_'))).toBe(true);
    // The same features, in the same order, as PyRadiomics 3.1's output for this case and parameter file.
    const pyFeatures = [...pyradiomicsDefault.keys()].filter((k) => !k.startsWith('diagnostics_'));
    expect(header.slice(firstFeature)).toEqual(pyFeatures);
    for (const name of pyFeatures) expect(relativeDeviation(Number(row[header.indexOf(name)]), Number(pyradiomicsDefault.get(name))), name).toBeLessThan(1e-9);
    expect(row[header.indexOf('diagnostics_Configuration_Settings')]).toBe(pyradiomicsDefault.get('diagnostics_Configuration_Settings'));
  });

  it('writes JSON with diagnostics and features', async () => {
    const out = path.join(tmp.dir, 'breast1.json');
    const r = await runCli(['radiomics', '--image', image, '--mask', mask, '--label', '1', '--out', out, '--jobs', '1']);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { case: string; diagnostics: Record<string, string>; features: Record<string, number> };
    expect(json.case).toBe('breast1_image');
    expect(json.diagnostics['diagnostics_Mask-original_VoxelNum']).toBe('143');
    expect(Object.keys(json.features)).toHaveLength(107);
  });

  it('runs a manifest in batch, records failures without stopping, and resumes without redoing finished cases', async () => {
    const manifest = path.join(tmp.dir, 'cases.csv');
    const out = path.join(tmp.dir, 'batch.csv');
    writeFileSync(manifest, `ID,Image,Mask\npatient-1,${image},${mask}\npatient-2,${image},missing-mask.nrrd\npatient-3,${image},${mask}\n`);
    const first = await runCli(['radiomics', '--manifest', manifest, '--out', out, '--jobs', '2']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/error \[RADIOMICS_BATCH_FAILURES\]: 1 of 3 cases failed; their errors are in .*batch\.csv\.failures\.csv/);
    expect(first.stdout).toMatch(/radiomics: 2 of 3 cases extracted into .*batch\.csv; 1 failed/);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['patient-1', 'patient-3']);
    const failures = parseCsv(readFileSync(`${out}.failures.csv`, 'utf8'));
    expect(failures[0]).toEqual(['Case', 'Image', 'Mask', 'Code', 'Message']);
    expect(failures[1].slice(0, 1)).toEqual(['patient-2']);
    expect(failures[1][3]).toBe('PATH_NOT_FOUND');
    expect(failures[1][4]).toMatch(/^patient-2: mask .*missing-mask\.nrrd does not exist$/);

    // Fix the manifest and run again: the two finished cases are skipped, the failed one is done.
    writeFileSync(manifest, `ID,Image,Mask\npatient-1,${image},${mask}\npatient-2,${image},${mask}\npatient-3,${image},${mask}\n`);
    const second = await runCli(['radiomics', '--manifest', manifest, '--out', out, '--jobs', '2']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/radiomics: 1 of 1 cases extracted into .*batch\.csv; 2 already there were skipped/);
    const all = parseCsv(readFileSync(out, 'utf8'));
    expect(
      all
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['patient-1', 'patient-2', 'patient-3']);
    const mean = all[0].indexOf('original_firstorder_Mean');
    expect(new Set(all.slice(1).map((r) => r[mean])).size).toBe(1);
  });

  it('leaves a case on which a LoG σ is skipped out of the batch table with a named error, whatever its place, and goes on', async () => {
    const volume = (nz: number, seed: number): [string, string] => {
      const dims: [number, number, number] = [24, 24, nz];
      const voxels = new Int16Array(24 * 24 * nz).map((_, i) => ((i * 7919 + seed) % 97) - 40);
      const label = new Uint8Array(voxels.length).map((_, i) =>
        i % 24 > 4 && i % 24 < 18 && Math.floor(i / 24) % 24 > 4 && Math.floor(i / 24) % 24 < 18 ? 1 : 0,
      );
      const grid = {
        dims,
        spacingMm: [0.7, 0.7, 2.5] as [number, number, number],
        originLps: [0, 0, 0] as [number, number, number],
        direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as never,
      };
      const files: [string, string] = [path.join(tmp.dir, `v${nz}-${seed}.nrrd`), path.join(tmp.dir, `v${nz}-${seed}-label.nrrd`)];
      writeNrrd(files[0], { ...grid, voxels });
      writeNrrd(files[1], { ...grid, voxels: label });
      return files;
    };
    const thin = volume(2, 1);
    const [a, b] = [volume(8, 2), volume(8, 3)];
    const params = path.join(tmp.dir, 'log.yaml');
    writeFileSync(params, 'imageType:\n  Original: {}\n  LoG:\n    sigma: [1.0]\nfeatureClass:\n  firstorder:\nsetting:\n  binWidth: 25\n');
    const manifest = path.join(tmp.dir, 'thin.csv');
    writeFileSync(manifest, `ID,Image,Mask\nthin,${thin[0]},${thin[1]}\na,${a[0]},${a[1]}\nb,${b[0]},${b[1]}\n`);
    const out = path.join(tmp.dir, 'thin-out.csv');
    const r = await runCli(['radiomics', '--manifest', manifest, '--params', params, '--out', out, '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RADIOMICS_BATCH_FAILURES\]: 1 of 3 cases failed/);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows.slice(1).map((row) => row[0])).toEqual(['a', 'b']);
    expect(rows[0].some((c) => c.startsWith('log-sigma-1-0-mm-3D_'))).toBe(true);
    const failures = parseCsv(readFileSync(`${out}.failures.csv`, 'utf8'));
    expect(failures.slice(1).map((f) => [f[0], f[3]])).toEqual([['thin', 'RADIOMICS_LOG_SKIPPED']]);
    expect(failures[1][4]).toMatch(/too small for the LoG filter/);
  });

  it('explains usage errors', async () => {
    const r = await runCli(['radiomics', '--image', image, '--out', path.join(tmp.dir, 'x.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[INVALID_ARGUMENT\]: --out must end in \.csv or \.json, got .*x\.txt/);
    const noMask = await runCli(['radiomics', '--image', image, '--out', path.join(tmp.dir, 'x.csv')]);
    expect(noMask.stderr).toMatch(/--image and --mask are required \(or --manifest for a batch\)/);
    const badParams = path.join(tmp.dir, 'bad.yaml');
    writeFileSync(badParams, 'setting:\n  binwidth: 25\n');
    const bad = await runCli(['radiomics', '--image', image, '--mask', mask, '--params', badParams, '--out', path.join(tmp.dir, 'x.csv')]);
    expect(bad.stderr).toMatch(/error \[RADIOMICS_PARAMS_INVALID\]: bad\.yaml: setting: 'binwidth' is not a PyRadiomics setting \(did you mean 'binWidth'\?\)/);
  });
});
