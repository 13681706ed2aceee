import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicomPool, loadSeriesVolume, scanDicom } from '../../../electron/engine/imaging/dicom/import.js';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { intensityStatistics } from '../../../electron/engine/imaging/volume.js';
import { fixture } from '../../helpers.js';

// Reference HU statistics from test/fixtures/imaging/README.md (dcmtk/GDCM decodes).
const LOSSLESS = { min: -3024, max: 1378, mean: -949.08 };
const cases: [string, { min?: number; max?: number; mean: number }, string][] = [
  ['CTImage.dcm', LOSSLESS, '1.2.840.10008.1.2'],
  ['CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm', LOSSLESS, '1.2.840.10008.1.2'],
  ['CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', LOSSLESS, '1.2.840.10008.1.2.1'],
  ['CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm', LOSSLESS, '1.2.840.10008.1.2.2'],
  ['CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm', LOSSLESS, '1.2.840.10008.1.2.1.99'],
  ['CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm', LOSSLESS, '1.2.840.10008.1.2.5'],
  ['CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm', LOSSLESS, '1.2.840.10008.1.2.4.57'],
  ['CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm', LOSSLESS, '1.2.840.10008.1.2.4.70'],
  ['CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm', LOSSLESS, '1.2.840.10008.1.2.4.80'],
  ['CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm', LOSSLESS, '1.2.840.10008.1.2.4.90'],
  // Lossy syntaxes: the mean of dcmtk's decode.
  ['CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm', { mean: -950.11 }, '1.2.840.10008.1.2.4.51'],
  ['CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm', { mean: -950.11 }, '1.2.840.10008.1.2.4.53'],
  ['CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm', { mean: -950.11 }, '1.2.840.10008.1.2.4.55'],
  ['CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm', { mean: -967.87 }, '1.2.840.10008.1.2.4.50'],
  ['CT1_J2KR', { min: -3024, mean: -871.3 }, '1.2.840.10008.1.2.4.90'],
];

describe('every transfer syntax decodes to the reference HU statistics', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createDicomPool(2);
  });
  afterAll(() => pool.close());

  it.each(cases)('%s', async (file, expected, ts) => {
    const scan = await scanDicom(fixture('ct_transfer_syntaxes', file), { pool });
    expect(scan.series).toHaveLength(1);
    expect(scan.series[0].transferSyntaxes).toEqual([ts]);
    const loaded = await loadSeriesVolume(scan.series[0], { pool });
    const stats = intensityStatistics(loaded.volume.voxels);
    expect(loaded.volume.dims).toEqual([512, 512, 1]);
    expect(stats.mean).toBeCloseTo(expected.mean, 2);
    if (expected.min !== undefined) expect(stats.min).toBe(expected.min);
    if (expected.max !== undefined) expect(stats.max).toBe(expected.max);
    expect(loaded.statistics.meanHu).toBeCloseTo(stats.mean, 6);
  });

  it('decodes every lossless syntax bit-exactly: all 262,144 voxels equal the uncompressed file', async () => {
    const load = async (file: string) =>
      (await loadSeriesVolume((await scanDicom(fixture('ct_transfer_syntaxes', file), { pool })).series[0], { pool })).volume.voxels;
    const reference = await load('CTImage.dcm');
    for (const [file] of cases.slice(1, 10)) {
      const voxels = await load(file);
      let differing = 0;
      for (let i = 0; i < reference.length; i++) if (voxels[i] !== reference[i]) differing++;
      expect({ file, differing }).toEqual({ file, differing: 0 });
    }
  });

  it('decodes the lossy JPEG 2000 and near-lossless JPEG-LS variants close to the original', async () => {
    const load = async (file: string) =>
      (await loadSeriesVolume((await scanDicom(fixture('ct_transfer_syntaxes', file), { pool })).series[0], { pool })).volume.voxels;
    const reference = await load('CTImage.dcm');
    for (const file of ['CTImage.dcm_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm', 'CTImage.dcm_JPEGLSLossyTransferSyntax_1.2.840.10008.1.2.4.81.dcm']) {
      const voxels = await load(file);
      let worst = 0;
      let meanDiff = 0;
      for (let i = 0; i < reference.length; i++) {
        worst = Math.max(worst, Math.abs(voxels[i] - reference[i]));
        meanDiff += (voxels[i] - reference[i]) / reference.length;
      }
      expect(Math.abs(meanDiff)).toBeLessThan(0.2);
      // JPEG-LS near-lossless bounds every error by NEAR (1 here); the lossy JPEG 2000 stream stays within a few HU.
      expect(worst).toBeLessThanOrEqual(file.includes('4.81') ? 1 : 8);
    }
  });

  it('keeps Int16 voxels for lossless integer rescale, Float32 for a fractional slope', async () => {
    const lossless = await loadSeriesVolume((await scanDicom(fixture('ct_transfer_syntaxes', 'CTImage.dcm'), { pool })).series[0], { pool });
    expect(lossless.volume.voxels).toBeInstanceOf(Int16Array);
    const lossy = await loadSeriesVolume((await scanDicom(fixture('ct_transfer_syntaxes', cases[10][0]), { pool })).series[0], { pool });
    expect(lossy.volume.voxels).toBeInstanceOf(Float32Array);
    expect(lossy.findings.map((f) => f.code)).toContain('LOSSY_COMPRESSION');
  });
});
