/**
 * The implementation of every API method (electron/api/contract.ts) on top of the engine. One table
 * serves both transports: Electron IPC makes one for the app, the loopback host one per connection.
 * A table keeps the images and masks its caller opened in memory (the two most recent volumes, the
 * four most recent masks), keyed by random ids; everything else lives in the case store at
 * `ctx.dbFile` and the reports folder `<dataDir>/reports`.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../engine/core/errors.js';
import { engineVersion } from '../engine/core/version.js';
import { describeSeriesLine, scanDicom } from '../engine/imaging/dicom/import.js';
import { imageFileFormat, readImageFile, writeImageFile } from '../engine/imaging/image-files.js';
import { loadVolume } from '../engine/imaging/load.js';
import { type LabelMap, type Volume, cropToBox } from '../engine/imaging/volume.js';
import type { Vec3 } from '../engine/imaging/vec.js';
import { demoClinicalInput, ensureDemoCase } from '../engine/phantom/demo-case.js';
import { DEMO_BUNDLE_FILE, runBedside } from '../engine/pipeline/bedside-run.js';
import { maskBox, segmentNodule } from '../engine/segmentation/index.js';
import { readBundle } from '../engine/signatures/bundle.js';
import { MEASURED_FIELDS, checkClinicalInput, parseClinicalFile } from '../engine/signatures/clinical-input.js';
import type { MaskOrigin } from '../engine/signatures/prediction-record.js';
import * as store from '../engine/store/index.js';
import { API_VERSION } from './contract.js';
import { type OpenMask, type OpenVolume, editHandlers } from './edit-handlers.js';
import { StudyJobs, studyHandlers } from './study-handlers.js';
import { PacsRetrieves, pacsHandlers } from './pacs-handlers.js';
import type { ApiLogEntry, HandlerTable, Handlers } from './dispatch.js';

export interface HandlerContext {
  /** Folder for the reports (`reports/`) and temporary files (`tmp/`). */
  dataDir: string;
  /** The case store (SQLite file); created on first write. */
  dbFile: string;
  log: (entry: ApiLogEntry) => void;
  /** Which shell serves the API (default 'browser'). */
  shell?: 'electron' | 'browser';
  /** Validate responses against their schemas (development and tests). */
  checkResponses?: boolean;
  /** Background cohort studies, shared by the tables of one host (a table of its own without it). */
  studies?: StudyJobs;
}

/** A small least-recently-used map. */
class Lru<V> {
  private readonly items = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const value = this.items.get(key);
    if (value !== undefined) {
      this.items.delete(key);
      this.items.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.items.delete(key);
    this.items.set(key, value);
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value as string);
  }
  clear(): void {
    this.items.clear();
  }
}

/** A fresh ArrayBuffer holding exactly these bytes (never a SharedArrayBuffer or a view on a larger buffer). */
function ownBuffer(view: ArrayBufferView): ArrayBuffer {
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy.buffer;
}

/** The CT voxels as Int16 HU (Float32 volumes are rounded and clamped; CT HU fit in 16 bits). */
function int16Voxels(volume: Volume): Int16Array {
  if (volume.voxels instanceof Int16Array) return volume.voxels;
  const out = new Int16Array(volume.voxels.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(volume.voxels[i])));
  return out;
}

function huRange(volume: Volume): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  const v = volume.voxels;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  return v.length ? [min, max] : [0, 0];
}

function requireExisting(p: string): void {
  if (!existsSync(p))
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${p} does not exist`, hint: 'Choose an existing folder or file.', data: { path: p } });
}

function fileExists(file: string): HilumError {
  return new HilumError({
    code: 'FILE_EXISTS',
    message: `${file} exists`,
    hint: 'Choose an empty folder, or remove the earlier export first.',
    data: { path: file },
  });
}

/**
 * Copies `source` to `dest` without ever replacing an existing file: a temporary copy beside `dest`,
 * then a hard link (which fails if `dest` appeared meanwhile) or, where the file system has no hard
 * links (FAT, some network shares), a rename after a last check. `dest` is complete or absent.
 */
function copyWithoutOverwrite(source: string, dest: string): void {
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomUUID().slice(0, 8)}.tmp`);
  copyFileSync(source, tmp, fsConstants.COPYFILE_EXCL);
  try {
    try {
      linkSync(tmp, dest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || existsSync(dest)) throw fileExists(dest);
      renameSync(tmp, dest);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function createHandlerTable(ctx: HandlerContext): HandlerTable {
  const volumes = new Lru<OpenVolume>(2);
  const masks = new Lru<OpenMask>(4);
  const reportsDir = path.join(ctx.dataDir, 'reports');
  const tmpDir = path.join(ctx.dataDir, 'tmp');
  const studies = ctx.studies ?? new StudyJobs();
  const retrieves = new PacsRetrieves();
  /** Where predict.run stages the DICOM objects of each prediction (one folder per report). */
  const dicomDir = path.join(ctx.dataDir, 'dicom');
  let shipped: { name: string; contentSha256: string; synthetic: boolean; notice: string } | null | undefined;

  function withStore<T>(body: (db: store.Db) => T, readonly = false): T {
    const db = store.openDatabase(ctx.dbFile, { readonly });
    try {
      return body(db);
    } finally {
      store.closeDatabase(db);
    }
  }

  async function withStoreAsync<T>(body: (db: store.Db) => Promise<T>): Promise<T> {
    const db = store.openDatabase(ctx.dbFile);
    try {
      return await body(db);
    } finally {
      store.closeDatabase(db);
    }
  }

  function volumeOf(volumeId: string) {
    const entry = volumes.get(volumeId);
    if (!entry)
      throw new HilumError({
        code: 'VOLUME_NOT_OPEN',
        message: 'this image is no longer open (only the two most recent images are kept in memory)',
        hint: 'Open the image again.',
        data: { volumeId },
      });
    return entry;
  }

  function maskOf(maskId: string) {
    const entry = masks.get(maskId);
    if (!entry)
      throw new HilumError({
        code: 'MASK_NOT_FOUND',
        message: 'this segmentation is no longer in memory',
        hint: 'Segment the nodule again.',
        data: { maskId },
      });
    return entry;
  }

  function shippedBundle() {
    if (shipped === undefined) {
      try {
        const b = readBundle(DEMO_BUNDLE_FILE());
        shipped = { name: b.name, contentSha256: b.contentSha256, synthetic: b.synthetic, notice: b.notice };
      } catch {
        shipped = null;
      }
    }
    return shipped;
  }

  async function onnxProviders(): Promise<string[]> {
    try {
      const ort = await import('onnxruntime-node');
      return ort.listSupportedBackends().map((b) => b.name);
    } catch {
      return [];
    }
  }

  /** The bundle bedside predictions use: the store's active one, else the shipped demonstration bundle. */
  function bundleInUse() {
    const active = existsSync(ctx.dbFile) ? withStore((db) => store.getActiveBundle(db), true) : undefined;
    return active ?? readBundle(DEMO_BUNDLE_FILE());
  }

  function newMask(mask: LabelMap, volumeId: string, origin: Pick<OpenMask, 'origin' | 'seedLps'>): string {
    const maskId = randomUUID();
    masks.set(maskId, { mask, volumeId, ...origin });
    return maskId;
  }

  const handlers: Handlers = {
    ...editHandlers({ dataDir: ctx.dataDir, volumeOf, maskOf, newMask }),
    ...studyHandlers({ withStore, jobs: studies }),
    ...pacsHandlers({ pacsDir: path.join(ctx.dataDir, 'pacs'), dicomDir, withStore, withStoreAsync, retrieves }),

    async 'app.info'() {
      const active = existsSync(ctx.dbFile) ? withStore((db) => store.getActiveBundle(db), true) : undefined;
      const fallback = shippedBundle();
      return {
        apiVersion: API_VERSION,
        version: engineVersion(),
        engineVersion: engineVersion(),
        shell: ctx.shell ?? 'browser',
        onnxProviders: await onnxProviders(),
        activeBundle: active
          ? { name: active.name, contentSha256: active.contentSha256, synthetic: active.synthetic, notice: active.notice, source: 'store' as const }
          : fallback
            ? { ...fallback, source: 'shipped' as const }
            : null,
        languages: ['en' as const, 'zh-CN' as const],
      };
    },

    async 'cases.list'({ search }) {
      if (!existsSync(ctx.dbFile)) return [];
      return withStore((db) => store.listCases(db, { search }), true);
    },

    async 'cases.get'({ patientId }) {
      const record = withStore((db) => store.readCase(db, patientId, { withMasks: false }), true);
      // Mask bytes never cross as JSON (the store leaves them out without withMasks; this makes sure).
      const segmentations = record.segmentations.map((s) => {
        const copy: Record<string, unknown> = { ...s };
        delete copy.mask;
        return copy;
      });
      type Json = Record<string, unknown>;
      return JSON.parse(JSON.stringify({ ...record, segmentations })) as { patient: Json } & Record<
        'studies' | 'series' | 'segmentations' | 'clinicalRecords' | 'featureSets' | 'predictions' | 'reports' | 'dicomExports',
        Json[]
      >;
    },

    async 'images.scan'({ path: p }) {
      requireExisting(p);
      const format = statSync(p).isFile() ? imageFileFormat(p) : null;
      if (format) {
        const read = readImageFile(p);
        const dims = read.image.dims;
        return {
          source: format,
          series: [{ id: path.basename(p), description: `${format.toUpperCase()} "${path.basename(p)}" ${dims.join('×')}`, dims, findings: read.findings }],
          findings: [],
        };
      }
      const scan = await scanDicom(p);
      return {
        source: 'dicom' as const,
        series: scan.series.map((s) => ({
          id: s.id,
          description: describeSeriesLine(s),
          dims: [s.format.columns, s.format.rows, s.stack?.slices.length ?? s.instances.length] as [number, number, number],
          findings: s.findings,
        })),
        findings: scan.findings,
      };
    },

    async 'images.open'({ path: p, series }) {
      requireExisting(p);
      const loaded = await loadVolume(p, { series });
      const volumeId = randomUUID();
      volumes.set(volumeId, { volume: loaded.volume, path: p, series: loaded.series });
      const v = loaded.volume;
      return {
        volumeId,
        source: loaded.source,
        dims: v.dims,
        spacingMm: v.spacingMm,
        originLps: v.originLps,
        direction: v.direction,
        huRange: huRange(v),
        findings: loaded.findings,
      };
    },

    async 'images.voxels'({ volumeId }) {
      return ownBuffer(int16Voxels(volumeOf(volumeId).volume));
    },

    async 'segment.click'({ volumeId, seedLps, boxLps }) {
      const { volume } = volumeOf(volumeId);
      const boundingBox = boxLps && {
        minLps: boxLps.aLps.map((v, a) => Math.min(v, boxLps.bLps[a])) as Vec3,
        maxLps: boxLps.aLps.map((v, a) => Math.max(v, boxLps.bLps[a])) as Vec3,
      };
      const result = segmentNodule(volume, { seed: { worldLps: seedLps }, boundingBox });
      const box = maskBox(result.mask.voxels, result.mask.dims);
      return {
        maskId: newMask(result.mask, volumeId, { origin: 'click', seedLps }),
        measurements: result.measurements,
        findings: result.findings,
        box: box && { min: box[0], max: box[1] },
      };
    },

    async 'segment.mask'({ maskId }) {
      return ownBuffer(maskOf(maskId).mask.voxels);
    },

    /** The voxels of an inclusive index box of the mask (what an edit's `changedBox` names), in `segment.mask`'s order. */
    async 'segment.maskRegion'({ maskId, min, max }) {
      const { mask } = maskOf(maskId);
      if ([0, 1, 2].some((a) => min[a] < 0 || max[a] >= mask.dims[a] || min[a] > max[a]))
        throw new HilumError({
          code: 'INVALID_ARGUMENT',
          message: `the box [${min.join(', ')}]–[${max.join(', ')}] is not inside the mask's grid of ${mask.dims.join('×')} voxels (indices from 0, min ≤ max)`,
          data: { min, max, dims: mask.dims },
        });
      return ownBuffer(cropToBox(mask, { minIjk: min, maxIjk: max }).voxels);
    },

    async 'demo.case'() {
      const demo = await ensureDemoCase();
      return { ...demo, clinical: parseClinicalFile(demoClinicalInput(demo), 'the demo case') };
    },

    async 'predict.run'({ image, series, seedLps, maskId, clinical, lang, paper }) {
      requireExisting(image);
      mkdirSync(reportsDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const reportName = `hilum-report-${stamp}-${randomUUID().slice(0, 8)}`;
      const reportFile = path.join(reportsDir, `${reportName}.pdf`);
      // DICOM objects reference the source study, so only a DICOM series gets them (runBedside refuses
      // dicomOut for NIfTI/NRRD): a NIfTI/NRRD file is recognised exactly as images.open recognises it.
      const dicomSource = !(statSync(image).isFile() && imageFileFormat(image) !== null);
      const dicomOut = dicomSource ? path.join(dicomDir, reportName) : undefined;
      let maskFile: string | undefined;
      let maskOrigin: MaskOrigin | undefined;
      if (maskId) {
        const entry = maskOf(maskId);
        const { mask } = entry;
        if (!mask.voxels.some((v) => v !== 0))
          throw new HilumError({
            code: 'EMPTY_MASK',
            message: 'the segmentation holds no voxel: there is no nodule to predict from',
            hint: 'Segment the nodule, or paint it with the brush, before predicting.',
          });
        maskOrigin = { origin: entry.origin, edited: entry.editor?.canUndo ?? false, ...(entry.seedLps ? { seedLps: entry.seedLps } : {}) };
        mkdirSync(tmpDir, { recursive: true });
        maskFile = path.join(tmpDir, `mask-${maskId}.nii.gz`);
        writeImageFile(maskFile, mask);
      }
      try {
        const r = await runBedside({
          image,
          series,
          seedLps,
          mask: maskFile,
          maskOrigin,
          clinical,
          db: ctx.dbFile,
          reportFile,
          lang,
          paper,
          dicomOut,
          structuredReport: true,
          actor: 'hilum',
        });
        return {
          record: JSON.parse(JSON.stringify(r.record)) as Record<string, unknown>,
          report: { file: r.report.file, sha256: r.report.sha256, pages: r.report.pages, reportId: r.report.reportId },
          stored: r.stored ? { patientId: r.stored.patientId, predictionId: r.stored.predictionId, reportId: r.stored.reportId } : null,
          bundleSource: r.bundleSource,
          gpuNotice: r.gpuNotice,
          camOverlay: r.camOverlay,
          dicom: r.dicom ? { reportFile: r.dicom.reportFile, segFile: r.dicom.segFile } : null,
          dicomSr: r.dicom?.srFile ?? null,
        };
      } catch (error) {
        // The staging folder is this call's own; leave nothing half-made behind.
        if (dicomOut) rmSync(dicomOut, { recursive: true, force: true });
        throw error;
      } finally {
        if (maskFile) rmSync(maskFile, { force: true });
      }
    },

    async 'report.pdf'({ reportFile }) {
      const refused = () =>
        new HilumError({
          code: 'PATH_NOT_ALLOWED',
          message: 'only reports that Hilum wrote into its reports folder can be read',
          data: { reportFile },
        });
      if (!existsSync(reportsDir)) throw refused();
      const root = realpathSync(reportsDir);
      const candidate = path.resolve(reportsDir, reportFile);
      if (!existsSync(candidate)) throw refused();
      const real = realpathSync(candidate);
      if (!real.startsWith(root + path.sep) || !statSync(real).isFile() || !real.toLowerCase().endsWith('.pdf')) throw refused();
      return ownBuffer(readFileSync(real));
    },

    async 'report.dicom'({ reportFile, segFile, out }) {
      // Only the objects predict.run staged in <dataDir>/dicom (resolved through symbolic links).
      const sources = [reportFile, segFile].map((file) => {
        const refused = new HilumError({
          code: 'PATH_NOT_ALLOWED',
          message: 'only DICOM files that Hilum wrote into its own DICOM folder can be exported',
          hint: 'Export the DICOM objects of a prediction made in this app.',
          data: { file },
        });
        if (!existsSync(dicomDir)) throw refused;
        const candidate = path.resolve(dicomDir, file);
        if (!existsSync(candidate)) throw refused;
        const real = realpathSync(candidate);
        if (!real.startsWith(realpathSync(dicomDir) + path.sep) || !statSync(real).isFile() || !real.toLowerCase().endsWith('.dcm')) throw refused;
        return real;
      });
      if (!path.isAbsolute(out))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `the export folder must be an absolute path, got '${out}'`, data: { out } });
      if (existsSync(out) && !statSync(out).isDirectory())
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${out} is a file, not a folder`, hint: 'Choose a folder.', data: { out } });
      const files = sources.map((source) => path.join(out, path.basename(source)));
      for (const file of files) if (existsSync(file)) throw fileExists(file);
      mkdirSync(out, { recursive: true });
      const written: string[] = [];
      try {
        for (const [i, source] of sources.entries()) {
          copyWithoutOverwrite(source, files[i]);
          written.push(files[i]);
        }
      } catch (error) {
        // Both objects or neither: a PACS import of the report without its segmentation is confusing.
        for (const file of written) rmSync(file, { force: true });
        throw error;
      }
      return { files };
    },

    async 'bundles.list'() {
      if (!existsSync(ctx.dbFile)) return [];
      return withStore((db) => store.listBundles(db), true);
    },

    async 'clinical.check'({ clinical, measured }) {
      const checked = checkClinicalInput(bundleInUse().signatures.clinicalEncoding, clinical, measured);
      return { values: checked.values, warnings: checked.warnings };
    },

    async 'bundles.schema'() {
      const bundle = bundleInUse();
      const enc = bundle.signatures.clinicalEncoding;
      return {
        contentSha256: bundle.contentSha256,
        name: bundle.name,
        synthetic: bundle.synthetic,
        notice: bundle.notice,
        missing: enc.missing,
        variables: enc.variables.map((v) => ({
          column: v.column,
          kind: v.kind,
          label: v.label ?? v.column,
          unit: v.unit,
          range: v.range,
          levels: v.kind === 'categorical' ? enc.levels[v.column] : undefined,
          positive: v.positive,
          measured: MEASURED_FIELDS.has(v.column),
        })),
        riskCategories: bundle.thresholds.riskCategories,
        nomogramAxes: bundle.nomogram.axes.map((a) => ({ name: a.name, label: a.label, values: a.values, points: a.points })),
      };
    },

    async 'bundles.import'({ path: file }) {
      requireExisting(file);
      const bundle = readBundle(file);
      return withStore((db) => store.importBundle(db, bundle, 'hilum', file));
    },

    async 'bundles.activate'({ contentSha256 }) {
      return withStore((db) => store.activateBundle(db, contentSha256, 'hilum'));
    },
  };

  return {
    handlers,
    log: ctx.log,
    checkResponses: ctx.checkResponses,
    dispose: () => {
      volumes.clear();
      masks.clear();
      // Studies of a shared registry outlive this table (a reloaded page finds them); its own do not.
      if (!ctx.studies) void studies.cancelAll();
      // A retrieve belongs to the window that started it: cancelled (nothing half-imported) when it goes.
      void retrieves.cancelAll();
    },
  };
}
