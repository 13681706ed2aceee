/**
 * The API's handlers for making, touching up and moving masks (an empty mask to paint, brush, islands,
 * undo/redo with one step per brush stroke, import, export) and for drafts (form entries the engine
 * keeps as they are typed). They share the handler table's open images and masks; each mask gets its
 * own MaskEditor (undo history) on first edit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../engine/core/atomic-write.js';
import { HilumError } from '../engine/core/errors.js';
import { writeDicomSeg } from '../engine/imaging/dicom/seg-write.js';
import type { DicomSeries } from '../engine/imaging/dicom/series.js';
import { worldToIndex } from '../engine/imaging/grid.js';
import { imageFileFormat, writeImageFile } from '../engine/imaging/image-files.js';
import { importMask } from '../engine/imaging/mask-import.js';
import type { Vec3 } from '../engine/imaging/vec.js';
import type { LabelMap, Volume } from '../engine/imaging/volume.js';
import { MaskEditor, measureNodule } from '../engine/segmentation/index.js';
import type { ApiParams } from './contract.js';
import type { HandlerResult } from './dispatch.js';

export interface OpenVolume {
  volume: Volume;
  path: string;
  series: DicomSeries | null;
}

export interface OpenMask {
  mask: LabelMap;
  volumeId: string;
  /** How the mask was made (recorded with a prediction that uses it). */
  origin: 'click' | 'imported' | 'painted';
  seedLps?: Vec3;
  editor?: MaskEditor;
}

export interface EditContext {
  dataDir: string;
  volumeOf: (volumeId: string) => OpenVolume;
  maskOf: (maskId: string) => OpenMask;
  newMask: (mask: LabelMap, volumeId: string, origin: Pick<OpenMask, 'origin' | 'seedLps'>) => string;
}

const MAX_DRAFT_BYTES = 256 * 1024;

/**
 * The measurements of a mask as the API answers them. An empty mask (a new one, or one erased to
 * nothing) measures as zeros: its mean HU is 0 rather than the engine's NaN, which JSON cannot carry.
 */
function measureMask(mask: LabelMap, volume: Volume) {
  const m = measureNodule(mask.voxels, volume, volume);
  return m.voxelCount ? m : { ...m, meanHu: 0 };
}

export function editHandlers(ctx: EditContext) {
  const draftsDir = path.join(ctx.dataDir, 'drafts');
  const draftFile = (key: string) => path.join(draftsDir, `${createHash('sha256').update(key).digest('hex')}.json`);

  return {
    async 'mask.edit'(p: ApiParams<'mask.edit'>): Promise<HandlerResult<'mask.edit'>> {
      const entry = ctx.maskOf(p.maskId);
      const { volume } = ctx.volumeOf(entry.volumeId);
      entry.editor ??= new MaskEditor(entry.mask, volume);
      const editor = entry.editor;
      let changed = 0;
      if (p.action === 'undo') changed = editor.undo()?.indices.length ?? 0;
      else if (p.action === 'redo') changed = editor.redo()?.indices.length ?? 0;
      else if (p.action === 'remove-islands') changed = editor.removeIslands();
      else {
        if ((!p.centreLps && !p.pathLps) || !p.radiusMm)
          throw new HilumError({
            code: 'INVALID_ARGUMENT',
            message: `${p.action} needs a point (centreLps) or a path (pathLps), and a brush radius (radiusMm)`,
          });
        const options = { value: p.action === 'paint' ? 1 : 0, radiusMm: p.radiusMm, shape: p.shape, huRange: p.huRange, stroke: p.stroke } as const;
        // A path is swept exactly through its points (continuous indices); one centre is a dab on its nearest voxel.
        changed = p.pathLps
          ? editor.brushPath(
              p.pathLps.map((q) => worldToIndex(volume, q)),
              options,
            )
          : editor.brush(worldToIndex(volume, p.centreLps!), options);
      }
      return {
        maskId: p.maskId,
        changed,
        canUndo: editor.canUndo,
        canRedo: editor.canRedo,
        measurements: measureMask(entry.mask, volume),
        changedBox: changed ? editor.lastChangedBox : null,
      };
    },

    /** An empty mask on the CT's grid, to paint a nodule from nothing; it measures as zeros until painted. */
    async 'mask.create'(p: ApiParams<'mask.create'>): Promise<HandlerResult<'mask.create'>> {
      const { volume } = ctx.volumeOf(p.volumeId);
      const mask: LabelMap = {
        dims: [...volume.dims],
        spacingMm: [...volume.spacingMm],
        originLps: [...volume.originLps],
        direction: [...volume.direction],
        voxels: new Uint8Array(volume.voxels.length),
      };
      return { maskId: ctx.newMask(mask, p.volumeId, { origin: 'painted' }), measurements: measureMask(mask, volume) };
    },

    async 'mask.import'(p: ApiParams<'mask.import'>): Promise<HandlerResult<'mask.import'>> {
      if (!existsSync(p.path)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${p.path} does not exist`, data: { path: p.path } });
      const { volume } = ctx.volumeOf(p.volumeId);
      const imported = await importMask(p.path, volume, { label: p.label });
      if (!imported.mask.voxels.some((v) => v !== 0))
        throw new HilumError({ code: 'EMPTY_MASK', message: `the mask ${p.path} holds no voxel of the chosen label` });
      return {
        maskId: ctx.newMask(imported.mask, p.volumeId, { origin: 'imported' }),
        measurements: measureNodule(imported.mask.voxels, volume, volume),
        findings: imported.findings,
      };
    },

    async 'mask.export'(p: ApiParams<'mask.export'>): Promise<HandlerResult<'mask.export'>> {
      const entry = ctx.maskOf(p.maskId);
      if (!path.isAbsolute(p.path)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `the export path must be absolute, got '${p.path}'` });
      if (existsSync(p.path) && !p.overwrite)
        throw new HilumError({
          code: 'FILE_EXISTS',
          message: `${p.path} exists`,
          hint: 'Choose another name, or confirm overwriting it.',
          data: { path: p.path },
        });
      mkdirSync(path.dirname(p.path), { recursive: true });
      const format = imageFileFormat(p.path);
      if (format) {
        writeImageFile(p.path, entry.mask);
        return { file: p.path, format };
      }
      if (!/\.dcm$/i.test(p.path))
        throw new HilumError({
          code: 'UNSUPPORTED_FORMAT',
          message: `cannot tell the format of ${path.basename(p.path)}`,
          hint: 'Use .nii, .nii.gz, .nrrd or .dcm (DICOM-SEG).',
        });
      const { series } = ctx.volumeOf(entry.volumeId);
      if (!series)
        throw new HilumError({
          code: 'DICOM_SOURCE_REQUIRED',
          message: 'a DICOM-SEG references its source series, and this image was not opened from DICOM',
          hint: 'Export as NIfTI or NRRD.',
        });
      writeDicomSeg(p.path, entry.mask, series, { algorithmType: 'SEMIAUTOMATIC', algorithmName: 'Hilum', segmentLabel: 'Lung nodule' });
      return { file: p.path, format: 'dicom-seg' };
    },

    async 'drafts.save'(p: ApiParams<'drafts.save'>): Promise<HandlerResult<'drafts.save'>> {
      const savedAt = new Date().toISOString();
      const text = JSON.stringify({ key: p.key, savedAt, draft: p.draft });
      if (Buffer.byteLength(text) > MAX_DRAFT_BYTES)
        throw new HilumError({ code: 'DRAFT_TOO_LARGE', message: `a draft may hold at most ${MAX_DRAFT_BYTES} bytes` });
      writeFileAtomically(draftFile(p.key), text);
      return { savedAt };
    },

    async 'drafts.get'(p: ApiParams<'drafts.get'>): Promise<HandlerResult<'drafts.get'>> {
      const file = draftFile(p.key);
      if (!existsSync(file)) return { draft: null, savedAt: null };
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; savedAt: string; draft: Record<string, unknown> };
      return stored.key === p.key ? { draft: stored.draft, savedAt: stored.savedAt } : { draft: null, savedAt: null };
    },
  };
}
