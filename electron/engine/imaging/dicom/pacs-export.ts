import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LabelMap } from '../volume.js';
import { str } from './dataset.js';
import { writeEncapsulatedPdf } from './encapsulated-pdf-write.js';
import { readDicomHeader } from './parse.js';
import { writeDicomSeg } from './seg-write.js';
import { writeMeasurementReport, type MeasurementReportInput } from './sr-write.js';
import type { DicomSeries } from './series.js';
import { TAG } from './tags.js';

export interface PacsExportInput {
  /** The rendered report (must start with %PDF-). */
  pdf: Uint8Array;
  /** The nodule mask, on the grid of `series`. */
  mask: LabelMap;
  /** The CT series the report and mask were made from; both outputs join its study. */
  series: DicomSeries;
  documentTitle: string;
  segmentLabel: string;
  algorithmName: string;
  contentCreator?: string;
  /** Default SEMIAUTOMATIC (click segmentation). */
  algorithmType?: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  /** With these, a TID 1500 measurement report (`sr-<SOP Instance UID>.dcm`) referencing the SEG is written too. */
  measurements?: Omit<MeasurementReportInput, 'source' | 'segmentation'>;
}

export interface PacsExportResult {
  reportFile: string;
  segFile: string;
  /** The measurement report, when `measurements` were given. */
  srFile?: string;
  sopInstanceUids: { report: string; seg: string; sr?: string };
  seriesInstanceUids: { report: string; seg: string; sr?: string };
  studyInstanceUid: string;
}

/**
 * Writes the DICOM objects a PACS takes from Hilum into `outDir`: the report as an Encapsulated
 * PDF (`report-<SOP Instance UID>.dcm`), the mask as a binary DICOM-SEG (`seg-<SOP Instance UID>.dcm`)
 * and, given the measurements, a TID 1500 structured report (`sr-<SOP Instance UID>.dcm`), all in the
 * study of the source series and referencing its images. All are written under temporary names
 * first and renamed only when all succeeded, so a refused input (not a PDF, a mask off the series
 * grid, a source without study UID) leaves no file behind.
 */
export function exportForPacs(outDir: string, input: PacsExportInput): PacsExportResult {
  mkdirSync(outDir, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const reportTmp = path.join(outDir, `.report-${tag}.dcm.tmp`);
  const segTmp = path.join(outDir, `.seg-${tag}.dcm.tmp`);
  const srTmp = path.join(outDir, `.sr-${tag}.dcm.tmp`);
  const created: string[] = [];
  try {
    const report = writeEncapsulatedPdf(reportTmp, input.pdf, input.series, { documentTitle: input.documentTitle });
    created.push(reportTmp);
    writeDicomSeg(segTmp, input.mask, input.series, {
      segmentLabel: input.segmentLabel,
      algorithmName: input.algorithmName,
      algorithmType: input.algorithmType ?? 'SEMIAUTOMATIC',
      ...(input.contentCreator !== undefined ? { contentCreator: input.contentCreator } : {}),
    });
    created.push(segTmp);
    const segHeader = readDicomHeader(segTmp).dataSet;
    const segSop = str(segHeader, TAG.SOPInstanceUID) ?? '';
    const segSeries = str(segHeader, TAG.SeriesInstanceUID) ?? '';
    const sr = input.measurements
      ? writeMeasurementReport(srTmp, {
          source: input.series,
          ...input.measurements,
          segmentation: { sopInstanceUid: segSop, seriesInstanceUid: segSeries, segmentNumber: 1 },
        })
      : undefined;
    if (sr) created.push(srTmp);
    const reportFile = path.join(outDir, `report-${report.sopInstanceUid}.dcm`);
    const segFile = path.join(outDir, `seg-${segSop}.dcm`);
    renameSync(reportTmp, reportFile);
    created[0] = reportFile;
    renameSync(segTmp, segFile);
    created[1] = segFile;
    const srFile = sr ? path.join(outDir, `sr-${sr.sopInstanceUid}.dcm`) : undefined;
    if (srFile) {
      renameSync(srTmp, srFile);
      created[2] = srFile;
    }
    return {
      reportFile,
      segFile,
      ...(srFile ? { srFile } : {}),
      sopInstanceUids: { report: report.sopInstanceUid, seg: segSop, ...(sr ? { sr: sr.sopInstanceUid } : {}) },
      seriesInstanceUids: { report: report.seriesInstanceUid, seg: segSeries, ...(sr ? { sr: sr.seriesInstanceUid } : {}) },
      studyInstanceUid: input.series.studyInstanceUid,
    };
  } catch (error) {
    // A writer may have left a partial file before throwing: remove the temporary names too.
    for (const file of new Set([...created, reportTmp, segTmp, srTmp])) rmSync(file, { force: true });
    throw error;
  }
}
