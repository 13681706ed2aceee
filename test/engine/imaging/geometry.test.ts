import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { createDicomPool, loadSeriesVolume, scanDicom } from '../../../electron/engine/imaging/dicom/import.js';
import { indexToWorld } from '../../../electron/engine/imaging/grid.js';
import { intensityStatistics } from '../../../electron/engine/imaging/volume.js';
import { deshearVolume } from '../../../electron/engine/imaging/deshear.js';
import { isOrthonormal } from '../../../electron/engine/imaging/vec.js';
import { DEMO, fixture } from '../../helpers.js';

let pool: WorkerPool;
beforeAll(() => {
  pool = createDicomPool(2);
});
afterAll(() => pool.close());

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe('series geometry from ImagePositionPatient', () => {
  it('sorts the Siemens series along the normal and derives 2 mm spacing from positions, not the 3 mm SliceThickness', async () => {
    const scan = await scanDicom(path.join(DEMO, 'ct_series_siemens_j2k_20'), { pool });
    expect(scan.series).toHaveLength(1);
    const series = scan.series[0];
    expect(series.sliceThicknessMm).toBe(3);
    expect(codes(scan.findings)).toContain('MISSING_SERIES_UID');
    const { volume } = await loadSeriesVolume(series, { pool });
    expect(volume.dims).toEqual([512, 512, 20]);
    expect(volume.spacingMm[0]).toBeCloseTo(0.9765625, 9);
    expect(volume.spacingMm[1]).toBeCloseTo(0.9765625, 9);
    expect(volume.spacingMm[2]).toBeCloseTo(2, 9);
    expect(volume.originLps).toEqual([-249.51171875, -437.51171875, -804.5]);
    expect(volume.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(indexToWorld(volume, [0, 0, 19])[2]).toBeCloseTo(-766.5, 9);
    // Unsigned 12-bit stored, intercept −1024: every HU ≥ −1024 and the volume stays Int16.
    expect(volume.voxels).toBeInstanceOf(Int16Array);
    expect(intensityStatistics(volume.voxels).min).toBe(-1024);
  });

  it('orders the dcmqi 3-slice CT ascending although its files are in descending z order', async () => {
    const scan = await scanDicom(fixture('seg_dcmqi', 'ct_3slice'), { pool });
    const { volume } = await loadSeriesVolume(scan.series[0], { pool });
    expect(volume.dims).toEqual([512, 512, 3]);
    expect(volume.originLps[2]).toBeCloseTo(-128.690002, 6);
    expect(volume.spacingMm[2]).toBeCloseTo(1, 6);
    expect(scan.series[0].stack?.slices.map((s) => path.basename(scan.series[0].instances[s.fileIndex].filePath))).toEqual(['03.dcm', '02.dcm', '01.dcm']);
  });

  it('reads the oblique SimpleITK series: spacing from PixelSpacing (rows 3.5, columns 2.5), direction from IOP, Float32 for slope 0.001', async () => {
    const scan = await scanDicom(fixture('ct_series_oblique_tiny_3'), { pool });
    const { volume } = await loadSeriesVolume(scan.series[0], { pool });
    expect(volume.dims).toEqual([100, 50, 3]);
    expect(volume.spacingMm[0]).toBeCloseTo(2.5, 9);
    expect(volume.spacingMm[1]).toBeCloseTo(3.5, 9);
    // Slice step from positions: |(122.50798485, -430.0798167, 34.0399029) - (123, -432, 30)|
    expect(volume.spacingMm[2]).toBeCloseTo(Math.hypot(122.0159697 - 123, -428.1596334 + 432, 38.0798058 - 30) / 2, 6);
    expect([volume.direction[0], volume.direction[3], volume.direction[6]].map((v) => +v.toFixed(7))).toEqual([0.9541666, -0.2080757, 0.2151061]);
    expect([volume.direction[1], volume.direction[4], volume.direction[7]].map((v) => +v.toFixed(7))).toEqual([0.2785886, 0.880128, -0.3843997]);
    expect(isOrthonormal(volume.direction, 1e-5)).toBe(true);
    expect(volume.voxels).toBeInstanceOf(Float32Array);
    expect(volume.originLps).toEqual([123, -432, 30]);
  });
});

describe('geometry that is never guessed', () => {
  it('reports the 202.5 mm gap of the 16×16 series in words and refuses to build a volume', async () => {
    const scan = await scanDicom(fixture('seg_variants', 'ct2_16x16_series'), { pool });
    const series = scan.series[0];
    const gap = series.findings.find((f) => f.code === 'SLICE_GAP');
    expect(gap?.severity).toBe('error');
    expect(gap?.message).toBe('slice gap of 202.5 mm between z=-99.48 and z=103.02; expected 1.25 mm');
    expect(codes(series.findings)).not.toContain('UNEVEN_SLICE_SPACING');
    await expect(loadSeriesVolume(series, { pool })).rejects.toMatchObject({ code: 'SLICE_GAP' });
    // Even an explicit regularisation request does not fill a gap.
    await expect(loadSeriesVolume(series, { pool, regularizeSliceSpacingMm: 1.25 })).rejects.toBeInstanceOf(HilumError);
  });

  it('reports the gantry tilt (18.5°) and the uneven spacing of the GE series', async () => {
    const scan = await scanDicom(fixture('ct_series_ge_tilt_subset'), { pool });
    const series = scan.series[0];
    const tilt = series.findings.find((f) => f.code === 'GANTRY_TILT');
    expect(tilt?.severity).toBe('warning');
    expect(tilt?.data?.tiltDeg as number).toBeCloseTo(18.5, 1);
    expect(tilt?.data?.gantryTiltTagDeg).toBe(18.5);
    const uneven = series.findings.find((f) => f.code === 'UNEVEN_SLICE_SPACING');
    expect(uneven?.severity).toBe('error');
    expect(series.stack?.spacing?.minMm).toBeCloseTo(1.08, 2);
    expect(series.stack?.spacing?.maxMm).toBeCloseTo(7.0, 2);
    expect(uneven?.message).toMatch(/range 1\.08–7 mm/);
    await expect(loadSeriesVolume(series, { pool })).rejects.toMatchObject({ code: 'UNEVEN_SLICE_SPACING' });
  });

  it('resamples uneven slices only when asked, keeping the exact sheared slice axis', async () => {
    const scan = await scanDicom(fixture('ct_series_ge_tilt_subset'), { pool });
    const loaded = await loadSeriesVolume(scan.series[0], { pool, regularizeSliceSpacingMm: 2 });
    expect(codes(loaded.findings)).toContain('SLICES_RESAMPLED');
    expect(codes(loaded.findings)).not.toContain('UNEVEN_SLICE_SPACING');
    const v = loaded.volume;
    // Slices 12–17 span 4 + 4 + 1.08 + 7 + 7 = 23.08 mm along the normal → 12 slices at 2 mm.
    expect(v.dims).toEqual([512, 512, 12]);
    // The slice axis follows the tilted stack: the step along the normal is 2 mm, the in-plane shift tan(18.5°)·2.
    const step = [v.direction[2] * v.spacingMm[2], v.direction[5] * v.spacingMm[2], v.direction[8] * v.spacingMm[2]];
    const normal = [0, 0.3173047, 0.9483237];
    expect(step[0] * normal[0] + step[1] * normal[1] + step[2] * normal[2]).toBeCloseTo(2, 4);
    expect(isOrthonormal(v.direction)).toBe(false);
    const desheared = deshearVolume(v);
    expect(isOrthonormal(desheared.direction, 1e-9)).toBe(true);
    expect(desheared.spacingMm[2]).toBeCloseTo(2, 6);
  });
});
