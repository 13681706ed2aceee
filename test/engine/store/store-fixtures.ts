// Builders shared by the store tests: a tiny sealed model bundle, a prediction record, and a complete case.
import { randomUUID } from 'node:crypto';
import { BUNDLE_FORMAT, sealBundle, serializeBundle, type UnsealedBundle } from '../../../electron/engine/signatures/bundle.js';
import { sha256Hex } from '../../../electron/engine/signatures/canonical-json.js';
import { PREDICTION_FORMAT, type PredictionRecord } from '../../../electron/engine/signatures/prediction-record.js';
import {
  addClinicalRecord,
  addFeatureSet,
  addSegmentation,
  addStudyWithSeries,
  createPatient,
  importBundle,
  recordDicomExport,
  savePrediction,
  type Db,
} from '../../../electron/engine/store/index.js';

/** A small but valid (sealed, verifiable) bundle text; `name` makes its hash differ. */
export function tinyBundleText(name = 'tiny'): string {
  const content = {
    format: BUNDLE_FORMAT,
    name,
    createdAt: '2025-01-02T03:04:05.000Z',
    synthetic: true,
    notice: 'SYNTHETIC test bundle',
    backbone: { onnxBase64: '', sha256: sha256Hex(new Uint8Array()) },
  } as unknown as UnsealedBundle;
  return serializeBundle(sealBundle(content));
}

export function predictionRecord(pseudonym: string, bundleSha256: string, maskSha256: string, probability: number | null = 0.42): PredictionRecord {
  return {
    format: PREDICTION_FORMAT,
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    engineVersion: '0.1.0',
    bundle: {
      name: 'tiny',
      contentSha256: bundleSha256,
      synthetic: true,
      notice: 'SYNTHETIC',
      backboneSha256: 'b'.repeat(64),
      createdAt: '2025-01-02T03:04:05.000Z',
    },
    provider: 'cpu',
    inputsSha256: sha256Hex(`inputs of ${pseudonym}`),
    case: { patientPseudonym: pseudonym, sliceThicknessMm: 1, pixelSpacingMm: [0.7, 0.7], dims: [512, 512, 200], contrast: 'yes', imageSource: '/data/ct' },
    segmentation: { method: 'click', maskSha256, volumeMl: 2.5, longestAxialDiameterMm: 18.2, solidDiameterMm: 12.1, ctr: 0.66 },
    clinical: [{ field: 'cea_ng_ml', label: 'CEA', value: 4.2, display: '4.2', unit: 'ng/mL', source: 'entered' }],
    signatures: [],
    result:
      probability === null
        ? null
        : {
            probability,
            interval95: [probability / 2, (probability + 1) / 2],
            category: probability > 0.3 ? 'high' : 'low',
            categoryCutoffs: [0.3],
            categoryNames: ['low', 'high'],
            threshold: 0.3,
            aboveThreshold: probability > 0.3,
          },
    nomogram: { axes: [], totalPoints: 0 },
    bag: [],
    warnings: probability === null ? [{ code: 'OUT_OF_RANGE', message: 'refused', severity: 'refusal' }] : [],
  };
}

/** Mask "file" bytes for tests (any bytes: the store keeps them verbatim). */
export function maskFile(seed: string): Uint8Array {
  return new Uint8Array(Buffer.from(`mask-file-of-${seed}-`.repeat(20)));
}

export interface SeededCase {
  patientId: string;
  seriesId: string;
  segmentationIds: string[];
  clinicalRecordIds: string[];
  predictionId: string;
  reportId: string;
  bundleSha256: string;
}

/** A complete case: patient, study + series, two segmentation versions, two clinical versions, a feature set, a prediction with its report and a DICOM export. */
export function seedCase(db: Db, pseudonym: string, bundleText = tinyBundleText(), actor = 'tester'): SeededCase {
  const bundle = importBundle(db, bundleText, actor);
  const patient = createPatient(db, { pseudonym, name: 'Doe^Jane', birthDate: '1960-05-04', sex: 'female', hospitalId: 'H-1' }, actor);
  const { series } = addStudyWithSeries(
    db,
    patient.id,
    { studyInstanceUid: `1.2.3.${pseudonym.length}`, studyDate: '2025-01-01', description: 'CT chest', accession: 'ACC1' },
    {
      seriesInstanceUid: '1.2.3.4.5',
      modality: 'CT',
      description: 'thorax 1 mm',
      sliceThicknessMm: 1,
      pixelSpacingMm: [0.7, 0.7],
      dims: [512, 512, 200],
      contrastAgent: 'Iomeron',
      manufacturer: 'ACME',
      imagePath: `/data/${pseudonym}/ct`,
      storage: 'referenced',
      imageSha256: sha256Hex(`image of ${pseudonym}`),
      metadata: { kvp: 120 },
    },
    actor,
  );
  const seg1 = addSegmentation(
    db,
    {
      seriesId: series.id,
      method: 'click',
      seed: [1, 2, 3],
      maskFormat: 'nifti',
      maskFile: maskFile(pseudonym + '1'),
      maskSha256: sha256Hex('v1'),
      measurements: { volumeMl: 2 },
    },
    actor,
  );
  const seg2 = addSegmentation(
    db,
    {
      seriesId: series.id,
      method: 'brush',
      maskFormat: 'nifti',
      maskFile: maskFile(pseudonym + '2'),
      maskSha256: sha256Hex('v2'),
      measurements: { volumeMl: 2.5 },
    },
    actor,
  );
  const c1 = addClinicalRecord(db, patient.id, { cea_ng_ml: 3.1, smoker: 'yes' }, actor);
  const c2 = addClinicalRecord(db, patient.id, { cea_ng_ml: 4.2, smoker: 'yes' }, actor);
  addFeatureSet(
    db,
    { segmentationId: seg2.id, settingsSha256: sha256Hex('settings'), kind: 'radiomics', features: { original_shape_Sphericity: 0.81, x: null } },
    actor,
  );
  const { prediction, report } = savePrediction(
    db,
    {
      patientId: patient.id,
      seriesId: series.id,
      segmentationId: seg2.id,
      clinicalRecordId: c2.id,
      record: predictionRecord(pseudonym, bundle.contentSha256, seg2.maskSha256),
      report: { filePath: `/reports/${pseudonym}.pdf`, fileSha256: sha256Hex('pdf'), language: 'en', paper: 'a4' },
    },
    actor,
  );
  recordDicomExport(
    db,
    report!.id,
    {
      kind: 'encapsulated-pdf',
      sopInstanceUid: `2.25.${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      filePath: '/dicom/r.dcm',
      fileSha256: sha256Hex('dcm'),
    },
    actor,
  );
  return {
    patientId: patient.id,
    seriesId: series.id,
    segmentationIds: [seg1.id, seg2.id],
    clinicalRecordIds: [c1.id, c2.id],
    predictionId: prediction.id,
    reportId: report!.id,
    bundleSha256: bundle.contentSha256,
  };
}
