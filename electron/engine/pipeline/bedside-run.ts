/**
 * The whole bedside run behind `hilum predict` and the workstation's Predict button: check the
 * clinical data, choose and verify the model bundle, predict (bedside.ts), render the PDF report in
 * memory, then write: the PDF (atomically), and — when a case store is given — patient, study,
 * series, segmentation version, clinical record version, feature sets, the prediction and its
 * report row in ONE transaction; finally the DICOM outputs for PACS. Every failure before the
 * writes leaves nothing behind; a store failure removes the PDF again.
 */
import { writeFileAtomically } from '../core/atomic-write.js';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { shippedDataRoot } from '../core/version.js';
import { exportForPacs, type PacsExportInput, type PacsExportResult } from '../imaging/dicom/pacs-export.js';
import { encodeNifti } from '../imaging/nifti.js';
import type { Vec3 } from '../imaging/vec.js';
import type { LabelMap } from '../imaging/volume.js';
import { cacheDirectory } from '../phantom/demo-case.js';
import { renderKeyImages } from '../report/key-images.js';
import { type PaperSize, renderPatientReportWithInfo } from '../report/patient-report.js';
import type { ReportLang } from '../report/report-strings.js';
import { type ModelBundle, readBundle } from '../signatures/bundle.js';
import { canonicalJson, sha256Hex } from '../signatures/canonical-json.js';
import { type ClinicalFile, readClinicalFile } from '../signatures/clinical-input.js';
import type { MaskOrigin, PredictionRecord } from '../signatures/prediction-record.js';
import * as store from '../store/index.js';
import { type BedsideOutcome, type BedsideStep, predictCase } from './bedside.js';
import { type CamOverlay, camOverlayOf } from './explanation.js';

export const DEMO_BUNDLE_FILE = () => path.join(shippedDataRoot(), 'models', 'hilum-demo.bundle.json');

export interface BedsideRunOptions {
  image: string;
  series?: string;
  mask?: string;
  seedLps?: Vec3;
  /** How the workstation made the given mask (click, import, painted; edited or not). */
  maskOrigin?: MaskOrigin;
  /** A `hilum-clinical/1` file, or its parsed content. */
  clinical: string | ClinicalFile;
  /** Bundle file; default: the store's active bundle, else the shipped demonstration bundle. */
  bundleFile?: string;
  /** Case store (SQLite file); without it nothing is stored. */
  db?: string;
  /**
   * With a store: `referenced` (default) records where the images are; `managed` copies them into
   * `hilum-images/` beside the store first (for CD/PACS exports that will not stay).
   */
  imageStorage?: 'referenced' | 'managed';
  reportFile: string;
  lang?: ReportLang;
  paper?: PaperSize;
  /** Folder for the DICOM Encapsulated PDF and DICOM-SEG (needs a DICOM source series). */
  dicomOut?: string;
  /** Also write the TID 1500 measurement report (DICOM SR) into `dicomOut`. */
  structuredReport?: boolean;
  actor?: string;
  onStep?: (step: BedsideStep | 'report' | 'store' | 'dicom', seconds: number) => void;
}

export interface BedsideRunResult {
  record: PredictionRecord;
  bundleSource: string;
  report: { file: string; sha256: string; pages: number; bytes: number; reportId: string };
  stored: { db: string; patientId: string; predictionId: string; reportId: string | null } | null;
  dicom: PacsExportResult | null;
  timings: Record<string, number>;
  /** The nodule mask the prediction used (on the CT grid). */
  mask: LabelMap;
  /** Why a GPU was not used, when one was tried (the provider itself is in the record). */
  gpuNotice: string | null;
  /** The bag's class-activation maps on the CT grid, for the viewer's overlay (null without maps). */
  camOverlay: CamOverlay | null;
}

/**
 * The bundle to use and where it came from: the given file (refused when its content does not match
 * its hash), else the case store's active bundle (re-verified on read), else the shipped demonstration
 * bundle. The store is only read here, and not created.
 */
function chooseBundle(options: BedsideRunOptions): { bundle: ModelBundle; source: string } {
  if (options.bundleFile) return { bundle: readBundle(options.bundleFile), source: options.bundleFile };
  if (options.db && existsSync(options.db)) {
    const db = store.openDatabase(options.db, { readonly: true });
    try {
      const active = store.getActiveBundle(db);
      if (active) return { bundle: active, source: `active bundle of ${options.db}` };
    } finally {
      store.closeDatabase(db);
    }
  }
  return { bundle: readBundle(DEMO_BUNDLE_FILE()), source: DEMO_BUNDLE_FILE() };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Copies the case's images into the store's managed folder: `hilum-images/<key>/<name>` beside
 * the store file, the key hashing the patient, series UID, source name and size (one folder per
 * series, so a repeated prediction reuses it). Written to a temporary name and renamed, so a failed copy leaves nothing.
 */
function copyIntoManagedFolder(dbFile: string, record: PredictionRecord, image: string): string {
  const root = path.join(path.dirname(path.resolve(dbFile)), 'hilum-images');
  const c = record.case;
  const key = sha256Hex(canonicalJson({ patient: c.patientPseudonym, series: c.seriesInstanceUid ?? null, source: c.imageSource, dims: c.dims })).slice(0, 16);
  const dest = path.join(root, key, path.basename(path.resolve(image)));
  if (existsSync(dest)) return dest;
  const partial = `${path.dirname(dest)}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  cpSync(path.resolve(image), path.join(partial, path.basename(dest)), { recursive: true });
  mkdirSync(root, { recursive: true });
  renameSync(partial, path.dirname(dest));
  return dest;
}

/** What the TID 1500 report carries of a prediction: the nodule's measurements, the risk, the bundle. */
function measurementsOf(record: PredictionRecord): NonNullable<PacsExportInput['measurements']> {
  const seg = record.segmentation;
  const r = record.result;
  return {
    nodule: { volumeMm3: seg.volumeMl * 1000, longestDiameterMm: seg.longestAxialDiameterMm, ctr: seg.ctr },
    ...(r ? { risk: { probability: r.probability, lower: r.interval95[0], upper: r.interval95[1], level: 0.95, category: r.category } } : {}),
    bundle: { name: record.bundle.name, sha256: record.bundle.contentSha256 },
  };
}

/** Stores one bedside outcome: every row in one transaction. */
function storeOutcome(
  db: store.Db,
  bundle: ModelBundle,
  outcome: BedsideOutcome,
  clinical: ClinicalFile,
  opts: BedsideRunOptions,
  report: store.ReportInput,
  actor: string,
  storedImage: { path: string; storage: 'referenced' | 'managed' },
) {
  const { record } = outcome;
  return store.writeTransaction(db, () => {
    store.importBundle(db, bundle, actor, `bundle ${bundle.name}`);
    const patient = store.findOrCreatePatient(
      db,
      {
        pseudonym: record.case.patientPseudonym,
        name: clinical.patient.name ?? null,
        birthDate: clinical.patient.birthDate ?? null,
        hospitalId: clinical.patient.hospitalId ?? null,
      },
      actor,
    );
    const imagePath = storedImage.path;
    const known = store
      .listSeriesOfPatient(db, patient.id)
      .find((x) => x.imagePath === imagePath && (x.seriesInstanceUid ?? null) === (record.case.seriesInstanceUid ?? null));
    const series =
      known ??
      store.addStudyWithSeries(
        db,
        patient.id,
        { studyInstanceUid: record.case.studyInstanceUid ?? null, studyDate: record.case.studyDate ?? null, description: null, accession: null },
        {
          seriesInstanceUid: record.case.seriesInstanceUid ?? null,
          modality: record.case.modality ?? null,
          description: record.case.seriesDescription ?? null,
          sliceThicknessMm: record.case.sliceThicknessMm,
          pixelSpacingMm: record.case.pixelSpacingMm,
          dims: record.case.dims,
          contrastAgent: record.case.contrastAgent ?? null,
          manufacturer: record.case.manufacturer ?? null,
          imagePath,
          storage: storedImage.storage,
        },
        actor,
      ).series;
    // Unchanged inputs reuse their rows (a repeated prediction adds a prediction, not copies of its inputs).
    const latestMask = store.latestSegmentation(db, series.id);
    const segmentation =
      latestMask?.maskSha256 === record.segmentation.maskSha256 && latestMask.method === record.segmentation.method
        ? latestMask
        : store.addSegmentation(
            db,
            {
              seriesId: series.id,
              method: record.segmentation.method,
              maskFormat: 'nifti-gz',
              maskFile: encodeNifti(outcome.mask, { gzip: true, description: 'Hilum nodule mask' }),
              maskSha256: record.segmentation.maskSha256,
              seed: record.segmentation.seedLps ?? null,
              maskPath: opts.mask ? path.resolve(opts.mask) : null,
              measurements: {
                volumeMl: record.segmentation.volumeMl,
                longestAxialDiameterMm: record.segmentation.longestAxialDiameterMm,
                solidDiameterMm: record.segmentation.solidDiameterMm,
                ctr: record.segmentation.ctr,
              },
            },
            actor,
          );
    const clinicalValues = { ...outcome.clinicalValues, ...Object.fromEntries(record.clinical.map((c) => [`${c.field}.source`, c.source])) };
    const latestClinical = store.latestClinicalRecord(db, patient.id);
    const clinicalRecord =
      latestClinical && canonicalJson(latestClinical.values) === canonicalJson(clinicalValues)
        ? latestClinical
        : store.addClinicalRecord(db, patient.id, clinicalValues, actor, clinical.author ?? actor);
    if (Object.keys(outcome.features.radiomics).length && !store.findFeatureSet(db, segmentation.id, 'radiomics', outcome.features.radiomicsKey))
      store.addFeatureSet(
        db,
        { segmentationId: segmentation.id, settingsSha256: outcome.features.radiomicsKey, kind: 'radiomics', features: outcome.features.radiomics },
        actor,
      );
    if (!store.findFeatureSet(db, segmentation.id, 'deep', outcome.features.deepKey))
      store.addFeatureSet(
        db,
        { segmentationId: segmentation.id, settingsSha256: outcome.features.deepKey, kind: 'deep', features: outcome.features.deep },
        actor,
      );
    const saved = store.savePrediction(
      db,
      { patientId: patient.id, seriesId: series.id, segmentationId: segmentation.id, clinicalRecordId: clinicalRecord.id, record, report },
      actor,
    );
    return { patientId: patient.id, predictionId: saved.prediction.id, reportId: saved.report?.id ?? null };
  });
}

export async function runBedside(options: BedsideRunOptions): Promise<BedsideRunResult> {
  const actor = options.actor ?? process.env.USER ?? 'hilum';
  const clinical = typeof options.clinical === 'string' ? readClinicalFile(options.clinical) : options.clinical;
  const { bundle, source } = chooseBundle(options);
  // The store is opened (and created) only once there is something to store.
  let db: store.Db | null = null;
  try {
    const timings: Record<string, number> = {};
    const onStep = (step: BedsideStep, seconds: number) => {
      timings[step] = seconds;
      options.onStep?.(step, seconds);
    };
    const outcome = await predictCase({
      image: options.image,
      series: options.series,
      mask: options.mask,
      seedLps: options.seedLps,
      maskOrigin: options.maskOrigin,
      clinical,
      bundle,
      modelCache: path.join(cacheDirectory(), 'models'),
      onStep,
    });
    if (options.dicomOut && !outcome.series)
      throw new HilumError({
        code: 'DICOM_SOURCE_REQUIRED',
        message: 'DICOM outputs reference the source study, so the image must be a DICOM series (not NIfTI/NRRD)',
        hint: 'Leave out --dicom-out, or predict on the DICOM folder.',
      });
    let t = performance.now();
    const images = renderKeyImages(outcome.ct, outcome.mask, outcome.bag, { bagConfig: bundle.backbone.card.bagConfig, cam: outcome.record.explanation?.cam });
    const reportId = `R-${outcome.record.id.slice(0, 8).toUpperCase()}`;
    const lang = options.lang ?? 'en';
    const paper = options.paper ?? 'A4';
    const pdf = renderPatientReportWithInfo({ record: outcome.record, bundle, images, lang, paper, reportId });
    timings.report = (performance.now() - t) / 1000;
    options.onStep?.('report', timings.report);

    t = performance.now();
    writeFileAtomically(options.reportFile, pdf.buffer);
    const pdfSha256 = sha256(pdf.buffer);
    let stored: BedsideRunResult['stored'] = null;
    if (options.db) {
      let copied: string | null = null;
      try {
        let storedImage = { path: path.resolve(options.image), storage: 'referenced' as 'referenced' | 'managed' };
        if (options.imageStorage === 'managed') {
          copied = copyIntoManagedFolder(options.db, outcome.record, options.image);
          storedImage = { path: copied, storage: 'managed' };
        }
        db = store.openDatabase(options.db, { actor });
        const ids = storeOutcome(
          db,
          bundle,
          outcome,
          clinical,
          options,
          { filePath: path.resolve(options.reportFile), fileSha256: pdfSha256, language: lang, paper },
          actor,
          storedImage,
        );
        stored = { db: options.db!, ...ids };
      } catch (error) {
        rmSync(options.reportFile, { force: true });
        if (copied) rmSync(copied, { recursive: true, force: true });
        throw error;
      }
    }
    timings.store = (performance.now() - t) / 1000;
    options.onStep?.('store', timings.store);

    let dicom: PacsExportResult | null = null;
    if (options.dicomOut && outcome.series) {
      t = performance.now();
      dicom = exportForPacs(options.dicomOut, {
        pdf: pdf.buffer,
        mask: outcome.mask,
        series: outcome.series,
        documentTitle: `Hilum OLNM risk report ${reportId}${bundle.synthetic ? ' (SYNTHETIC DEMONSTRATION MODEL)' : ''}`,
        segmentLabel: 'Lung nodule',
        algorithmName: `Hilum ${outcome.record.segmentation.method === 'click' ? 'click-to-segment' : 'imported mask'}`,
        algorithmType: outcome.record.segmentation.method === 'click' ? 'SEMIAUTOMATIC' : 'MANUAL',
        contentCreator: actor,
        ...(options.structuredReport ? { measurements: measurementsOf(outcome.record) } : {}),
      });
      if (db && stored?.reportId) {
        store.recordDicomExport(
          db,
          stored.reportId,
          {
            kind: 'encapsulated-pdf',
            sopInstanceUid: dicom.sopInstanceUids.report,
            filePath: path.resolve(dicom.reportFile),
            fileSha256: sha256(readFileSync(dicom.reportFile)),
          },
          actor,
        );
        store.recordDicomExport(
          db,
          stored.reportId,
          {
            kind: 'segmentation',
            sopInstanceUid: dicom.sopInstanceUids.seg,
            filePath: path.resolve(dicom.segFile),
            fileSha256: sha256(readFileSync(dicom.segFile)),
          },
          actor,
        );
      }
      if (db && stored?.reportId && dicom.srFile && dicom.sopInstanceUids.sr)
        store.recordDicomExport(
          db,
          stored.reportId,
          {
            kind: 'structured-report',
            sopInstanceUid: dicom.sopInstanceUids.sr,
            filePath: path.resolve(dicom.srFile),
            fileSha256: sha256(readFileSync(dicom.srFile)),
          },
          actor,
        );
      timings.dicom = (performance.now() - t) / 1000;
      options.onStep?.('dicom', timings.dicom);
    }
    return {
      record: outcome.record,
      camOverlay: camOverlayOf(outcome.record.explanation, bundle.backbone.card.bagConfig, outcome.ct),
      bundleSource: source,
      report: { file: options.reportFile, sha256: pdfSha256, pages: pdf.pages, bytes: pdf.buffer.length, reportId },
      stored,
      dicom,
      timings,
      mask: outcome.mask,
      gpuNotice: outcome.gpuNotice,
    };
  } finally {
    if (db) store.closeDatabase(db);
  }
}
