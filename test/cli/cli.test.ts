import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti } from '../../electron/engine/imaging/nifti.js';
import { readNrrd } from '../../electron/engine/imaging/nrrd.js';
import { readDicomSeg } from '../../electron/engine/imaging/dicom/seg-read.js';
import { loadVolume } from '../../electron/engine/imaging/load.js';
import type { InspectReport } from '../../electron/engine/imaging/inspect.js';
import { DEMO, ROOT, fixture, tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('hilum CLI', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^hilum ${pkg.version.replace(/\./g, '\\.')} \\(engine ${pkg.version.replace(/\./g, '\\.')}, node v\\d+`));
  });

  it.each(['demo', 'inspect', 'convert'])('%s --help explains the command', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: hilum ${command}`);
  });

  it('inspect --json reports the tilt and the uneven spacing of the GE series', async () => {
    const r = await runCli(['inspect', fixture('ct_series_ge_tilt_subset'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    const s = report.series[0];
    expect(s.uid).toBe('1.2.826.0.1.3680043.9.4245.3115138630835728997848661150714813892');
    expect(s.modality).toBe('CT');
    expect(s.dims).toEqual([512, 512, 6]);
    expect(s.tiltDeg).toBeCloseTo(18.5, 1);
    expect(s.sliceSpacingMm).toMatchObject({ uniform: false });
    expect(s.sliceSpacingMm?.min).toBeCloseTo(1.08, 2);
    expect(s.sliceSpacingMm?.max).toBeCloseTo(7, 2);
    expect(s.loadable).toBe(false);
    expect(s.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['GANTRY_TILT', 'UNEVEN_SLICE_SPACING']));
    expect(s.transferSyntaxes).toEqual([{ uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' }]);
    expect(s.hu.min).toBe(-3024);
    expect(Number.isFinite(s.hu.mean)).toBe(true);
  });

  it('inspect reports the gap in the 16×16 series, in text and JSON', async () => {
    const text = await runCli(['inspect', fixture('seg_variants', 'ct2_16x16_series')]);
    expect(text.stdout).toContain('slice gap of 202.5 mm between z=-99.48 and z=103.02; expected 1.25 mm');
    const json = JSON.parse((await runCli(['inspect', fixture('seg_variants', 'ct2_16x16_series'), '--json'])).stdout) as InspectReport;
    expect(json.series[0].warnings.find((w) => w.code === 'SLICE_GAP')?.severity).toBe('error');
  });

  it('inspect --json gives uid, modality, description, geometry, HU and transfer syntax for a plain series', async () => {
    const report = JSON.parse((await runCli(['inspect', fixture('ct_transfer_syntaxes', 'CT1_J2KR'), '--json'])).stdout) as InspectReport;
    const s = report.series[0];
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(['uid', 'modality', 'description', 'dims', 'spacingMm', 'originLps', 'direction', 'hu', 'transferSyntaxes', 'warnings']),
    );
    expect(s.hu.mean).toBeCloseTo(-871.3, 1);
    expect(s.originLps).toEqual([-158.135803, -179.035797, -75.699997]);
    expect(s.transferSyntaxes[0].name).toBe('JPEG 2000 Lossless');
  });

  it('inspect lists SEG segments and NIfTI labels', async () => {
    const seg = JSON.parse((await runCli(['inspect', fixture('seg_dcmqi', 'liver.dcm'), '--json'])).stdout) as InspectReport;
    expect(seg.segmentations[0].segments).toEqual([{ number: 1, label: 'Liver', voxels: 107098 }]);
    const nii = JSON.parse((await runCli(['inspect', fixture('nifti_ct_and_mask', 'example_seg.nii.gz'), '--json'])).stdout) as InspectReport;
    expect(nii.images[0].labels?.['14']).toBe(2735);
  });

  it('convert: DICOM → NIfTI and NRRD keep every voxel and the geometry', async () => {
    const series = path.join(DEMO, 'ct_series_siemens_j2k_20');
    const original = (await loadVolume(series)).volume;
    for (const name of ['ct.nii.gz', 'ct.nrrd']) {
      const out = path.join(tmp.dir, name);
      const r = await runCli(['convert', series, out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`wrote ${out}: 512×512×20 voxels`);
      const back = name.endsWith('.nrrd') ? readNrrd(out).image : readNifti(out).image;
      expect(back.originLps).toEqual(original.originLps);
      expect(Buffer.compare(Buffer.from(back.voxels.buffer, back.voxels.byteOffset, back.voxels.byteLength), Buffer.from(original.voxels.buffer))).toBe(0);
    }
  });

  it('convert: a NIfTI mask with --reference becomes a DICOM-SEG on that series; a SEG becomes NRRD', async () => {
    const segOut = path.join(tmp.dir, 'liver.dcm');
    const r = await runCli([
      'convert',
      path.join(DEMO, 'ct_series_siemens_j2k_20_mask_totalseg.nii.gz'),
      segOut,
      '--reference',
      path.join(DEMO, 'ct_series_siemens_j2k_20'),
      '--label',
      '5',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('label 5, 366708 voxels');
    const seg = await readDicomSeg(segOut);
    expect(seg.frames.length).toBeGreaterThan(0);
    const nrrdOut = path.join(tmp.dir, 'liver.nrrd');
    expect((await runCli(['convert', segOut, nrrdOut])).code).toBe(0);
    expect(Array.from(readNrrd(nrrdOut).image.voxels).reduce((a, b) => a + b, 0)).toBe(366708);
  });

  it('convert refuses the uneven GE series unless resampling is asked for', async () => {
    const out = path.join(tmp.dir, 'ge.nii.gz');
    const refused = await runCli(['convert', fixture('ct_series_ge_tilt_subset'), out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[UNEVEN_SLICE_SPACING\]: slice spacing is not uniform/);
    expect(existsSync(out)).toBe(false);
    const done = await runCli(['convert', fixture('ct_series_ge_tilt_subset'), out, '--resample-slices', '2', '--deshear']);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('SLICES_RESAMPLED');
    expect(done.stderr).toContain('DESHEARED');
  });

  it('bad arguments and bad paths give a named error and a non-zero exit', async () => {
    const missing = await runCli(['inspect', path.join(tmp.dir, 'no-such-folder')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error \[PATH_NOT_FOUND\]/);
    const noReference = await runCli(['convert', fixture('seg_dcmqi', 'liver_seg.nrrd'), path.join(tmp.dir, 'x.dcm')]);
    expect(noReference.stderr).toMatch(/^error \[REFERENCE_REQUIRED\]/);
    expect((await runCli(['no-such-command'])).code).toBe(2);
  });

  it('demo imports the bundled series and writes its outputs', async () => {
    const out = path.join(tmp.dir, 'demo');
    // The synthetic demo patient is generated into the cache on first use: a private one here.
    const cache = process.env.HILUM_CACHE;
    process.env.HILUM_CACHE = path.join(tmp.dir, 'cache');
    const r = await runCli(['demo', '--out', out, '--json']).finally(() =>
      cache === undefined ? delete process.env.HILUM_CACHE : (process.env.HILUM_CACHE = cache),
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { dims: number[]; mask: { reorientedExactly: boolean; largestLabelVoxels: number }; outputs: string[] };
    expect(summary.dims).toEqual([512, 512, 20]);
    expect(summary.mask.reorientedExactly).toBe(true);
    expect(summary.mask.largestLabelVoxels).toBe(366708);
    for (const f of summary.outputs) expect(existsSync(f)).toBe(true);
    const bedside = (JSON.parse(r.stdout) as { bedside: { notice: string; diceVsTruth: number; ctr: number; longestAxialDiameterMm: number; maskOut: string } })
      .bedside;
    expect(bedside.notice).toBe('SYNTHETIC PHANTOM - NOT A PATIENT');
    expect(bedside.diceVsTruth).toBeGreaterThan(0.85);
    // The demo nodule is part-solid, 21 mm.
    expect(bedside.ctr).toBeGreaterThan(0);
    expect(bedside.ctr).toBeLessThan(1);
    expect(bedside.longestAxialDiameterMm).toBeGreaterThan(15);
    expect(bedside.longestAxialDiameterMm).toBeLessThan(30);
    expect(existsSync(bedside.maskOut)).toBe(true);
    // Then the prediction with the shipped demonstration bundle: stored, reported, exported for PACS.
    const prediction = (
      JSON.parse(r.stdout) as {
        bedside: {
          prediction: {
            record: { result: { probability: number; category: string }; bundle: { synthetic: boolean } };
            report: { file: string; pages: number };
            stored: { db: string };
            dicom: { reportFile: string; segFile: string };
          };
        };
      }
    ).bedside.prediction;
    expect(prediction.record.bundle.synthetic).toBe(true);
    expect(prediction.record.result.probability).toBeGreaterThan(0);
    expect(prediction.record.result.probability).toBeLessThan(1);
    expect(readFileSync(prediction.report.file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(prediction.report.pages).toBeGreaterThanOrEqual(2);
    for (const f of [prediction.stored.db, prediction.dicom.reportFile, prediction.dicom.segFile]) expect(existsSync(f)).toBe(true);
  }, 180_000);
});
