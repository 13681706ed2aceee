import dcmjs from 'dcmjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMeasurementReport } from '../../../electron/engine/imaging/dicom/sr-write.js';
import { writeDicomOutputs, type DicomOutputs } from '../../dicom-outputs.js';
import { errorOf, tempDir } from '../../helpers.js';
import { indexVolume } from '../../synthetic.js';

type Item = Record<string, unknown> & { ContentSequence?: Item[] };

function read(file: string): Item {
  const bytes = readFileSync(file);
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict) as Item;
}

const concept = (item: Item) => {
  const c = (item.ConceptNameCodeSequence as Item[] | Item | undefined) ?? {};
  const first = (Array.isArray(c) ? c[0] : c) as Item;
  return `${first.CodingSchemeDesignator as string}:${first.CodeValue as string}`;
};
const child = (item: Item, code: string) => {
  const found = (item.ContentSequence ?? []).find((c) => concept(c) === code);
  if (!found) throw new Error(`no ${code} under ${concept(item)}`);
  return found;
};
const num = (item: Item) => {
  const mv = item.MeasuredValueSequence as Item[] | Item;
  const first = (Array.isArray(mv) ? mv[0] : mv) as Item;
  const unit = first.MeasurementUnitsCodeSequence as Item[] | Item;
  return { value: Number(first.NumericValue), unit: ((Array.isArray(unit) ? unit[0] : unit) as Item).CodeValue };
};

const tmp = tempDir('hilum-sr-');
let outputs: DicomOutputs;
beforeAll(async () => {
  outputs = await writeDicomOutputs(tmp.dir, indexVolume([16, 12, 5]), { patientId: 'SR-01', patientName: 'TEST^SR' });
});
afterAll(() => tmp.cleanup());

describe('TID 1500 measurement report', () => {
  it('files the report in the CT study with the measurements, the risk and the bundle identity', () => {
    const sr = read(outputs.srFile);
    expect(sr.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(sr.Modality).toBe('SR');
    expect(sr.StudyInstanceUID).toBe(outputs.series.studyInstanceUid);
    expect(sr.PatientID).toBe('SR-01');
    expect(concept(sr)).toBe('DCM:126000');
    const template = (Array.isArray(sr.ContentTemplateSequence) ? sr.ContentTemplateSequence[0] : sr.ContentTemplateSequence) as Item;
    expect(template).toMatchObject({ MappingResource: 'DCMR', TemplateIdentifier: '1500' });

    const library = child(child(sr, 'DCM:111028'), 'DCM:126200').ContentSequence!;
    expect(library).toHaveLength(5);
    const group = child(child(sr, 'DCM:126010'), 'DCM:125007');
    expect(num(child(group, 'SCT:118565006'))).toEqual({ value: 523.6, unit: 'mm3' });
    expect(num(child(group, 'SCT:103339001'))).toEqual({ value: 10.2, unit: 'mm' });
    expect(num(child(group, '99HILUM:CTR'))).toEqual({ value: 0.62, unit: '1' });
    expect(num(child(group, '99HILUM:OLNM-P'))).toEqual({ value: 23.1, unit: '%' });
    expect(num(child(group, '99HILUM:OLNM-P-LOW'))).toEqual({ value: 11.8, unit: '%' });
    expect(num(child(group, '99HILUM:OLNM-P-HIGH'))).toEqual({ value: 40.2, unit: '%' });
    expect(child(group, '99HILUM:OLNM-RISK').TextValue).toBe('intermediate');
    expect(child(group, '99HILUM:BUNDLE-SHA256').TextValue).toBe(outputs.measurements.bundle.sha256);
    expect(child(group, 'DCM:111001').TextValue).toBe('Hilum hilum-demo-olnm');
    const segment = child(group, 'DCM:121191').ReferencedSOPSequence as Item[] | Item;
    expect(Array.isArray(segment) ? segment[0] : segment).toMatchObject({ ReferencedSOPInstanceUID: outputs.uids.seg, ReferencedSegmentNumber: 1 });

    const evidence = (
      Array.isArray(sr.CurrentRequestedProcedureEvidenceSequence)
        ? sr.CurrentRequestedProcedureEvidenceSequence[0]
        : sr.CurrentRequestedProcedureEvidenceSequence
    ) as Item;
    const seriesUids = (evidence.ReferencedSeriesSequence as Item[]).map((s) => s.SeriesInstanceUID);
    expect(seriesUids).toEqual([outputs.series.seriesInstanceUid, outputs.uids.segSeries]);
  });

  it('refuses values that cannot be right', () => {
    const base = { source: outputs.series, ...outputs.measurements };
    const file = path.join(tmp.dir, 'bad.dcm');
    expect(errorOf(() => writeMeasurementReport(file, { ...base, nodule: { ...base.nodule, volumeMm3: -1 } })).code).toBe('SR_VALUE_INVALID');
    expect(errorOf(() => writeMeasurementReport(file, { ...base, nodule: { ...base.nodule, ctr: 1.5 } })).code).toBe('SR_VALUE_INVALID');
    expect(errorOf(() => writeMeasurementReport(file, { ...base, risk: { ...base.risk!, lower: 0.3 } })).code).toBe('SR_VALUE_INVALID');
    expect(errorOf(() => writeMeasurementReport(file, { ...base, bundle: { name: 'x', sha256: 'nothex' } })).code).toBe('SR_VALUE_INVALID');
  });
});
