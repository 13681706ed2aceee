import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { createDicomPool, loadSeriesVolume, scanDicom, type LoadedSeries } from '../../../electron/engine/imaging/dicom/import.js';
import { readNifti, writeNifti } from '../../../electron/engine/imaging/nifti.js';
import { readNrrd, writeNrrd } from '../../../electron/engine/imaging/nrrd.js';
import { importMask } from '../../../electron/engine/imaging/mask-import.js';
import { findAxisPermutation } from '../../../electron/engine/imaging/grid.js';
import { fromColumns, normalize } from '../../../electron/engine/imaging/vec.js';
import { intensityStatistics, labelCounts, type ScalarImage } from '../../../electron/engine/imaging/volume.js';
import { DEMO, fixture, tempDir } from '../../helpers.js';

// Reference geometry and label counts were read independently with nibabel 5.0 (affine converted to LPS).
let pool: WorkerPool;
let siemens: LoadedSeries;
beforeAll(async () => {
  pool = createDicomPool(2);
  siemens = await loadSeriesVolume((await scanDicom(path.join(DEMO, 'ct_series_siemens_j2k_20'), { pool })).series[0], { pool });
});
afterAll(() => pool.close());

describe('NIfTI reader', () => {
  it('reads the TotalSegmentator CT crop (sform only) in LPS', () => {
    const { image, transform, datatype } = readNifti(fixture('nifti_ct_and_mask', 'example_ct_sm.nii.gz'));
    expect(transform).toBe('sform');
    expect(datatype).toBe('int16');
    expect(image.dims).toEqual([122, 101, 30]);
    expect(image.spacingMm).toEqual([3, 3, 3]);
    expect(image.originLps.map((v) => +v.toFixed(5))).toEqual([177.95633, -11.319, 94.30176]);
    expect(image.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    const s = intensityStatistics(image.voxels);
    expect([s.min, s.max]).toEqual([-1100, 1207]);
    expect(s.mean).toBeCloseTo(-354.0953092, 6);
  });

  it('reads the multi-label mask with the lung-lobe labels at the lung bases', () => {
    const { image } = readNifti(fixture('nifti_ct_and_mask', 'example_seg.nii.gz'));
    const counts = labelCounts(image.voxels);
    expect(counts.get(0)).toBe(259435);
    expect([10, 11, 13, 14].map((l) => counts.get(l))).toEqual([259, 1312, 1, 2735]);
    expect(counts.get(117)).toBe(2100);
  });
});

describe('NIfTI ↔ DICOM alignment (flipped row axis)', () => {
  it('recognises the mask as the CT grid with j reversed and re-indexes it exactly', async () => {
    const maskPath = path.join(DEMO, 'ct_series_siemens_j2k_20_mask_totalseg.nii.gz');
    const nifti = readNifti(maskPath).image;
    expect(nifti.originLps.map((v) => +v.toFixed(5))).toEqual([-249.51172, 61.51172, -804.5]);
    expect(nifti.direction).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(findAxisPermutation(nifti, siemens.volume)).toEqual({ sourceAxis: [0, 1, 2], flipped: [false, true, false] });

    const liver = await importMask(maskPath, siemens.volume, { label: 5 });
    expect(liver.source).toBe('nifti');
    expect(liver.findings.map((f) => f.code)).toContain('MASK_REORIENTED');
    expect(liver.labelCounts.get(5)).toBe(366708);
    expect(liver.labelCounts.get(1)).toBe(130634);
    // Voxel (i, j, k) of the CT grid is voxel (i, 511 − j, k) of the file.
    const [nx, ny] = siemens.volume.dims;
    for (const [i, j, k] of [
      [100, 200, 3],
      [300, 250, 10],
      [256, 400, 19],
    ]) {
      const fileValue = nifti.voxels[i + nx * (ny - 1 - j + ny * k)];
      expect(liver.mask.voxels[i + nx * (j + ny * k)]).toBe(fileValue === 5 ? 1 : 0);
    }
    // Anatomical check: TotalSegmentator label 5 (liver) must sit on soft tissue, not on air or fat.
    let sum = 0;
    let n = 0;
    liver.mask.voxels.forEach((m, v) => {
      if (m) {
        sum += siemens.volume.voxels[v];
        n++;
      }
    });
    expect(sum / n).toBeGreaterThan(40);
    expect(sum / n).toBeLessThan(200);
  });
});

describe('writers round-trip exactly', () => {
  const volumes = (): ScalarImage[] => [
    siemens.volume,
    { ...siemens.volume, dims: [4, 3, 2], voxels: Float32Array.from({ length: 24 }, (_, i) => i * 0.37 - 3.1) },
    // An oblique, sheared grid (as a gantry-tilted CT) with uint8 labels.
    {
      dims: [5, 4, 3],
      spacingMm: [0.7, 0.9, 2.5],
      originLps: [10.123456789, -20.5, 33.3],
      direction: fromColumns([1, 0, 0], normalize([0, 0.9483237, -0.3173047]), normalize([0, 0.33, 0.944])),
      voxels: Uint8Array.from({ length: 60 }, (_, i) => i % 3),
    },
  ];

  it.each(['x.nii', 'x.nii.gz', 'x.nrrd'])('%s', (name) => {
    const { dir, cleanup } = tempDir();
    try {
      for (const image of volumes()) {
        const file = path.join(dir, name);
        if (name.endsWith('.nrrd')) writeNrrd(file, image);
        else writeNifti(file, image);
        const back = name.endsWith('.nrrd') ? readNrrd(file).image : readNifti(file).image;
        expect(back.dims).toEqual(image.dims);
        // NIfTI carries Hilum's double-precision geometry; NRRD stores direction·spacing products (exact to ~1e-15).
        const digits = name.endsWith('.nrrd') ? 12 : 15;
        back.spacingMm.forEach((v, a) => expect(v).toBeCloseTo(image.spacingMm[a], digits));
        back.originLps.forEach((v, a) => expect(v).toBeCloseTo(image.originLps[a], digits));
        back.direction.forEach((v, a) => expect(v).toBeCloseTo(image.direction[a], digits));
        expect(back.voxels.constructor).toBe(image.voxels.constructor);
        expect(
          Buffer.compare(
            Buffer.from(back.voxels.buffer, back.voxels.byteOffset, back.voxels.byteLength),
            Buffer.from(image.voxels.buffer, image.voxels.byteOffset, image.voxels.byteLength),
          ),
        ).toBe(0);
      }
    } finally {
      cleanup();
    }
  });

  it('writes a standard sform/qform that other tools read to float precision', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'ct.nii');
      writeNifti(file, siemens.volume);
      // Strip Hilum's double-precision extension: what remains is what ITK, nibabel or 3D Slicer read.
      const bytes = new Uint8Array(readFileSync(file));
      bytes[348] = 0;
      writeFileSync(file, bytes);
      const read = readNifti(file);
      expect(read.transform).toBe('sform');
      read.image.originLps.forEach((v, a) => expect(v).toBeCloseTo(siemens.volume.originLps[a], 4));
      expect(read.findings).toEqual([]); // qform agrees with sform
    } finally {
      cleanup();
    }
  });

  it('reads a qform-only file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'q.nii.gz');
      writeNifti(file, siemens.volume);
      const raw = new Uint8Array(gunzipSync(readFileSync(file)));
      const view = new DataView(raw.buffer);
      view.setInt16(254, 0, true); // sform_code = 0
      raw[348] = 0;
      writeFileSync(file, gzipSync(raw));
      const q = readNifti(file);
      expect(q.transform).toBe('qform');
      q.image.direction.forEach((v, i) => expect(v).toBeCloseTo(siemens.volume.direction[i], 6));
      q.image.originLps.forEach((v, a) => expect(v).toBeCloseTo(siemens.volume.originLps[a], 4));
    } finally {
      cleanup();
    }
  });
});

describe('NIfTI byte order', () => {
  it('reads a big-endian NIfTI-1 file (header and voxels swapped)', () => {
    const { dir, cleanup } = tempDir();
    try {
      const dims = [3, 2, 2];
      const values = [-1000, -500, 0, 1, 2, 3, 100, 200, 300, 400, 500, 32000];
      const out = new Uint8Array(352 + values.length * 2);
      const v = new DataView(out.buffer);
      v.setInt32(0, 348, false);
      [3, ...dims, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, false));
      v.setInt16(70, 4, false); // int16
      v.setInt16(72, 16, false);
      [1, 0.5, 0.75, 2, 1, 1, 1, 1].forEach((p, i) => v.setFloat32(76 + 4 * i, p, false));
      v.setFloat32(108, 352, false);
      v.setInt16(254, 1, false); // sform_code
      const srow = [
        [0.5, 0, 0, 10],
        [0, 0.75, 0, 20],
        [0, 0, 2, 30],
      ];
      srow.forEach((r, ri) => r.forEach((x, c) => v.setFloat32(280 + (ri * 4 + c) * 4, x, false)));
      out.set(new TextEncoder().encode('n+1\0'), 344);
      values.forEach((x, i) => v.setInt16(352 + 2 * i, x, false));
      const file = path.join(dir, 'be.nii');
      writeFileSync(file, out);
      const { image } = readNifti(file);
      expect([...image.voxels]).toEqual(values);
      expect(image.spacingMm).toEqual([0.5, 0.75, 2]);
      expect(image.originLps).toEqual([-10, -20, 30]);
    } finally {
      cleanup();
    }
  });
});

describe('NRRD reader', () => {
  it('reads dcmqi gzip NRRD geometry in LPS', () => {
    const { image, type } = readNrrd(fixture('seg_dcmqi', 'liver_seg.nrrd'));
    expect(type).toBe('int16');
    expect(image.dims).toEqual([512, 512, 3]);
    expect(image.spacingMm[0]).toBeCloseTo(0.810547, 9);
    expect(image.originLps).toEqual([-235.19999999999999, -226.80000000000001, -128.69]);
    expect(labelCounts(image.voxels).get(1)).toBe(107098);
  });
});
