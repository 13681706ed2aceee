import { HilumError } from '../../core/errors.js';
import { engineVersion } from '../../core/version.js';
import { readDicomHeader } from './parse.js';
import { copiedPatientAndStudy } from './patient-study-modules.js';
import type { DicomSeries } from './series.js';
import { SOP_CLASS, TS } from './tags.js';
import { newUid } from './uid.js';
import { dicomDateTime, writeDataset } from './write-dataset.js';

/** A coded concept (PS3.3 Table 8.8-1, the basic Code Sequence Macro). */
export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export interface EncapsulatedPdfOptions {
  /** DocumentTitle (0042,0010), shown by PACS viewers in their document lists. */
  documentTitle: string;
  seriesDescription?: string;
  /** Default 901 (the SEG writer's default is 900). */
  seriesNumber?: number;
  /** Default 1. */
  instanceNumber?: number;
  /** ContentDate/ContentTime and AcquisitionDateTime; default: now. */
  contentDate?: Date;
  /** ConceptNameCodeSequence (0040,A043); default LOINC 18748-4 "Diagnostic imaging report". */
  conceptName?: CodedConcept;
}

export interface EncapsulatedPdfResult {
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** LOINC 18748-4, the document type of a diagnostic imaging report. */
export const DIAGNOSTIC_IMAGING_REPORT: CodedConcept = { CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' };

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // '%PDF-'

/** True when the bytes start with the PDF header '%PDF-' (ISO 32000-1 7.5.2). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return bytes.length >= PDF_MAGIC.length && PDF_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Writes a PDF as a DICOM Encapsulated PDF instance (PS3.3 A.45.1, SOP Class 1.2.840.10008.5.1.4.1.1.104.1,
 * Explicit VR Little Endian) in the study of `source`: the patient and general study modules are copied
 * from the source's first file, the document gets a new series (Modality DOC), and it references every
 * instance of the source series (SourceInstanceSequence and ReferencedSeriesSequence). An odd-length
 * PDF is padded with one trailing 0x00 (PS3.3 C.24.2) and EncapsulatedDocumentLength records the
 * true length, so a reader can strip the pad.
 */
export function writeEncapsulatedPdf(filePath: string, pdfBytes: Uint8Array, source: DicomSeries, options: EncapsulatedPdfOptions): EncapsulatedPdfResult {
  if (!looksLikePdf(pdfBytes))
    throw new HilumError({
      code: 'NOT_A_PDF',
      message: 'the report to encapsulate is not a PDF (it does not start with %PDF-)',
      hint: 'Pass the bytes of the rendered PDF report, not another file.',
      data: { bytes: pdfBytes.length },
    });
  if (!source.studyInstanceUid)
    throw new HilumError({
      code: 'MISSING_STUDY_UID',
      message: `the source series ${source.id} has no StudyInstanceUID, so the report cannot be filed in its study`,
      hint: 'Use the original CT series from the scanner or PACS; anonymisers sometimes drop the study UID.',
    });
  if (source.instances.length === 0) throw new HilumError({ code: 'EMPTY_SERIES', message: `the source series ${source.id} has no instances to reference` });
  if (!options.documentTitle.trim()) throw new HilumError({ code: 'MISSING_DOCUMENT_TITLE', message: 'an encapsulated PDF needs a document title' });

  const header = readDicomHeader(source.instances[0].filePath).dataSet;
  const now = options.contentDate ?? new Date();
  const { date, time } = dicomDateTime(now);
  const sopInstanceUid = newUid();
  const seriesInstanceUid = newUid();

  // OB values must have even length; the Encapsulated Document module (PS3.3 C.24.2) allows one trailing NULL pad.
  const document = new Uint8Array(pdfBytes.length + (pdfBytes.length % 2));
  document.set(pdfBytes);

  const references = source.instances.map((h) => ({ ReferencedSOPClassUID: h.sopClassUid, ReferencedSOPInstanceUID: h.sopInstanceUid }));
  const dataset: Record<string, unknown> = {
    // SOP Common
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SOP_CLASS.EncapsulatedPdf,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // Patient and General Study, copied from the source
    ...copiedPatientAndStudy(header, source.studyInstanceUid),
    // Encapsulated Document Series
    Modality: 'DOC',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: options.seriesNumber ?? 901,
    SeriesDate: date,
    SeriesTime: time,
    SeriesDescription: options.seriesDescription ?? 'Hilum report',
    // General Equipment and SC Equipment
    Manufacturer: 'Hilum',
    ManufacturerModelName: 'Hilum',
    SoftwareVersions: engineVersion(),
    ConversionType: 'WSD',
    // Encapsulated Document
    InstanceNumber: options.instanceNumber ?? 1,
    ContentDate: date,
    ContentTime: time,
    AcquisitionDateTime: `${date}${time}`,
    BurnedInAnnotation: 'YES',
    DocumentTitle: options.documentTitle,
    ConceptNameCodeSequence: [{ ...(options.conceptName ?? DIAGNOSTIC_IMAGING_REPORT) }],
    SourceInstanceSequence: references,
    ReferencedSeriesSequence: [{ SeriesInstanceUID: source.seriesInstanceUid, ReferencedInstanceSequence: references }],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocumentLength: pdfBytes.length,
    EncapsulatedDocument: [document.buffer],
    _vrMap: { EncapsulatedDocument: 'OB' },
  };
  writeDataset(filePath, dataset, TS.ExplicitLittle);
  return { sopInstanceUid, seriesInstanceUid };
}
