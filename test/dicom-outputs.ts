/**
 * Hilum's three DICOM outputs for one small CT: the Encapsulated PDF, the SEG (via exportForPacs)
 * and the TID 1500 measurement report, written into `dir` for the validator and PACS tests.
 */
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { chooseSeries, loadSeriesVolume, scanDicom } from '../electron/engine/imaging/dicom/import.js';
import { exportForPacs } from '../electron/engine/imaging/dicom/pacs-export.js';
import type { DicomSeries } from '../electron/engine/imaging/dicom/series.js';
import { writeMeasurementReport, type MeasurementReportInput } from '../electron/engine/imaging/dicom/sr-write.js';
import { writeCtSeries, type SeriesWriteOptions } from '../electron/engine/imaging/dicom/write-series.js';
import { copyGrid } from '../electron/engine/imaging/grid.js';
import type { LabelMap, Volume } from '../electron/engine/imaging/volume.js';

export interface DicomOutputs {
  ctFiles: string[];
  series: DicomSeries;
  pdfFile: string;
  segFile: string;
  srFile: string;
  /** The PDF inside the Encapsulated PDF. */
  pdfBytes: Uint8Array;
  uids: { pdf: string; seg: string; sr: string; segSeries: string };
  measurements: Omit<MeasurementReportInput, 'source' | 'segmentation'>;
}

export async function onePdf(text: string): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', info: { Title: 'Hilum test report', CreationDate: new Date(2026, 0, 1) } });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.fontSize(14).text(text);
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** A blob on the middle slices of the volume. */
function blob(volume: Volume): LabelMap {
  const mask: LabelMap = { ...copyGrid(volume), voxels: new Uint8Array(volume.voxels.length) };
  const [nx, ny, nz] = mask.dims;
  for (let k = Math.floor(nz / 3); k < Math.ceil((2 * nz) / 3); k++)
    for (let j = Math.floor(ny / 3); j < Math.floor(ny / 2); j++)
      for (let i = Math.floor(nx / 3); i < Math.floor(nx / 2); i++) mask.voxels[i + nx * (j + ny * k)] = 1;
  return mask;
}

export async function writeDicomOutputs(dir: string, volume: Volume, ct: SeriesWriteOptions): Promise<DicomOutputs> {
  const ctFiles = await writeCtSeries(volume, path.join(dir, 'ct'), ct);
  const series = chooseSeries(await scanDicom(path.join(dir, 'ct')));
  const loaded = await loadSeriesVolume(series);
  const pdfBytes = await onePdf('Nodule report: right upper lobe, 10 mm part-solid nodule.');
  const out = exportForPacs(path.join(dir, 'out'), {
    pdf: pdfBytes,
    mask: blob(loaded.volume),
    series,
    documentTitle: 'Hilum OLNM risk report',
    segmentLabel: 'Lung nodule',
    algorithmName: 'Hilum click-to-segment',
  });
  const measurements = {
    nodule: { volumeMm3: 523.6, longestDiameterMm: 10.2, ctr: 0.62 },
    risk: { probability: 0.231, lower: 0.118, upper: 0.402, level: 0.95, category: 'intermediate' },
    bundle: { name: 'hilum-demo-olnm', sha256: 'c0ffee'.padEnd(64, '0') },
  };
  const srFile = path.join(dir, 'out', 'sr.dcm');
  const sr = writeMeasurementReport(srFile, {
    source: series,
    ...measurements,
    segmentation: { sopInstanceUid: out.sopInstanceUids.seg, seriesInstanceUid: out.seriesInstanceUids.seg, segmentNumber: 1 },
  });
  return {
    ctFiles,
    series,
    pdfFile: out.reportFile,
    segFile: out.segFile,
    srFile,
    pdfBytes,
    uids: { pdf: out.sopInstanceUids.report, seg: out.sopInstanceUids.seg, sr: sr.sopInstanceUid, segSeries: out.seriesInstanceUids.seg },
    measurements,
  };
}
