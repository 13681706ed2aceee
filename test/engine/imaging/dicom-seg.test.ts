import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { createDicomPool, loadSeriesVolume, scanDicom, type LoadedSeries } from '../../../electron/engine/imaging/dicom/import.js';
import { countMaskVoxels, readDicomSeg, segOwnGrid, segToMasks } from '../../../electron/engine/imaging/dicom/seg-read.js';
import { writeDicomSeg } from '../../../electron/engine/imaging/dicom/seg-write.js';
import { importMask } from '../../../electron/engine/imaging/mask-import.js';
import type { LabelMap } from '../../../electron/engine/imaging/volume.js';
import { fixture, tempDir } from '../../helpers.js';

// Expected voxel counts were computed independently with pydicom 2.3.1 + numpy (see test/fixtures/imaging/README.md).
let pool: WorkerPool;
let ct3: LoadedSeries;
beforeAll(async () => {
  pool = createDicomPool(2);
  ct3 = await loadSeriesVolume((await scanDicom(fixture('seg_dcmqi', 'ct_3slice'), { pool })).series[0], { pool });
});
afterAll(() => pool.close());

const sum = (m: LabelMap) => m.voxels.reduce((a, b) => a + b, 0);

describe('DICOM-SEG on the CT grid', () => {
  it('places the dcmqi liver SEG on the 3-slice CT: 107,098 voxels, identical to the NRRD export', async () => {
    const seg = await readDicomSeg(fixture('seg_dcmqi', 'liver.dcm'));
    expect(seg.type).toBe('BINARY');
    expect(seg.segments.map((s) => s.label)).toEqual(['Liver']);
    const { masks } = segToMasks(seg, ct3.volume);
    const liver = masks.get(1) as LabelMap;
    expect(sum(liver)).toBe(107098);
    const nrrd = await importMask(fixture('seg_dcmqi', 'liver_seg.nrrd'), ct3.volume);
    expect(nrrd.labelCounts.get(1)).toBe(107098);
    expect(Buffer.compare(Buffer.from(liver.voxels), Buffer.from(nrrd.mask.voxels))).toBe(0);
  });

  it.each(['liver_j2k.dcm', 'liver_rle.dcm', 'liver_deflate.dcm'])('decodes the %s re-encoding to exactly the same mask', async (file) => {
    const reference = segToMasks(await readDicomSeg(fixture('seg_dcmqi', 'liver.dcm')), ct3.volume).masks.get(1) as LabelMap;
    const seg = await readDicomSeg(fixture('seg_variants', 'pydicom_data', file));
    const mask = segToMasks(seg, ct3.volume).masks.get(1) as LabelMap;
    expect(Buffer.compare(Buffer.from(mask.voxels), Buffer.from(reference.voxels))).toBe(0);
  });

  it('reads frames that do not start on byte boundaries (510×510, 1-bit)', async () => {
    const seg = await readDicomSeg(fixture('seg_variants', 'pydicom_data', 'liver_nonbyte_aligned.dcm'));
    expect(seg.columns).toBe(510);
    const { masks } = segToMasks(seg, segOwnGrid(seg));
    expect(sum(masks.get(1) as LabelMap)).toBe(107098);
  });

  it('keeps the five overlapping segments apart and matches dcmqi NRRD exports segment by segment', async () => {
    const seg = await readDicomSeg(fixture('seg_dcmqi', 'partial_overlaps.dcm'));
    const { masks } = segToMasks(seg, ct3.volume);
    expect(Object.fromEntries(countMaskVoxels(masks))).toEqual({ 1: 9602, 2: 11888, 3: 10743, 4: 6693, 5: 4713 });
    for (const [file, labels] of [
      ['partial_overlaps-1.nrrd', [1, 4, 5]],
      ['partial_overlaps-2.nrrd', [2]],
      ['partial_overlaps-3.nrrd', [3]],
    ] as const)
      for (const label of labels) {
        const fromNrrd = await importMask(fixture('seg_dcmqi', file), ct3.volume, { label });
        expect(Buffer.compare(Buffer.from(fromNrrd.mask.voxels), Buffer.from((masks.get(label) as LabelMap).voxels))).toBe(0);
      }
  });

  it.each([
    ['seg_image_ct_binary.dcm', 'BINARY', { 1: 638 }],
    ['seg_image_ct_binary_fractional.dcm', 'FRACTIONAL', { 1: 638 }],
    ['seg_image_ct_true_fractional.dcm', 'FRACTIONAL', { 1: 638 }],
    ['seg_image_ct_binary_overlap.dcm', 'BINARY', { 1: 64, 2: 16 }],
    ['seg_image_ct_binary_single_frame.dcm', 'BINARY', { 1: 1832 }],
  ])('highdicom %s (%s) has the reference voxel counts', async (file, type, counts) => {
    const seg = await readDicomSeg(fixture('seg_variants', 'highdicom', file));
    expect(seg.type).toBe(type);
    const { masks } = segToMasks(seg, segOwnGrid(seg));
    expect(Object.fromEntries(countMaskVoxels(masks))).toEqual(counts);
  });

  it.each(['sparse-labelmap-noppv.dcm', 'sparse-labelmap-ppv5.dcm'])('maps the label-map SEG %s onto its 24×38×3 image like the NRRD', async (file) => {
    const ct = await loadSeriesVolume((await scanDicom(fixture('seg_dcmqi', 'labelmap_24x38x3', 'image'), { pool })).series[0], { pool });
    const seg = await readDicomSeg(fixture('seg_dcmqi', 'labelmap_24x38x3', file));
    expect(seg.type).toBe('LABELMAP');
    const { masks } = segToMasks(seg, ct.volume);
    expect(Object.fromEntries(countMaskVoxels(masks))).toEqual({ 1: 630 });
    const nrrd = await importMask(fixture('seg_dcmqi', 'labelmap_24x38x3', 'sparse_labelmap_noppv_seg.nrrd'), ct.volume);
    expect(Buffer.compare(Buffer.from((masks.get(1) as LabelMap).voxels), Buffer.from(nrrd.mask.voxels))).toBe(0);
  });

  it('refuses a SEG from another series with a clear geometry error', async () => {
    const seg = await readDicomSeg(fixture('seg_dcmqi', 'liver.dcm'));
    const other = await loadSeriesVolume((await scanDicom(fixture('seg_dcmqi', 'labelmap_24x38x3', 'image'), { pool })).series[0], { pool });
    expect(() => segToMasks(seg, other.volume)).toThrow(/pixel spacing|does not lie|orientation/);
  });
});

describe('binary DICOM-SEG writer', () => {
  it('round-trips the liver mask exactly and references the source series and images', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const liver = segToMasks(await readDicomSeg(fixture('seg_dcmqi', 'liver.dcm')), ct3.volume).masks.get(1) as LabelMap;
      const out = path.join(dir, 'liver-hilum.dcm');
      writeDicomSeg(out, liver, ct3.series, { segmentLabel: 'Liver', algorithmType: 'MANUAL' });
      const back = await readDicomSeg(out);
      expect(back.type).toBe('BINARY');
      expect(back.segments).toEqual([{ number: 1, label: 'Liver', description: '', algorithmType: 'MANUAL' }]);
      expect(back.referencedSeriesUid).toBe(ct3.series.seriesInstanceUid);
      const sopUids = new Set(ct3.series.instances.map((h) => h.sopInstanceUid));
      expect(back.frames.every((f) => f.referencedSopInstanceUid !== null && sopUids.has(f.referencedSopInstanceUid))).toBe(true);
      const mask = segToMasks(back, ct3.volume).masks.get(1) as LabelMap;
      expect(Buffer.compare(Buffer.from(mask.voxels), Buffer.from(liver.voxels))).toBe(0);
      // A SEG Hilum writes is read back by the folder scan as a segmentation, not as an image series.
      const scan = await scanDicom(dir, { pool });
      expect(scan.series).toHaveLength(0);
      expect(scan.segmentations).toHaveLength(1);
    } finally {
      cleanup();
    }
  });
});
