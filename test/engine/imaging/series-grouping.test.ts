import path from 'node:path';
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { chooseSeries, createDicomPool, loadSeriesVolume, scanDicom } from '../../../electron/engine/imaging/dicom/import.js';
import { writeCtSeries } from '../../../electron/engine/imaging/dicom/write-series.js';
import { newUid } from '../../../electron/engine/imaging/dicom/uid.js';
import { intensityStatistics } from '../../../electron/engine/imaging/volume.js';
import { fixture, tempDir } from '../../helpers.js';
import { indexVolume } from '../../synthetic.js';

let pool: WorkerPool;
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  pool = createDicomPool(2);
  tmp = tempDir();
});
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);
const JPEG_BYTES = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);

describe('series grouping', () => {
  it('separates two series, drops the localizer, skips non-DICOM files and never picks a series by itself', async () => {
    const dir = path.join(tmp.dir, 'mixed');
    const study = newUid();
    const axialUid = newUid();
    await writeCtSeries(indexVolume([8, 6, 5]), path.join(dir, 'axial'), {
      studyInstanceUid: study,
      seriesInstanceUid: axialUid,
      seriesDescription: 'Axial 1.25',
      seriesNumber: 2,
    });
    await writeCtSeries(indexVolume([8, 6, 4], { direction: [1, 0, 0, 0, 0, -1, 0, 1, 0] }), path.join(dir, 'coronal'), {
      studyInstanceUid: study,
      seriesDescription: 'Coronal',
      seriesNumber: 3,
    });
    // A scout in the axial series' UID, in another orientation: must be left out, not split into a series.
    await writeCtSeries(indexVolume([8, 6, 1], { direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] }), path.join(dir, 'scout'), {
      studyInstanceUid: study,
      seriesInstanceUid: axialUid,
      extra: { ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] },
    });
    writeFileSync(path.join(dir, 'photo.dcm'), JPEG_BYTES);
    writeFileSync(path.join(dir, 'notes.dcm'), 'patient notes, not an image\n');
    const axialFiles = readdirSync(path.join(dir, 'axial'));
    copyFileSync(path.join(dir, 'axial', axialFiles[2]), path.join(dir, 'axial', 'copy-of-slice-3.dcm'));

    const scan = await scanDicom(dir, { pool });
    expect(scan.series.map((s) => s.description)).toEqual(['Axial 1.25', 'Coronal']);
    expect(codes(scan.findings)).toEqual(expect.arrayContaining(['LOCALIZER_DROPPED', 'FILES_SKIPPED']));
    expect(scan.skipped.map((s) => [path.basename(s.path), s.code]).sort()).toEqual([
      ['notes.dcm', 'NOT_DICOM'],
      ['photo.dcm', 'NOT_DICOM'],
    ]);
    expect(() => chooseSeries(scan)).toThrow(/holds 2 series; Hilum does not pick one for you/);
    expect(chooseSeries(scan, '2').description).toBe('Coronal');
    expect(chooseSeries(scan, axialUid).description).toBe('Axial 1.25');

    const axial = await loadSeriesVolume(chooseSeries(scan, '1'), { pool });
    expect(codes(axial.findings)).toContain('DUPLICATE_INSTANCE');
    expect(axial.volume.dims).toEqual([8, 6, 5]);
    expect(Buffer.compare(Buffer.from(axial.volume.voxels.buffer), Buffer.from(indexVolume([8, 6, 5]).voxels.buffer))).toBe(0);
    const coronal = await loadSeriesVolume(chooseSeries(scan, '2'), { pool });
    // Slices are ordered along row × column = (0, −1, 0), the direction they were written in.
    expect(coronal.volume.direction).toEqual([1, 0, 0, 0, 0, -1, 0, 1, 0]);
  });

  it('splits one SeriesInstanceUID that mixes matrix sizes, with a warning on each part', async () => {
    const dir = path.join(tmp.dir, 'split');
    const uid = newUid();
    await writeCtSeries(indexVolume([8, 8, 4]), path.join(dir, 'a'), { seriesInstanceUid: uid });
    await writeCtSeries(indexVolume([10, 10, 3], { originLps: [-10, -20, 100] }), path.join(dir, 'b'), { seriesInstanceUid: uid });
    const scan = await scanDicom(dir, { pool });
    expect(scan.series.map((s) => s.id)).toEqual([`${uid}#1`, `${uid}#2`]);
    expect(scan.series.every((s) => s.findings[0].code === 'SERIES_SPLIT')).toBe(true);
    expect(scan.series.map((s) => s.stack?.slices.length)).toEqual([4, 3]);
  });

  it('names a missing slice as a gap with both positions', async () => {
    const dir = path.join(tmp.dir, 'missing');
    const files = await writeCtSeries(indexVolume([6, 6, 10]), dir);
    rmSync(files[4]);
    const scan = await scanDicom(dir, { pool });
    const gap = scan.series[0].findings.find((f) => f.code === 'SLICE_GAP');
    expect(gap?.message).toBe('slice gap of 2.5 mm between z=-26.25 and z=-23.75; expected 1.25 mm');
    expect(gap?.data?.missingSlices).toBe(1);
  });

  it('refuses two different images at one position', async () => {
    const dir = path.join(tmp.dir, 'twice');
    const uid = newUid();
    await writeCtSeries(indexVolume([6, 6, 3]), path.join(dir, 'a'), { seriesInstanceUid: uid });
    await writeCtSeries(indexVolume([6, 6, 3]), path.join(dir, 'b'), { seriesInstanceUid: uid });
    const scan = await scanDicom(dir, { pool });
    expect(codes(scan.series[0].findings)).toContain('DUPLICATE_SLICE_POSITION');
    await expect(loadSeriesVolume(scan.series[0], { pool })).rejects.toMatchObject({ code: 'DUPLICATE_SLICE_POSITION' });
  });
});

describe('compressed series written by Hilum decode to the same voxels', () => {
  it.each(['jpeg2000-lossless', 'htj2k-lossless'] as const)('%s', async (encoding) => {
    const volume = indexVolume([16, 12, 3]);
    const dir = path.join(tmp.dir, encoding);
    await writeCtSeries(volume, dir, { encoding });
    const scan = await scanDicom(dir, { pool });
    expect(scan.series[0].transferSyntaxes).toEqual([encoding === 'jpeg2000-lossless' ? '1.2.840.10008.1.2.4.90' : '1.2.840.10008.1.2.4.201']);
    const loaded = await loadSeriesVolume(scan.series[0], { pool });
    expect(loaded.decoders).toEqual([encoding === 'jpeg2000-lossless' ? 'openjpeg' : 'openjph']);
    expect(Buffer.compare(Buffer.from(loaded.volume.voxels.buffer), Buffer.from(volume.voxels.buffer))).toBe(0);
  });
});

describe('Enhanced (multi-frame) CT', () => {
  it('reads both frames of the fragmented 12-bit JPEG file with per-frame positions', async () => {
    const scan = await scanDicom(fixture('ct_transfer_syntaxes', 'CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'), { pool });
    const series = scan.series[0];
    expect(series.instances[0].numberOfFrames).toBe(2);
    const loaded = await loadSeriesVolume(series, { pool });
    expect(loaded.volume.dims).toEqual([512, 512, 2]);
    const frame0 = series.stack?.slices.findIndex((s) => s.frameIndex === 0) as number;
    const plane = 512 * 512;
    const stats = intensityStatistics(loaded.volume.voxels.subarray(frame0 * plane, (frame0 + 1) * plane));
    // dcmtk: frame 0 has a mean stored value of 1407.63; the functional groups' rescale intercept is −1024.
    expect(stats.mean + 1024).toBeCloseTo(1407.63, 2);
    expect(series.instances[0].frames[0].rescaleIntercept).toBe(-1024);
  });
});
