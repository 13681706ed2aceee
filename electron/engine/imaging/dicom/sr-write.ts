import { HilumError } from '../../core/errors.js';
import { engineVersion } from '../../core/version.js';
import { readDicomHeader } from './parse.js';
import { copiedPatientAndStudy } from './patient-study-modules.js';
import type { DicomSeries } from './series.js';
import { code, codeItem, container, imageItem, numItem, textItem, uidItem, type ContentItem } from './sr-content.js';
import { SOP_CLASS, TS } from './tags.js';
import { newUid } from './uid.js';
import { dicomDateTime, writeDataset } from './write-dataset.js';

/** Comprehensive SR Storage (PS3.4 B.5): allows IMAGE references and the TID 1500 tree. */
export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';

export interface MeasurementReportInput {
  /** The CT series measured; the report joins its study and references its images. */
  source: DicomSeries;
  nodule: {
    volumeMm3: number;
    longestDiameterMm: number;
    /** Consolidation-to-tumour ratio in [0, 1]. */
    ctr: number;
    /** Tracking Unique Identifier of the nodule; default a new UID. */
    trackingUid?: string;
  };
  /** The calibrated probability in [0, 1] and its interval (`level`, e.g. 0.95). Absent for a refused case. */
  risk?: { probability: number; lower: number; upper: number; level: number; category: string };
  /** The model bundle that produced the risk: its name, SHA-256 and the engine version. */
  bundle: { name: string; sha256: string };
  /** The DICOM-SEG written for this nodule, referenced as its segment (TID 1411). */
  segmentation?: { sopInstanceUid: string; seriesInstanceUid: string; segmentNumber: number };
  seriesNumber?: number;
  contentDate?: Date;
}

export interface MeasurementReportResult {
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** The Device Observer UID (TID 1004): Hilum as a software device, the implementation class UID's sibling. */
const IMPLEMENTATION_DEVICE_UID = '2.25.187236450934856349285912036711593728716';

const DCM = 'DCM';
const SCT = 'SCT';
const UCUM = 'UCUM';
const HILUM = '99HILUM';
const UNIT = {
  mm: code('mm', UCUM, 'millimeter'),
  mm3: code('mm3', UCUM, 'cubic millimeter'),
  ratio: code('1', UCUM, 'no units'),
  percent: code('%', UCUM, 'percent'),
};

/**
 * Writes the nodule's measurements and the predicted risk as a DICOM Comprehensive SR following
 * TID 1500 "Measurement Report" (PS3.16): language and procedure, the image library (TID 1600) of
 * the CT, and one measurement group (TID 1411) with the tracking identifiers, the finding (nodule
 * in the lung), the referenced segment, volume and long axis (SNOMED CT concepts), then Hilum's
 * own concepts (scheme 99HILUM) for the consolidation-to-tumour ratio, the probability of occult
 * lymph node metastasis with its interval and category, and the model bundle's identity
 * (algorithm name, version and SHA-256, TID 4019). Explicit VR Little Endian.
 */
export function writeMeasurementReport(filePath: string, input: MeasurementReportInput): MeasurementReportResult {
  const { source, nodule, risk } = input;
  if (!source.studyInstanceUid)
    throw new HilumError({
      code: 'MISSING_STUDY_UID',
      message: `the source series ${source.id} has no StudyInstanceUID, so the report cannot be filed in its study`,
    });
  if (source.instances.length === 0) throw new HilumError({ code: 'EMPTY_SERIES', message: `the source series ${source.id} has no instances to reference` });
  const bad = (what: string, value: number) =>
    new HilumError({ code: 'SR_VALUE_INVALID', message: `the ${what} ${value} cannot go into the report`, data: { what, value } });
  if (!(nodule.volumeMm3 > 0) || !Number.isFinite(nodule.volumeMm3)) throw bad('nodule volume (mm³)', nodule.volumeMm3);
  if (!(nodule.longestDiameterMm > 0) || !Number.isFinite(nodule.longestDiameterMm)) throw bad('longest diameter (mm)', nodule.longestDiameterMm);
  if (!(nodule.ctr >= 0 && nodule.ctr <= 1)) throw bad('consolidation-to-tumour ratio', nodule.ctr);
  if (risk) {
    for (const [what, p] of [
      ['probability', risk.probability],
      ['lower bound', risk.lower],
      ['upper bound', risk.upper],
    ] as const)
      if (!(p >= 0 && p <= 1)) throw bad(what, p);
    if (!(risk.lower <= risk.probability && risk.probability <= risk.upper)) throw bad('interval around the probability', risk.probability);
    if (!(risk.level > 0 && risk.level < 1)) throw bad('interval level', risk.level);
  }
  if (!/^[0-9a-f]{64}$/.test(input.bundle.sha256))
    throw new HilumError({ code: 'SR_VALUE_INVALID', message: 'the bundle SHA-256 must be 64 hexadecimal digits', data: { sha256: input.bundle.sha256 } });

  const header = readDicomHeader(source.instances[0].filePath).dataSet;
  const { date, time } = dicomDateTime(input.contentDate ?? new Date());
  const sopInstanceUid = newUid();
  const seriesInstanceUid = newUid();
  const pct = (p: number) => Math.round(p * 1000) / 10;

  const group: ContentItem[] = [
    textItem('HAS OBS CONTEXT', code('112039', DCM, 'Tracking Identifier'), 'Nodule 1'),
    uidItem('HAS OBS CONTEXT', code('112040', DCM, 'Tracking Unique Identifier'), nodule.trackingUid ?? newUid()),
    codeItem('HAS CONCEPT MOD', code('121071', DCM, 'Finding'), code('27925004', SCT, 'Nodule')),
    codeItem('HAS CONCEPT MOD', code('363698007', SCT, 'Finding Site'), code('39607008', SCT, 'Lung')),
    textItem('HAS CONCEPT MOD', code('111001', DCM, 'Algorithm Name'), `Hilum ${input.bundle.name}`.slice(0, 1024)),
    textItem('HAS CONCEPT MOD', code('111003', DCM, 'Algorithm Version'), engineVersion()),
    textItem('HAS CONCEPT MOD', code('BUNDLE-SHA256', HILUM, 'Model bundle SHA-256'), input.bundle.sha256),
  ];
  if (input.segmentation) {
    group.push(
      imageItem('CONTAINS', code('121191', DCM, 'Referenced Segment'), {
        sopClassUid: SOP_CLASS.Segmentation,
        sopInstanceUid: input.segmentation.sopInstanceUid,
        segmentNumber: input.segmentation.segmentNumber,
      }),
      uidItem('CONTAINS', code('121232', DCM, 'Source series for segmentation'), source.seriesInstanceUid),
    );
  }
  group.push(
    numItem('CONTAINS', code('118565006', SCT, 'Volume'), nodule.volumeMm3, UNIT.mm3),
    numItem('CONTAINS', code('103339001', SCT, 'Long Axis'), nodule.longestDiameterMm, UNIT.mm),
    numItem('CONTAINS', code('CTR', HILUM, 'Consolidation-to-tumour ratio'), nodule.ctr, UNIT.ratio),
  );
  if (risk) {
    const level = `${Math.round(risk.level * 100)}%`;
    group.push(
      numItem('CONTAINS', code('OLNM-P', HILUM, 'Probability of occult lymph node metastasis'), pct(risk.probability), UNIT.percent),
      numItem('CONTAINS', code('OLNM-P-LOW', HILUM, `Probability lower ${level} confidence limit`), pct(risk.lower), UNIT.percent),
      numItem('CONTAINS', code('OLNM-P-HIGH', HILUM, `Probability upper ${level} confidence limit`), pct(risk.upper), UNIT.percent),
      textItem('CONTAINS', code('OLNM-RISK', HILUM, 'Risk category'), risk.category),
    );
  }

  const library = source.instances.map((h) => imageItem('CONTAINS', null, { sopClassUid: h.sopClassUid, sopInstanceUid: h.sopInstanceUid }));
  const content: ContentItem[] = [
    codeItem('HAS CONCEPT MOD', code('121049', DCM, 'Language of Content Item and Descendants'), code('en-US', 'RFC5646', 'English (United States)')),
    codeItem('HAS OBS CONTEXT', code('121005', DCM, 'Observer Type'), code('121007', DCM, 'Device')),
    uidItem('HAS OBS CONTEXT', code('121012', DCM, 'Device Observer UID'), IMPLEMENTATION_DEVICE_UID),
    textItem('HAS OBS CONTEXT', code('121013', DCM, 'Device Observer Name'), 'Hilum'),
    codeItem('HAS CONCEPT MOD', code('121058', DCM, 'Procedure reported'), code('77477000', SCT, 'Computed Tomography')),
    container('CONTAINS', code('111028', DCM, 'Image Library'), [container('CONTAINS', code('126200', DCM, 'Image Library Group'), library)]),
    container('CONTAINS', code('126010', DCM, 'Imaging Measurements'), [container('CONTAINS', code('125007', DCM, 'Measurement Group'), group)]),
  ];

  const ctRefs = source.instances.map((h) => ({ ReferencedSOPClassUID: h.sopClassUid, ReferencedSOPInstanceUID: h.sopInstanceUid }));
  const evidenceSeries: Record<string, unknown>[] = [{ SeriesInstanceUID: source.seriesInstanceUid, ReferencedSOPSequence: ctRefs }];
  if (input.segmentation)
    evidenceSeries.push({
      SeriesInstanceUID: input.segmentation.seriesInstanceUid,
      ReferencedSOPSequence: [{ ReferencedSOPClassUID: SOP_CLASS.Segmentation, ReferencedSOPInstanceUID: input.segmentation.sopInstanceUid }],
    });

  const dataset: Record<string, unknown> = {
    // SOP Common
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // Patient and General Study, copied from the source
    ...copiedPatientAndStudy(header, source.studyInstanceUid),
    // SR Document Series (PS3.3 C.17.1)
    Modality: 'SR',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: input.seriesNumber ?? 902,
    SeriesDescription: 'Hilum measurement report',
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment
    Manufacturer: 'Hilum',
    ManufacturerModelName: 'Hilum',
    SoftwareVersions: engineVersion(),
    // SR Document General (PS3.3 C.17.2)
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [{ StudyInstanceUID: source.studyInstanceUid, ReferencedSeriesSequence: evidenceSeries }],
    // SR Document Content (PS3.3 C.17.3): the root container of TID 1500
    ...container(null, code('126000', DCM, 'Imaging Measurement Report'), content),
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
  };
  writeDataset(filePath, dataset, TS.ExplicitLittle);
  return { sopInstanceUid, seriesInstanceUid };
}
