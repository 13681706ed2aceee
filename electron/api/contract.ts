/**
 * The API contract between the renderer and the engine (docs/api.md): every method's request and
 * response as a zod schema, in ONE table. Both transports — Electron IPC (electron/app/ipc.ts) and
 * the loopback WebSocket host (electron/host/server.ts) — parse requests with it before a handler
 * runs. A response marked 'binary' is raw bytes (an ArrayBuffer), never JSON.
 *
 * Runtime imports here must stay free of 'electron'. The renderer imports this module for its
 * types only (`import type`), so the engine's clinical schema does not reach the browser bundle.
 */
import { z } from 'zod';
import { PacsNodeSchema } from '../engine/pacs/node.js';
import { clinicalFileSchema } from '../engine/signatures/clinical-input.js';

/** Bumped when a method changes incompatibly. */
export const API_VERSION = 1;

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const intVec3 = z.tuple([z.number().int(), z.number().int(), z.number().int()]);
const mat3 = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hexadecimal SHA-256 (64 characters)');
const id = z.string().min(1).max(200);
const filePath = z.string().min(1).max(4096);
/** Any JSON object (records the engine defines and the UI only displays). */
const jsonObject = z.record(z.string(), z.unknown());

/** A DICOM UID (PS3.5 9.1): digits and dots, at most 64 characters. */
const dicomUid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID')
  .max(64);
const pacsStudy = z.object({
  studyInstanceUid: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  studyDate: z.string(),
  studyDescription: z.string(),
  accessionNumber: z.string(),
  modalities: z.array(z.string()),
  seriesCount: z.number().int().nullable(),
  instanceCount: z.number().int().nullable(),
});
const pacsSeries = z.object({
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  modality: z.string(),
  seriesNumber: z.number().int().nullable(),
  seriesDescription: z.string(),
  instanceCount: z.number().int().nullable(),
});

export const findingSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  hint: z.string().optional(),
  data: jsonObject.optional(),
});

/** An error as it crosses the API (HilumError's code, message, hint and data; never a stack). */
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  data: jsonObject.optional(),
});
export type ApiErrorPayload = z.infer<typeof apiErrorSchema>;

const bundleInfo = z.object({
  name: z.string(),
  contentSha256: sha256,
  synthetic: z.boolean(),
  notice: z.string(),
  /** Where it comes from: the case store's active bundle, or the demonstration bundle shipped with Hilum. */
  source: z.enum(['store', 'shipped']),
});

const caseSummary = z.object({
  patientId: z.string(),
  pseudonym: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['imported', 'segmented', 'predicted', 'reported']),
  studies: z.number().int(),
  series: z.number().int(),
  segmentations: z.number().int(),
  clinicalRecords: z.number().int(),
  predictions: z.number().int(),
  reports: z.number().int(),
  latestPrediction: z.object({ id: z.string(), probability: z.number().nullable(), category: z.string().nullable(), createdAt: z.string() }).nullable(),
});

const caseRecord = z.object({
  patient: jsonObject,
  studies: z.array(jsonObject),
  series: z.array(jsonObject),
  /** Segmentation versions without their mask bytes (maskBytes says how large each is). */
  segmentations: z.array(jsonObject),
  clinicalRecords: z.array(jsonObject),
  featureSets: z.array(jsonObject),
  predictions: z.array(jsonObject),
  reports: z.array(jsonObject),
  dicomExports: z.array(jsonObject),
});

const bundleEntry = z.object({
  contentSha256: sha256,
  name: z.string(),
  synthetic: z.boolean(),
  createdAt: z.string(),
  importedAt: z.string(),
  status: z.enum(['imported', 'active', 'retired']),
});

const measurements = z.object({
  voxelCount: z.number().int(),
  volumeMl: z.number(),
  longestAxialDiameterMm: z.number(),
  longestAxialSlice: z.number().int(),
  solidDiameterMm: z.number(),
  ctr: z.number(),
  meanHu: z.number(),
  solidThresholdHu: z.number(),
});

/** Marks a method whose response is raw bytes. */
export const BINARY = 'binary' as const;

export interface MethodSpec {
  request: z.ZodType;
  response: z.ZodType | typeof BINARY;
}

const studyStatus = z.object({
  jobId: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  manifest: z.string(),
  out: z.string(),
  /** (bags → train, with in-study backbone training) → extract → fit → evaluate → report; null before the first progress report. */
  stage: z.enum(['bags', 'train', 'extract', 'fit', 'evaluate', 'report']).nullable(),
  /** During the train stage: the model being trained ('fold 2/3' or 'final'), its epoch and running loss; done/total count optimiser steps. */
  training: z.object({ model: z.string(), epoch: z.number().int(), epochs: z.number().int(), loss: z.number() }).nullable(),
  done: z.number().int(),
  total: z.number().int(),
  failed: z.number().int(),
  /** Patients whose features were already in the study folder (a resumed study). */
  cached: z.number().int().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: apiErrorSchema.nullable(),
});

const studyResults = z.object({
  out: z.string(),
  bundleFile: z.string(),
  name: z.string(),
  contentSha256: sha256,
  synthetic: z.boolean(),
  notice: z.string(),
  createdAt: z.string(),
  cohorts: z.record(z.string(), z.object({ patients: z.number().int(), events: z.number().int(), centres: z.array(z.string()) })),
  rows: z.array(
    z.object({
      signature: z.string(),
      split: z.string(),
      n: z.number().int(),
      events: z.number().int(),
      auc: z.number(),
      aucCi: z.tuple([z.number(), z.number()]),
      threshold: z.number(),
      accuracy: z.number(),
      sensitivity: z.number(),
      specificity: z.number(),
    }),
  ),
  delong: z.array(jsonObject),
  findings: z.array(findingSchema),
  plots: z.array(z.string()),
});

const pacsRetrieveRequest = z.strictObject({ node: PacsNodeSchema, studyInstanceUid: dicomUid, seriesInstanceUid: dicomUid.optional() });
const pacsRetrieved = z.object({ folder: z.string(), series: pacsSeries, instances: z.number().int(), bytes: z.number(), seconds: z.number() });
/** A background retrieve's ID (a UUID the engine chose). */
const pacsJobId = z.uuid();
const pacsRetrieveStatus = z.object({
  jobId: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** Instances on disk so far, and those the PACS announced (null until it says). */
  received: z.number().int().nonnegative(),
  expected: z.number().int().nonnegative().nullable(),
  bytes: z.number().nonnegative(),
  /** The finished retrieve (state done). */
  result: pacsRetrieved.nullable(),
  /** Why it failed (state failed; PACS_CANCELLED for cancelled). */
  error: apiErrorSchema.nullable(),
});

/** Every method of the API. Requests are strict objects: unknown keys are refused. */
export const API = {
  'app.info': {
    request: z.strictObject({}),
    response: z.object({
      apiVersion: z.number().int(),
      version: z.string(),
      engineVersion: z.string(),
      shell: z.enum(['electron', 'browser']),
      onnxProviders: z.array(z.string()),
      activeBundle: bundleInfo.nullable(),
      languages: z.array(z.enum(['en', 'zh-CN'])),
    }),
  },
  'cases.list': {
    request: z.strictObject({ search: z.string().max(200).optional() }),
    response: z.array(caseSummary),
  },
  'cases.get': {
    request: z.strictObject({ patientId: id }),
    response: caseRecord,
  },
  'images.scan': {
    request: z.strictObject({ path: filePath }),
    response: z.object({
      source: z.enum(['dicom', 'nifti', 'nrrd']),
      series: z.array(z.object({ id: z.string(), description: z.string(), dims: intVec3, findings: z.array(findingSchema) })),
      findings: z.array(findingSchema),
    }),
  },
  'images.open': {
    request: z.strictObject({ path: filePath, series: z.string().min(1).max(200).optional() }),
    response: z.object({
      volumeId: z.string(),
      source: z.enum(['dicom', 'nifti', 'nrrd']),
      dims: intVec3,
      spacingMm: vec3,
      originLps: vec3,
      direction: mat3,
      huRange: z.tuple([z.number(), z.number()]),
      findings: z.array(findingSchema),
    }),
  },
  'images.voxels': {
    request: z.strictObject({ volumeId: id }),
    response: BINARY,
  },
  'segment.click': {
    request: z.strictObject({
      volumeId: id,
      seedLps: vec3,
      /** A box (LPS mm, any two opposite corners) the mask must lie in: how a large mass against the chest wall or mediastinum is segmented. */
      boxLps: z.strictObject({ aLps: vec3, bLps: vec3 }).optional(),
    }),
    response: z.object({
      maskId: z.string(),
      measurements,
      findings: z.array(findingSchema),
      /** Inclusive voxel index bounds of the mask's voxels (null: empty): a viewer reads just this box (`segment.maskRegion`). */
      box: z.object({ min: intVec3, max: intVec3 }).nullable(),
    }),
  },
  'segment.mask': {
    request: z.strictObject({ maskId: id }),
    response: BINARY,
  },
  /** The mask's voxels in an inclusive index box only (Uint8, i fastest, then j, then k — as `segment.mask`): a viewer re-reads what an edit changed. */
  'segment.maskRegion': {
    request: z.strictObject({ maskId: id, min: intVec3, max: intVec3 }),
    response: BINARY,
  },
  /**
   * Touch-up of a mask: brush paint/erase (an axial disc or a sphere, optionally only within a HU
   * range) at one point (`centreLps`) or swept along a polyline (`pathLps`, a mouse drag), island
   * removal, undo, redo. `changedBox` bounds what the request changed (null: nothing).
   */
  'mask.edit': {
    request: z
      .strictObject({
        maskId: id,
        action: z.enum(['paint', 'erase', 'undo', 'redo', 'remove-islands']),
        centreLps: vec3.optional(),
        /** The brush swept along these points in order (the points of a drag): no gaps between them. */
        pathLps: z.array(vec3).min(1).max(1000).optional(),
        radiusMm: z.number().gt(0).max(30).optional(),
        shape: z.enum(['disc', 'sphere']).default('disc'),
        huRange: z.tuple([z.number(), z.number()]).optional(),
        /** Brush requests that carry the same stroke ID (one mouse drag) form ONE undo step. */
        stroke: z.string().min(1).max(100).optional(),
      })
      .refine((r) => r.centreLps === undefined || r.pathLps === undefined, {
        message: 'give either centreLps (one point) or pathLps (a polyline), not both',
        path: ['pathLps'],
      }),
    response: z.object({
      maskId: z.string(),
      changed: z.number().int(),
      canUndo: z.boolean(),
      canRedo: z.boolean(),
      measurements,
      /** Inclusive voxel index bounds of the voxels this request changed; null when none changed. */
      changedBox: z.object({ min: intVec3, max: intVec3 }).nullable(),
    }),
  },
  /** An empty mask on an open CT, to paint a nodule from nothing with the brush. */
  'mask.create': {
    request: z.strictObject({ volumeId: id }),
    response: z.object({ maskId: z.string(), measurements }),
  },
  /** A mask file (NIfTI, NRRD or DICOM-SEG) placed on an open CT (geometry checked, never silently fixed). */
  'mask.import': {
    request: z.strictObject({ volumeId: id, path: filePath, label: z.number().int().min(1).max(65535).optional() }),
    response: z.object({ maskId: z.string(), measurements, findings: z.array(findingSchema) }),
  },
  /** Writes a mask as NIfTI (.nii, .nii.gz), NRRD (.nrrd) or DICOM-SEG (.dcm; needs a DICOM source series); an existing file only with overwrite. */
  'mask.export': {
    request: z.strictObject({ maskId: id, path: filePath, overwrite: z.boolean().default(false) }),
    response: z.object({ file: z.string(), format: z.enum(['nifti', 'nrrd', 'dicom-seg']) }),
  },
  /** Unsaved form entries, kept by the engine as they are typed so a crash or reload loses nothing. */
  'drafts.save': {
    request: z.strictObject({ key: z.string().min(1).max(500), draft: jsonObject }),
    response: z.object({ savedAt: z.string() }),
  },
  'drafts.get': {
    request: z.strictObject({ key: z.string().min(1).max(500) }),
    response: z.object({ draft: jsonObject.nullable(), savedAt: z.string().nullable() }),
  },
  'demo.case': {
    request: z.strictObject({}),
    response: z.object({
      dir: z.string(),
      seriesDir: z.string(),
      maskPath: z.string(),
      clinicalPath: z.string(),
      noduleCentreLps: vec3,
      notice: z.string(),
      clinical: clinicalFileSchema,
    }),
  },
  'predict.run': {
    request: z
      .strictObject({
        image: filePath,
        series: z.string().min(1).max(200).optional(),
        seedLps: vec3.optional(),
        maskId: id.optional(),
        clinical: clinicalFileSchema,
        lang: z.enum(['en', 'zh-CN']).default('en'),
        paper: z.enum(['A4', 'Letter']).default('A4'),
      })
      .refine((r) => (r.seedLps === undefined) !== (r.maskId === undefined), { message: 'give either seedLps or maskId (not both)', path: ['seedLps'] }),
    response: z.object({
      record: jsonObject,
      report: z.object({ file: z.string(), sha256, pages: z.number().int(), reportId: z.string() }),
      stored: z.object({ patientId: z.string(), predictionId: z.string(), reportId: z.string().nullable() }).nullable(),
      bundleSource: z.string(),
      gpuNotice: z.string().nullable(),
      /** The bag's class-activation maps on the CT grid (log-odds per cell, ±maxAbs one scale; null outside the crop), for the MPR overlay. */
      camOverlay: z
        .object({
          notice: z.string(),
          method: z.enum(['cam', 'occlusion']),
          baselineHu: z.number().nullable(),
          maxAbs: z.number(),
          patches: z.array(
            z.object({
              axis: z.number().int(),
              index: z.number().int(),
              distanceMm: z.number(),
              usedOffset: z.number(),
              lo: vec3,
              hi: vec3,
              values: z.array(z.number().nullable()),
            }),
          ),
        })
        .nullable(),
      /** The report as DICOM Encapsulated PDF and the mask as DICOM-SEG, in the source study (DICOM sources only). */
      dicom: z.object({ reportFile: z.string(), segFile: z.string() }).nullable(),
      /** The TID 1500 measurement report (DICOM SR) staged beside them, for pacs.send (DICOM sources only). */
      dicomSr: z.string().nullable().default(null),
    }),
  },
  'report.pdf': {
    request: z.strictObject({ reportFile: filePath }),
    response: BINARY,
  },
  /** PACS (docs/pacs.md): the node travels with each request; DIMSE errors come back as PACS_* codes. */
  'pacs.echo': {
    request: z.strictObject({ node: PacsNodeSchema }),
    response: z.object({ status: z.number().int(), roundTripMs: z.number() }),
  },
  'pacs.find': {
    request: z.strictObject({
      node: PacsNodeSchema,
      query: z.strictObject({
        patientId: z.string().max(64).optional(),
        patientName: z.string().max(64).optional(),
        studyDate: z.string().max(17).optional(),
        modality: z.string().max(16).optional(),
        accessionNumber: z.string().max(16).optional(),
      }),
    }),
    response: z.object({ studies: z.array(pacsStudy) }),
  },
  'pacs.series': {
    request: z.strictObject({ node: PacsNodeSchema, studyInstanceUid: dicomUid }),
    response: z.object({ series: z.array(pacsSeries) }),
  },
  /** Retrieves a CT series (C-GET) into <data>/pacs/<SeriesInstanceUID>; open it with images.open. */
  'pacs.retrieve': {
    request: pacsRetrieveRequest,
    response: pacsRetrieved,
  },
  /** The same retrieve in the background, for a progress bar and a Cancel button: poll pacs.retrieveStatus. */
  'pacs.retrieveStart': {
    request: pacsRetrieveRequest,
    response: z.object({ jobId: z.string() }),
  },
  'pacs.retrieveStatus': {
    request: z.strictObject({ jobId: pacsJobId }),
    response: pacsRetrieveStatus,
  },
  /** Cancels a background retrieve (A-ABORT): answers once it has stopped and its partial folder is gone. */
  'pacs.retrieveCancel': {
    request: z.strictObject({ jobId: pacsJobId }),
    response: pacsRetrieveStatus,
  },
  /** Sends DICOM objects predict.run staged (C-STORE); every answer goes into the audit log. */
  'pacs.send': {
    request: z.strictObject({ node: PacsNodeSchema, files: z.array(filePath).min(1).max(16) }),
    response: z.object({
      results: z.array(
        z.object({
          file: z.string(),
          sopInstanceUid: z.string(),
          sopClassUid: z.string(),
          status: z.number().int().nullable(),
          stored: z.boolean(),
          attempts: z.number().int(),
        }),
      ),
    }),
  },
  /** Copies a prediction's DICOM objects (Encapsulated PDF + SEG, as predict.run returned them) into a folder for PACS import. */
  'report.dicom': {
    request: z.strictObject({ reportFile: filePath, segFile: filePath, out: filePath }),
    response: z.object({ files: z.array(z.string()) }),
  },
  /**
   * Starts a cohort study (the research workflow, as `hilum study`) in the background. Features of
   * patients already extracted into `out` are reused, so starting again after a cancel resumes.
   */
  'study.start': {
    request: z.strictObject({
      manifest: filePath,
      out: filePath,
      protocol: filePath.optional(),
      jobs: z.number().int().min(1).max(32).default(2),
    }),
    response: z.object({ jobId: z.string() }),
  },
  'study.status': {
    request: z.strictObject({ jobId: id }),
    response: studyStatus,
  },
  /** Stops a running study; finished patients stay cached in the study folder. */
  'study.cancel': {
    request: z.strictObject({ jobId: id }),
    response: studyStatus,
  },
  /** A finished study's results, read from its folder: the table, DeLong tests, findings, plots and its (sealed) bundle. */
  'study.results': {
    request: z.strictObject({ out: filePath }),
    response: studyResults,
  },
  /** One of a study's plots (SVG text): ROC, calibration and decision curves per cohort, the nomogram. */
  'study.plot': {
    request: z.strictObject({ out: filePath, name: z.string().regex(/^[A-Za-z0-9._-]+\.svg$/, 'a plot file name ending in .svg') }),
    response: z.string(),
  },
  /**
   * "Try it on a synthetic cohort": writes a small phantom cohort (56 generated patients of two
   * centres, not people) with a light study protocol into `folder` (cohort/, protocol.yaml) and
   * returns the paths a study starts from (study/ is its study folder). An existing cohort there is reused.
   */
  'study.synthetic': {
    request: z.strictObject({ folder: filePath }),
    response: z.object({ manifest: z.string(), protocol: z.string(), out: z.string(), patients: z.number().int(), reused: z.boolean() }),
  },
  /** Locks a study's bundle for bedside use: registers it in the store (hash verified) and, by default, activates it. */
  'study.lock': {
    request: z.strictObject({ out: filePath, activate: z.boolean().default(true) }),
    response: bundleEntry,
  },
  /**
   * Recalibrates a finished study's bundle on a site's own cohort manifest (as `hilum recalibrate
   * --manifest`): the site's patients are scored with the bundle (features cached in the study
   * folder), the combined model is recalibrated, and the new bundle, naming its parent, is written to
   * <out>/recalibrated/ with calibration.csv and calibration.svg, registered in the store and, when
   * asked, activated.
   */
  'study.recalibrate': {
    request: z.strictObject({
      out: filePath,
      manifest: filePath,
      method: z.enum(['intercept', 'intercept-slope']).default('intercept-slope'),
      activate: z.boolean().default(false),
      jobs: z.number().int().min(1).max(32).default(2),
    }),
    response: z.object({
      bundleFile: z.string(),
      calibrationSvg: z.string(),
      entry: bundleEntry,
      parentSha256: sha256,
      method: z.enum(['intercept', 'intercept-slope']),
      intercept: z.number(),
      slope: z.number(),
      cohort: z.object({ patients: z.number().int(), events: z.number().int() }),
      before: z.object({ meanPredicted: z.number(), observedRate: z.number(), slope: z.number(), interceptInTheLarge: z.number() }),
      after: z.object({ meanPredicted: z.number(), observedRate: z.number(), slope: z.number(), interceptInTheLarge: z.number() }),
    }),
  },
  'bundles.list': {
    request: z.strictObject({}),
    response: z.array(bundleEntry),
  },
  'bundles.activate': {
    request: z.strictObject({ contentSha256: sha256 }),
    response: bundleEntry,
  },
  /** Registers a model bundle file (its content hash and backbone hash verified; a changed file is refused). */
  'bundles.import': {
    request: z.strictObject({ path: filePath }),
    response: bundleEntry,
  },
  /**
   * Checks clinical data against the bundle in use without predicting (the form's inline validation
   * uses the engine's own rules): the values as the model takes them, or the field-specific error.
   */
  'clinical.check': {
    request: z.strictObject({
      clinical: clinicalFileSchema,
      measured: z.strictObject({ diameter_mm: z.number(), solid_diameter_mm: z.number(), ctr: z.number() }).nullable().default(null),
    }),
    response: z.object({
      values: z.record(z.string(), z.union([z.number(), z.string()])),
      warnings: z.array(z.object({ code: z.string(), message: z.string(), severity: z.enum(['warning', 'refusal']) })),
    }),
  },
  /** The clinical form of the bundle bedside predictions use: its variables with units and ranges, and which ones the segmentation measures. */
  'bundles.schema': {
    request: z.strictObject({}),
    response: z.object({
      contentSha256: sha256,
      name: z.string(),
      synthetic: z.boolean(),
      notice: z.string(),
      missing: z.enum(['reject', 'impute']),
      variables: z.array(
        z.object({
          column: z.string(),
          kind: z.enum(['numeric', 'binary', 'categorical']),
          label: z.string(),
          unit: z.string().optional(),
          range: z.tuple([z.number(), z.number()]).optional(),
          levels: z.array(z.string()).optional(),
          positive: z.string().optional(),
          /** Filled from the segmentation when not typed (tumour diameter, CTR). */
          measured: z.boolean(),
        }),
      ),
      riskCategories: z.object({ cutoffs: z.array(z.number()), names: z.array(z.string()) }),
      /** The nomogram's axes (values and their points), so a screen can explain an axis whose sign runs against the clinical expectation. */
      nomogramAxes: z.array(z.object({ name: z.string(), label: z.string(), values: z.array(z.number()), points: z.array(z.number()) })).optional(),
    }),
  },
} as const satisfies Record<string, MethodSpec>;

export type ApiTable = typeof API;
export type ApiMethod = keyof ApiTable;
export const API_METHODS = Object.keys(API) as ApiMethod[];

export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(API, method);
}

/** What a caller sends (defaults may be left out). */
export type ApiRequest<M extends ApiMethod> = z.input<ApiTable[M]['request']>;
/** What a handler receives: the request after parsing (defaults filled in). */
export type ApiParams<M extends ApiMethod> = z.output<ApiTable[M]['request']>;
/** What a caller gets: the parsed JSON response, or an ArrayBuffer for a binary method. */
export type ApiResponse<M extends ApiMethod> = ApiTable[M]['response'] extends z.ZodType ? z.output<ApiTable[M]['response']> : ArrayBuffer;
/** Methods answered with bytes. */
export type BinaryMethod = { [M in ApiMethod]: ApiTable[M]['response'] extends typeof BINARY ? M : never }[ApiMethod];

export function isBinaryMethod(method: ApiMethod): boolean {
  return API[method].response === BINARY;
}

/** A request as it travels: an id chosen by the caller (echoed in the answer), the method and its params. */
export interface ApiRequestMessage<M extends ApiMethod = ApiMethod> {
  id: string | number;
  method: M;
  params: ApiRequest<M>;
}

/** The answer to one request: a result (JSON, or an ArrayBuffer when `binary`), or an error. */
export type ApiResponseMessage =
  | { id: string | number | null; result: unknown; binary?: false }
  | { id: string | number | null; result: ArrayBuffer; binary: true }
  | { id: string | number | null; error: ApiErrorPayload };

/** The JSON frame that announces a binary frame on the WebSocket transport (docs/api.md). */
export interface BinaryHeaderFrame {
  id: string | number;
  binary: true;
  byteLength: number;
}
