/**
 * Segmentation versions. Every edit of a nodule mask is a new version (1, 2, …) of the series'
 * segmentation; a version is never changed (a trigger refuses UPDATE). The mask file's bytes are
 * kept in the row, so a case can be exported and reopened without any external file.
 */
import { HilumError } from '../core/errors.js';
import { sha256Hex } from '../signatures/canonical-json.js';
import { appendAudit } from './audit.js';
import { getSeries } from './imaging.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, newId, nowIso, optionalJsonText, parseJsonColumn, requireSha256, requireText } from './values.js';

export type SegmentationMethod = 'given' | 'click' | 'brush' | 'imported';
const METHODS: readonly SegmentationMethod[] = ['given', 'click', 'brush', 'imported'];

export interface Segmentation {
  id: string;
  seriesId: string;
  version: number;
  author: string;
  method: SegmentationMethod;
  seed: unknown;
  /** Where the mask file came from or was written (informational; the bytes are in `mask`). */
  maskPath: string | null;
  /** The mask file's format, e.g. `nifti`, `nrrd`, `dicom-seg`. */
  maskFormat: string;
  /** SHA-256 of the stored mask file bytes (computed by the store). */
  maskFileSha256: string;
  /** SHA-256 of the mask's voxels (uint8, x fastest, on the CT grid): what a PredictionRecord cites. */
  maskSha256: string;
  measurements: Record<string, unknown> | null;
  createdAt: string;
  /** The mask file's bytes; present when read with `withMask`. */
  mask?: Buffer;
  maskBytes: number;
}

export interface SegmentationInput {
  seriesId: string;
  method: SegmentationMethod;
  /** Who drew it (default: the actor). */
  author?: string;
  seed?: unknown;
  maskPath?: string | null;
  maskFormat: string;
  maskFile: Uint8Array;
  maskSha256: string;
  measurements?: Record<string, unknown> | null;
}

interface SegmentationRow {
  id: string;
  series_id: string;
  version: number;
  author: string;
  method: SegmentationMethod;
  seed_json: string | null;
  mask_path: string | null;
  mask_format: string;
  mask?: Buffer;
  mask_bytes: number;
  mask_file_sha256: string;
  mask_sha256: string;
  measurements_json: string | null;
  created_at: string;
}

function toSegmentation(r: SegmentationRow): Segmentation {
  return {
    id: r.id,
    seriesId: r.series_id,
    version: r.version,
    author: r.author,
    method: r.method,
    seed: parseJsonColumn<unknown>(r.seed_json),
    maskPath: r.mask_path,
    maskFormat: r.mask_format,
    maskFileSha256: r.mask_file_sha256,
    maskSha256: r.mask_sha256,
    measurements: parseJsonColumn<Record<string, unknown>>(r.measurements_json),
    createdAt: r.created_at,
    maskBytes: r.mask_bytes,
    ...(r.mask ? { mask: r.mask } : {}),
  };
}

function columns(withMask: boolean): string {
  return `id, series_id, version, author, method, seed_json, mask_path, mask_format, length(mask) AS mask_bytes, mask_file_sha256, mask_sha256,
    measurements_json, created_at${withMask ? ', mask' : ''}`;
}

/** Inserts a complete segmentation row (with `mask`) as given; the mask bytes must hash to maskFileSha256. */
export function insertSegmentation(db: Db, s: Segmentation & { mask: Uint8Array }): void {
  if (sha256Hex(s.mask) !== s.maskFileSha256)
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `segmentation ${s.id}: its mask bytes do not hash to the SHA-256 it records` });
  db.prepare(
    `INSERT INTO segmentations (id, series_id, version, author, method, seed_json, mask_path, mask_format, mask, mask_file_sha256, mask_sha256,
       measurements_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.id,
    s.seriesId,
    s.version,
    s.author,
    s.method,
    optionalJsonText(s.seed, 'the seed'),
    s.maskPath,
    s.maskFormat,
    Buffer.from(s.mask.buffer, s.mask.byteOffset, s.mask.byteLength),
    s.maskFileSha256,
    s.maskSha256,
    optionalJsonText(s.measurements, 'the measurements'),
    s.createdAt,
  );
}

/** Adds the next version of the series' segmentation (1 for the first). */
export function addSegmentation(db: Db, input: SegmentationInput, actor = defaultActor()): Segmentation {
  if (!METHODS.includes(input.method))
    throw new HilumError({
      code: 'STORE_INVALID_VALUE',
      message: `segmentation method must be one of ${METHODS.join(', ')}, not ${JSON.stringify(input.method)}`,
    });
  requireSha256(input.maskSha256, 'the mask SHA-256');
  requireText(input.maskFormat, 'the mask format');
  if (!(input.maskFile instanceof Uint8Array) || input.maskFile.byteLength === 0)
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: 'a segmentation needs the mask file bytes' });
  return writeTransaction(db, () => {
    if (!getSeries(db, input.seriesId))
      throw new HilumError({ code: 'SERIES_NOT_FOUND', message: `no series ${input.seriesId} in the case store`, data: { seriesId: input.seriesId } });
    const { next } = db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM segmentations WHERE series_id = ?').get(input.seriesId) as { next: number };
    const mask = Buffer.from(input.maskFile);
    const segmentation: Segmentation & { mask: Buffer } = {
      id: newId(),
      seriesId: input.seriesId,
      version: next,
      author: input.author ?? actor,
      method: input.method,
      seed: input.seed ?? null,
      maskPath: input.maskPath ?? null,
      maskFormat: input.maskFormat,
      maskFileSha256: sha256Hex(mask),
      maskSha256: input.maskSha256,
      measurements: input.measurements ?? null,
      createdAt: nowIso(),
      mask,
      maskBytes: mask.byteLength,
    };
    insertSegmentation(db, segmentation);
    appendAudit(db, {
      actor,
      action: 'segmentation.add',
      entity: 'segmentations',
      entityId: segmentation.id,
      detail: { seriesId: input.seriesId, version: next, method: input.method, maskSha256: input.maskSha256 },
    });
    return segmentation;
  });
}

export function getSegmentation(db: Db, id: string, options: { withMask?: boolean } = {}): Segmentation | undefined {
  const row = db.prepare(`SELECT ${columns(options.withMask ?? false)} FROM segmentations WHERE id = ?`).get(id) as SegmentationRow | undefined;
  return row && toSegmentation(row);
}

/** Every version of the series' segmentation, oldest first. */
export function listSegmentations(db: Db, seriesId: string, options: { withMask?: boolean } = {}): Segmentation[] {
  return (
    db.prepare(`SELECT ${columns(options.withMask ?? false)} FROM segmentations WHERE series_id = ? ORDER BY version`).all(seriesId) as SegmentationRow[]
  ).map(toSegmentation);
}

/** The newest version of the series' segmentation. */
export function latestSegmentation(db: Db, seriesId: string, options: { withMask?: boolean } = {}): Segmentation | undefined {
  const row = db.prepare(`SELECT ${columns(options.withMask ?? false)} FROM segmentations WHERE series_id = ? ORDER BY version DESC LIMIT 1`).get(seriesId) as
    SegmentationRow | undefined;
  return row && toSegmentation(row);
}
