import dcmjs from 'dcmjs';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../../electron/engine/core/worker-pool.js';
import { items, str } from '../../../electron/engine/imaging/dicom/dataset.js';
import { writeEncapsulatedPdf } from '../../../electron/engine/imaging/dicom/encapsulated-pdf-write.js';
import { createDicomPool, loadSeriesVolume, scanDicom, type LoadedSeries } from '../../../electron/engine/imaging/dicom/import.js';
import { exportForPacs } from '../../../electron/engine/imaging/dicom/pacs-export.js';
import { readDicomFile, readDicomHeader } from '../../../electron/engine/imaging/dicom/parse.js';
import { readDicomSeg, segToMasks } from '../../../electron/engine/imaging/dicom/seg-read.js';
import type { DicomSeries } from '../../../electron/engine/imaging/dicom/series.js';
import { SOP_CLASS, TAG } from '../../../electron/engine/imaging/dicom/tags.js';
import { writeCtSeries } from '../../../electron/engine/imaging/dicom/write-series.js';
import { copyGrid } from '../../../electron/engine/imaging/grid.js';
import type { LabelMap } from '../../../electron/engine/imaging/volume.js';
import { errorOf, tempDir } from '../../helpers.js';
import { indexVolume } from '../../synthetic.js';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

let pool: WorkerPool;
let tmp: ReturnType<typeof tempDir>;
let ct: LoadedSeries;
let pdf: Uint8Array;

async function makePdf(): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', info: { Title: 'Hilum test report', CreationDate: new Date(2026, 0, 1) } });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.fontSize(14).text('Nodule report — right upper lobe, 8 mm solid nodule.');
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** The mask: a small blob on slices 1–3 of the 16×12×5 series. */
function noduleMask(grid: LabelMap | LoadedSeries['volume']): LabelMap {
  const mask: LabelMap = { ...copyGrid(grid), voxels: new Uint8Array(grid.voxels.length) };
  const [nx, ny] = mask.dims;
  for (let k = 1; k <= 3; k++) for (let j = 4; j < 8; j++) for (let i = 5; i < 5 + k + 2; i++) mask.voxels[i + nx * (j + ny * k)] = 1;
  return mask;
}

/** dcmjs's view of a file, naturalized (keywords as keys). */
function dcmjsRead(file: string): Record<string, unknown> {
  const bytes = readFileSync(file);
  const message = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return DicomMetaDictionary.naturalizeDataset(message.dict);
}

type Item = Record<string, unknown>;

beforeAll(async () => {
  pool = createDicomPool(2);
  tmp = tempDir();
  await writeCtSeries(indexVolume([16, 12, 5]), path.join(tmp.dir, 'ct'), {
    patientId: 'PACS-0042',
    patientName: 'TEST^PACS',
    seriesDescription: 'Chest CT 1.25 mm',
    extra: { AccessionNumber: 'ACC123', PatientBirthDate: '19600101', PatientSex: 'F' },
  });
  ct = await loadSeriesVolume((await scanDicom(path.join(tmp.dir, 'ct'), { pool })).series[0], { pool });
  pdf = await makePdf();
});
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

describe('DICOM Encapsulated PDF writer', () => {
  it.each(['odd', 'even'] as const)('keeps a PDF of %s length byte for byte, in the source study', (parity) => {
    // A trailing newline after %%EOF leaves the PDF valid and flips the length parity.
    const bytes = pdf.length % 2 === (parity === 'odd' ? 1 : 0) ? pdf : new Uint8Array([...pdf, 0x0a]);
    expect(bytes.length % 2).toBe(parity === 'odd' ? 1 : 0);
    const file = path.join(tmp.dir, `report-${parity}.dcm`);
    const result = writeEncapsulatedPdf(file, bytes, ct.series, { documentTitle: 'Lung nodule report', contentDate: new Date(2026, 2, 4, 10, 30, 15) });

    // The project's own reader.
    const ds = readDicomFile(file);
    expect(str(ds, TAG.SOPClassUID)).toBe(SOP_CLASS.EncapsulatedPdf);
    expect(str(ds, TAG.MediaStorageSOPClassUID)).toBe(SOP_CLASS.EncapsulatedPdf);
    expect(str(ds, TAG.TransferSyntaxUID)).toBe('1.2.840.10008.1.2.1');
    expect(str(ds, TAG.SOPInstanceUID)).toBe(result.sopInstanceUid);
    expect(str(ds, TAG.SeriesInstanceUID)).toBe(result.seriesInstanceUid);
    expect(result.seriesInstanceUid).not.toBe(ct.series.seriesInstanceUid);
    expect(str(ds, TAG.StudyInstanceUID)).toBe(ct.series.studyInstanceUid);
    expect(str(ds, TAG.PatientID)).toBe('PACS-0042');
    expect(str(ds, TAG.PatientName)).toBe('TEST^PACS');
    expect(str(ds, TAG.AccessionNumber)).toBe('ACC123');
    expect(str(ds, TAG.Modality)).toBe('DOC');
    expect(str(ds, TAG.ConversionType)).toBe('WSD');
    expect(str(ds, TAG.MIMETypeOfEncapsulatedDocument)).toBe('application/pdf');
    expect(str(ds, TAG.DocumentTitle)).toBe('Lung nodule report');
    expect(str(ds, 'x00080023')).toBe('20260304');
    expect(str(ds, 'x00080033')).toBe('103015');
    expect(str(ds, 'x00280301')).toBe('YES');
    expect(str(items(ds, TAG.ConceptNameCodeSequence)[0], 'x00080100')).toBe('18748-4');
    const length = ds.uint32(TAG.EncapsulatedDocumentLength) as number;
    expect(length).toBe(bytes.length);
    const el = ds.elements[TAG.EncapsulatedDocument];
    expect(el.length).toBe(bytes.length + (bytes.length % 2));
    const embedded = ds.byteArray.subarray(el.dataOffset, el.dataOffset + length);
    expect(Buffer.compare(Buffer.from(embedded), Buffer.from(bytes))).toBe(0);
    const sourceSops = ct.series.instances.map((h) => h.sopInstanceUid);
    expect(items(ds, TAG.SourceInstanceSequence).map((i) => str(i, TAG.ReferencedSOPInstanceUID))).toEqual(sourceSops);
    const refSeries = items(ds, TAG.ReferencedSeriesSequence);
    expect(refSeries.map((i) => str(i, TAG.SeriesInstanceUID))).toEqual([ct.series.seriesInstanceUid]);
    expect(items(refSeries[0], TAG.ReferencedInstanceSequence).map((i) => str(i, TAG.ReferencedSOPClassUID))).toEqual(sourceSops.map(() => SOP_CLASS.CTImage));

    // dcmjs, an independent parser.
    const nat = dcmjsRead(file);
    expect(nat.SOPClassUID).toBe(SOP_CLASS.EncapsulatedPdf);
    expect(nat.StudyInstanceUID).toBe(ct.series.studyInstanceUid);
    expect(nat.PatientID).toBe('PACS-0042');
    expect(nat.MIMETypeOfEncapsulatedDocument).toBe('application/pdf');
    expect(nat.BurnedInAnnotation).toBe('YES');
    expect(nat.EncapsulatedDocumentLength).toBe(bytes.length);
    const doc = new Uint8Array((nat.EncapsulatedDocument as ArrayBuffer[])[0]);
    expect(doc.length % 2).toBe(0);
    if (doc.length > bytes.length) expect(doc[doc.length - 1]).toBe(0);
    expect(Buffer.compare(Buffer.from(doc.subarray(0, nat.EncapsulatedDocumentLength as number)), Buffer.from(bytes))).toBe(0);
    const natRef = nat.ReferencedSeriesSequence as Item | Item[];
    const natRefItem = Array.isArray(natRef) ? natRef[0] : natRef;
    expect(natRefItem.SeriesInstanceUID).toBe(ct.series.seriesInstanceUid);
    const natSources = ([] as Item[]).concat(nat.SourceInstanceSequence as Item | Item[]);
    expect(natSources.map((i) => i.ReferencedSOPInstanceUID)).toEqual(sourceSops);
    const concept = ([] as Item[]).concat(nat.ConceptNameCodeSequence as Item | Item[])[0];
    expect(concept).toMatchObject({ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' });
  });

  it('refuses a payload that is not a PDF and writes nothing', () => {
    const file = path.join(tmp.dir, 'not-a-pdf.dcm');
    const error = errorOf(() => writeEncapsulatedPdf(file, new TextEncoder().encode('<html>report</html>'), ct.series, { documentTitle: 'x' }));
    expect(error.code).toBe('NOT_A_PDF');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a source series without a StudyInstanceUID', () => {
    const noStudy: DicomSeries = { ...ct.series, studyInstanceUid: '' };
    const error = errorOf(() => writeEncapsulatedPdf(path.join(tmp.dir, 'nostudy.dcm'), pdf, noStudy, { documentTitle: 'x' }));
    expect(error.code).toBe('MISSING_STUDY_UID');
    expect(error.message).toMatch(/StudyInstanceUID/);
  });
});

describe('exportForPacs', () => {
  it('writes the report and the SEG into the source study, both readable by Hilum and dcmjs', async () => {
    const out = path.join(tmp.dir, 'pacs');
    const mask = noduleMask(ct.volume);
    const result = exportForPacs(out, {
      pdf,
      mask,
      series: ct.series,
      documentTitle: 'Lung nodule report',
      segmentLabel: 'Nodule RUL',
      algorithmName: 'Hilum click segmentation',
      contentCreator: 'DOE^JANE',
    });
    expect(readdirSync(out).sort()).toEqual([path.basename(result.reportFile), path.basename(result.segFile)].sort());
    expect(path.basename(result.reportFile)).toBe(`report-${result.sopInstanceUids.report}.dcm`);
    expect(path.basename(result.segFile)).toBe(`seg-${result.sopInstanceUids.seg}.dcm`);
    expect(result.studyInstanceUid).toBe(ct.series.studyInstanceUid);
    expect(result.seriesInstanceUids.report).not.toBe(result.seriesInstanceUids.seg);

    // Report: project reader and dcmjs.
    const report = readDicomHeader(result.reportFile).dataSet;
    expect(str(report, TAG.SOPClassUID)).toBe(SOP_CLASS.EncapsulatedPdf);
    expect(str(report, TAG.StudyInstanceUID)).toBe(ct.series.studyInstanceUid);
    const reportNat = dcmjsRead(result.reportFile);
    expect(reportNat.SOPInstanceUID).toBe(result.sopInstanceUids.report);
    const doc = new Uint8Array((reportNat.EncapsulatedDocument as ArrayBuffer[])[0]).subarray(0, reportNat.EncapsulatedDocumentLength as number);
    expect(Buffer.compare(Buffer.from(doc), Buffer.from(pdf))).toBe(0);

    // SEG: project reader gives back the same voxels and references the source images.
    const seg = await readDicomSeg(result.segFile);
    expect(seg.sopInstanceUid).toBe(result.sopInstanceUids.seg);
    expect(seg.segments).toEqual([{ number: 1, label: 'Nodule RUL', description: '', algorithmType: 'SEMIAUTOMATIC' }]);
    expect(seg.referencedSeriesUid).toBe(ct.series.seriesInstanceUid);
    const sourceSops = new Set(ct.series.instances.map((h) => h.sopInstanceUid));
    expect(seg.frames).toHaveLength(3);
    expect(seg.frames.every((f) => f.referencedSopInstanceUid !== null && sourceSops.has(f.referencedSopInstanceUid))).toBe(true);
    const back = segToMasks(seg, ct.volume).masks.get(1) as LabelMap;
    expect(Buffer.compare(Buffer.from(back.voxels), Buffer.from(mask.voxels))).toBe(0);

    // SEG: dcmjs.
    const segNat = dcmjsRead(result.segFile);
    expect(segNat.SOPClassUID).toBe(SOP_CLASS.Segmentation);
    expect(segNat.StudyInstanceUID).toBe(ct.series.studyInstanceUid);
    expect(segNat.PatientID).toBe('PACS-0042');
    expect(segNat.ContentCreatorName).toMatchObject([{ Alphabetic: 'DOE^JANE' }]);
    const segment = ([] as Item[]).concat(segNat.SegmentSequence as Item | Item[])[0];
    expect(segment).toMatchObject({ SegmentLabel: 'Nodule RUL', SegmentAlgorithmType: 'SEMIAUTOMATIC', SegmentAlgorithmName: 'Hilum click segmentation' });
    const refSeries = ([] as Item[]).concat(segNat.ReferencedSeriesSequence as Item | Item[]);
    expect(refSeries[0].SeriesInstanceUID).toBe(ct.series.seriesInstanceUid);
    const refInstances = ([] as Item[]).concat(refSeries[0].ReferencedInstanceSequence as Item | Item[]);
    expect(refInstances.map((i) => i.ReferencedSOPInstanceUID).sort()).toEqual([...sourceSops].sort());
    const frames = ([] as Item[]).concat(segNat.PerFrameFunctionalGroupsSequence as Item | Item[]);
    const sourceImages = frames.map((f) => {
      const derivation = ([] as Item[]).concat(f.DerivationImageSequence as Item | Item[])[0];
      return ([] as Item[]).concat(derivation.SourceImageSequence as Item | Item[])[0].ReferencedSOPInstanceUID as string;
    });
    const sliceSops = ct.series.stack?.slices.map((s) => s.sopInstanceUid) ?? [];
    expect(sourceImages).toEqual([1, 2, 3].map((k) => sliceSops[k]));

    // A folder scan sees the SEG as a segmentation and the report as a non-image object, never as a series.
    const scan = await scanDicom(out, { pool });
    expect(scan.series).toHaveLength(0);
    expect(scan.segmentations).toHaveLength(1);
  });

  it('refuses a mask that is not on the series grid and leaves no file behind', () => {
    const out = path.join(tmp.dir, 'pacs-mismatch');
    const good = noduleMask(ct.volume);
    const shifted: LabelMap = { ...good, originLps: [good.originLps[0] + 5, good.originLps[1], good.originLps[2]] };
    const error = errorOf(() =>
      exportForPacs(out, { pdf, mask: shifted, series: ct.series, documentTitle: 'Report', segmentLabel: 'Nodule', algorithmName: 'Hilum' }),
    );
    expect(error.code).toBe('MASK_GEOMETRY_MISMATCH');
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a non-PDF report and leaves no file behind', () => {
    const out = path.join(tmp.dir, 'pacs-notpdf');
    const error = errorOf(() =>
      exportForPacs(out, {
        pdf: new Uint8Array([0x50, 0x4b, 3, 4]),
        mask: noduleMask(ct.volume),
        series: ct.series,
        documentTitle: 'Report',
        segmentLabel: 'Nodule',
        algorithmName: 'Hilum',
      }),
    );
    expect(error.code).toBe('NOT_A_PDF');
    expect(readdirSync(out)).toEqual([]);
  });

  it('keeps a file an earlier export left in the folder', () => {
    const out = path.join(tmp.dir, 'pacs-existing');
    const first = exportForPacs(out, { pdf, mask: noduleMask(ct.volume), series: ct.series, documentTitle: 'R', segmentLabel: 'N', algorithmName: 'H' });
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const empty: LabelMap = { ...noduleMask(ct.volume), voxels: new Uint8Array(ct.volume.voxels.length) };
    expect(errorOf(() => exportForPacs(out, { pdf, mask: empty, series: ct.series, documentTitle: 'R', segmentLabel: 'N', algorithmName: 'H' })).code).toBe(
      'EMPTY_MASK',
    );
    expect(readdirSync(out).sort()).toEqual([path.basename(first.reportFile), path.basename(first.segFile), 'notes.txt'].sort());
    rmSync(out, { recursive: true, force: true });
  });
});
