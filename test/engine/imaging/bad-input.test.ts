import path from 'node:path';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { createDicomPool, loadSeriesVolume, scanDicom } from '../../../electron/engine/imaging/dicom/import.js';
import { readNifti, writeNifti } from '../../../electron/engine/imaging/nifti.js';
import { readNrrd } from '../../../electron/engine/imaging/nrrd.js';
import { importMask } from '../../../electron/engine/imaging/mask-import.js';
import { writeCtSeries } from '../../../electron/engine/imaging/dicom/write-series.js';
import type { LabelMap } from '../../../electron/engine/imaging/volume.js';
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

function folderWith(name: string, files: Record<string, Uint8Array | string>): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  return dir;
}

const CT = readFileSync(fixture('ct_transfer_syntaxes', 'CTImage.dcm'));

describe('bad DICOM input gives a named error and no crash', () => {
  it('a truncated file: the header reads, the pixels are refused with the file named', async () => {
    const dir = folderWith('truncated', { 'slice.dcm': CT.subarray(0, Math.floor(CT.length * 0.6)) });
    const scan = await scanDicom(dir, { pool });
    const error = await loadSeriesVolume(scan.series[0], { pool }).catch((e) => e);
    expect(error.code).toBe('TRUNCATED_FILE');
    expect(error.message).toMatch(/^slice\.dcm is truncated: its pixel data holds \d+ bytes, 524288 expected$/);
  });

  it('a file cut inside its header is skipped with its reason', async () => {
    const dir = folderWith('header-cut', { 'cut.dcm': CT.subarray(0, 300) });
    const error = await scanDicom(dir, { pool }).catch((e) => e);
    expect(error.code).toBe('MALFORMED_DICOM');
    expect(error.message).toMatch(/^cut\.dcm could not be read as DICOM/);
  });

  it('a JPEG or a text file named .dcm is "not DICOM"', async () => {
    const jpeg = folderWith('jpeg', { 'photo.dcm': Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0xff, 0xd9]) });
    await expect(scanDicom(jpeg, { pool })).rejects.toMatchObject({ code: 'NOT_DICOM', message: expect.stringMatching(/^photo\.dcm is not a DICOM file/) });
    const text = folderWith('text', { 'a.dcm': 'hello', 'b.dcm': 'world' });
    await expect(scanDicom(text, { pool })).rejects.toMatchObject({ code: 'NO_DICOM_IMAGES', message: expect.stringContaining('2 not DICOM (a.dcm, b.dcm)') });
  });

  it('an empty folder and a missing path', async () => {
    const empty = folderWith('empty', {});
    await expect(scanDicom(empty, { pool })).rejects.toMatchObject({ code: 'EMPTY_FOLDER' });
    await expect(scanDicom(path.join(tmp.dir, 'nowhere'), { pool })).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
  });

  it('damaged JPEG 2000 pixel data fails that series only; the workers live on', async () => {
    const good = readFileSync(fixture('ct_transfer_syntaxes', 'CT1_J2KR'));
    const damaged = Uint8Array.from(good);
    // Damage the code stream's main header (the SIZ segment after the SOC marker FF4F FF51).
    const soc = damaged.findIndex((b, i) => b === 0xff && damaged[i + 1] === 0x4f && damaged[i + 2] === 0xff && damaged[i + 3] === 0x51);
    expect(soc).toBeGreaterThan(0);
    damaged.fill(0, soc + 4, soc + 40);
    const dir = folderWith('damaged', { CT1_J2KR: damaged });
    const scan = await scanDicom(dir, { pool });
    const error = await loadSeriesVolume(scan.series[0], { pool }).catch((e) => e);
    expect(error.code).toMatch(/DECODE_FAILED|CORRUPT_PIXEL_DATA/);
    expect(error.message).toContain('CT1_J2KR');
    const ok = await loadSeriesVolume((await scanDicom(fixture('ct_transfer_syntaxes', 'CT1_J2KR'), { pool })).series[0], { pool });
    expect(ok.volume.dims).toEqual([512, 512, 1]);
  });
});

describe('bad NIfTI/NRRD input', () => {
  it('a NIfTI with a corrupt header', () => {
    const file = path.join(tmp.dir, 'corrupt.nii.gz');
    const header = new Uint8Array(352);
    new DataView(header.buffer).setInt32(0, 348, true);
    header.set(new TextEncoder().encode('n+1\0'), 344);
    new DataView(header.buffer).setInt16(40, 9, true); // dim[0] = 9
    writeFileSync(file, gzipSync(header));
    expect(() => readNifti(file)).toThrow(expect.objectContaining({ code: 'NIFTI_CORRUPT_HEADER', message: expect.stringContaining('dim[0] = 9') }));
    const garbage = path.join(tmp.dir, 'garbage.nii');
    writeFileSync(garbage, 'this is not an image at all, but it is long enough to look like a header'.repeat(10));
    expect(() => readNifti(garbage)).toThrow(expect.objectContaining({ code: 'NIFTI_CORRUPT_HEADER' }));
    const badGzip = path.join(tmp.dir, 'bad.nii.gz');
    writeFileSync(badGzip, Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    expect(() => readNifti(badGzip)).toThrow(expect.objectContaining({ code: 'NIFTI_CORRUPT_HEADER', message: expect.stringContaining('gzip') }));
  });

  it('a NIfTI with too little voxel data', () => {
    const file = path.join(tmp.dir, 'short.nii');
    writeNifti(file, indexVolume([8, 8, 4]));
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expect(() => readNifti(file)).toThrow(expect.objectContaining({ code: 'TRUNCATED_FILE' }));
  });

  it('an NRRD with an unknown type', () => {
    const file = path.join(tmp.dir, 'x.nrrd');
    writeFileSync(file, 'NRRD0004\ntype: complex\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n');
    expect(() => readNrrd(file)).toThrow(expect.objectContaining({ code: 'NRRD_INVALID', message: expect.stringContaining("unsupported type 'complex'") }));
  });
});

describe('masks that do not fit', () => {
  const ct = indexVolume([10, 8, 6]);
  const writeMask = (name: string, values: (i: number) => number, grid = ct) => {
    const file = path.join(tmp.dir, name);
    const voxels = new Uint8Array(grid.dims[0] * grid.dims[1] * grid.dims[2]);
    for (let i = 0; i < voxels.length; i++) voxels[i] = values(i);
    writeNifti(file, { ...grid, voxels } as LabelMap);
    return file;
  };

  it('several labels and none chosen: the labels are listed, nothing is guessed', async () => {
    const file = writeMask('multi.nii.gz', (i) => (i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0));
    await expect(importMask(file, ct)).rejects.toMatchObject({
      code: 'MASK_MULTIPLE_LABELS',
      message: expect.stringMatching(/holds 2 labels: 1 \(\d+ voxels\), 2 \(\d+ voxels\)/),
    });
    await expect(importMask(file, ct, { label: 3 })).rejects.toMatchObject({ code: 'MASK_LABEL_NOT_FOUND' });
    const chosen = await importMask(file, ct, { label: 2 });
    expect(chosen.mask.voxels.reduce((a, b) => a + b, 0)).toBe(chosen.labelCounts.get(2));
  });

  it('an empty mask', async () => {
    await expect(
      importMask(
        writeMask('empty.nii', () => 0),
        ct,
      ),
    ).rejects.toMatchObject({ code: 'EMPTY_MASK' });
  });

  it('a mask on another grid: the difference is named, and resampling happens only on request', async () => {
    const shifted = { ...ct, originLps: [ct.originLps[0] + 1.5, ct.originLps[1], ct.originLps[2]] as typeof ct.originLps };
    const file = writeMask('shifted.nii.gz', (i) => (i % 3 === 0 ? 1 : 0), shifted);
    await expect(importMask(file, ct)).rejects.toMatchObject({ code: 'MASK_GEOMETRY_MISMATCH', message: expect.stringContaining('1.5 mm apart') });
    const resampled = await importMask(file, ct, { resample: 'nearest' });
    expect(resampled.findings.map((f) => f.code)).toContain('MASK_RESAMPLED');
  });

  it('a probability map or a CT given as a mask', async () => {
    const file = path.join(tmp.dir, 'ct-as-mask.nii.gz');
    writeNifti(file, ct);
    await expect(importMask(file, ct)).rejects.toMatchObject({ code: 'MASK_NOT_LABELS' });
  });

  it('a DICOM-SEG placed on a CT with other slices', async () => {
    const dir = path.join(tmp.dir, 'other-ct');
    await writeCtSeries(indexVolume([512, 512, 2], { spacingMm: [0.810547, 0.810547, 1], originLps: [-235.199997, -226.800003, -140] }), dir);
    const other = await loadSeriesVolume((await scanDicom(dir, { pool })).series[0], { pool });
    await expect(importMask(fixture('seg_dcmqi', 'liver.dcm'), other.volume)).rejects.toMatchObject({
      code: 'MASK_GEOMETRY_MISMATCH',
      message: expect.stringContaining('does not lie on a slice'),
    });
  });

  it('the folder copy is left untouched by failed imports', () => {
    // Sanity: nothing above wrote next to the fixtures.
    copyFileSync(fixture('seg_dcmqi', 'liver.dcm'), path.join(tmp.dir, 'liver-copy.dcm'));
    expect(readFileSync(path.join(tmp.dir, 'liver-copy.dcm')).equals(readFileSync(fixture('seg_dcmqi', 'liver.dcm')))).toBe(true);
  });
});
