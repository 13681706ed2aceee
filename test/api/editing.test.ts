import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../electron/api/contract.js';
import { type HandlerTable, dispatch } from '../../electron/api/dispatch.js';
import { createHandlerTable } from '../../electron/api/handlers.js';
import { indexToWorld } from '../../electron/engine/imaging/grid.js';
import { writeImageFile } from '../../electron/engine/imaging/image-files.js';
import type { Vec3 } from '../../electron/engine/imaging/vec.js';
import { ROOT, tempDir } from '../helpers.js';
import { testNodule } from '../engine/segmentation/nodule-set.js';
import { exampleClinical } from './clinical-example.js';

const tmp = tempDir('hilum-api-editing-');
const nodule = testNodule('api-editing', 0, 1);
const ctFile = path.join(tmp.dir, 'ct.nii.gz');
let table: HandlerTable;
let nextId = 1;

beforeAll(() => {
  writeImageFile(ctFile, nodule.ct);
  table = createHandlerTable({ dataDir: path.join(tmp.dir, 'data'), dbFile: path.join(tmp.dir, 'data', 'hilum.sqlite'), log: () => {}, checkResponses: true });
});
afterAll(() => tmp.cleanup());

async function answer(method: string, params: unknown) {
  return dispatch(table, { id: nextId++, method, params });
}
async function call(method: string, params: unknown): Promise<unknown> {
  const a = await answer(method, params);
  if ('error' in a) throw Object.assign(new Error(a.error.message), a.error);
  return a.result;
}

describe('touching up, exporting and importing a mask through the API', () => {
  it('segment.click with a box: the mask lies in the box (corners in any order); a malformed box is refused by validation', async () => {
    const { volumeId } = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const seedLps = indexToWorld(nodule.ct, nodule.seed);
    const full = API['segment.click'].response.parse(await call('segment.click', { volumeId, seedLps }));
    // A box that ends at the seed's slice on the +k side (the corners given max first).
    const [nx, ny] = nodule.ct.dims;
    const aLps = indexToWorld(nodule.ct, [nx - 1, ny - 1, nodule.seed[2]] as Vec3);
    const bLps = indexToWorld(nodule.ct, [0, 0, 0] as Vec3);
    const boxed = API['segment.click'].response.parse(await call('segment.click', { volumeId, seedLps, boxLps: { aLps, bLps } }));
    expect(boxed.box?.max[2]).toBeLessThanOrEqual(nodule.seed[2]);
    expect(full.box?.max[2]).toBeGreaterThan(nodule.seed[2]);
    expect(boxed.measurements.volumeMl).toBeLessThan(full.measurements.volumeMl);
    const malformed = await answer('segment.click', { volumeId, seedLps, boxLps: { aLps, bLps: [1, 2] } });
    expect('error' in malformed && malformed.error.code).toBe('API_INVALID_REQUEST');
  });

  it('brush paint and erase change the mask and its measurements; undo and redo restore them exactly', async () => {
    const { volumeId } = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const seedLps = indexToWorld(nodule.ct, nodule.seed);
    const seg = API['segment.click'].response.parse(await call('segment.click', { volumeId, seedLps }));
    const before = seg.measurements.volumeMl;
    const beside = indexToWorld(nodule.ct, [nodule.seed[0] + 14, nodule.seed[1], nodule.seed[2]] as Vec3);
    const painted = API['mask.edit'].response.parse(await call('mask.edit', { maskId: seg.maskId, action: 'paint', centreLps: beside, radiusMm: 2 }));
    expect(painted.changed).toBeGreaterThan(0);
    expect(painted.measurements.volumeMl).toBeGreaterThan(before);
    expect(painted).toMatchObject({ canUndo: true, canRedo: false });
    const islands = API['mask.edit'].response.parse(await call('mask.edit', { maskId: seg.maskId, action: 'remove-islands' }));
    expect(islands.measurements.volumeMl).toBeCloseTo(before, 12);
    const undone = API['mask.edit'].response.parse(await call('mask.edit', { maskId: seg.maskId, action: 'undo' }));
    expect(undone.measurements.volumeMl).toBe(painted.measurements.volumeMl);
    await call('mask.edit', { maskId: seg.maskId, action: 'undo' });
    const mask = new Uint8Array((await call('segment.mask', { maskId: seg.maskId })) as ArrayBuffer);
    const fresh = API['segment.click'].response.parse(await call('segment.click', { volumeId, seedLps }));
    expect(mask).toEqual(new Uint8Array((await call('segment.mask', { maskId: fresh.maskId })) as ArrayBuffer));
    const redone = API['mask.edit'].response.parse(await call('mask.edit', { maskId: seg.maskId, action: 'redo' }));
    expect(redone.measurements.volumeMl).toBe(painted.measurements.volumeMl);
    const erased = API['mask.edit'].response.parse(
      await call('mask.edit', { maskId: seg.maskId, action: 'erase', centreLps: seedLps, radiusMm: 3, shape: 'sphere' }),
    );
    expect(erased.measurements.volumeMl).toBeLessThan(redone.measurements.volumeMl);
    const missing = await answer('mask.edit', { maskId: seg.maskId, action: 'paint', radiusMm: 2 });
    expect('error' in missing && missing.error.code).toBe('INVALID_ARGUMENT');
    const tooBig = await answer('mask.edit', { maskId: seg.maskId, action: 'paint', centreLps: seedLps, radiusMm: 80 });
    expect('error' in tooBig && tooBig.error.code).toBe('API_INVALID_REQUEST');
  });

  it('mask.create gives an empty mask that measures as zeros; brush requests of one stroke are one undo step; predict refuses it while empty', async () => {
    const { volumeId } = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const created = API['mask.create'].response.parse(await call('mask.create', { volumeId }));
    expect(created.measurements).toMatchObject({ voxelCount: 0, volumeMl: 0, longestAxialDiameterMm: 0, solidDiameterMm: 0, ctr: 0 });
    const bytes = async () => new Uint8Array((await call('segment.mask', { maskId: created.maskId })) as ArrayBuffer);
    expect((await bytes()).every((v) => v === 0)).toBe(true);

    const clinical = exampleClinical();
    const emptyPredict = await answer('predict.run', { image: ctFile, maskId: created.maskId, clinical });
    expect('error' in emptyPredict && emptyPredict.error.code).toBe('EMPTY_MASK');
    expect('error' in emptyPredict && emptyPredict.error.message).toMatch(/holds no voxel/);

    const dab = (di: number, stroke?: string) =>
      call('mask.edit', {
        maskId: created.maskId,
        action: 'paint',
        centreLps: indexToWorld(nodule.ct, [nodule.seed[0] + di, nodule.seed[1], nodule.seed[2]] as Vec3),
        radiusMm: 2,
        ...(stroke ? { stroke } : {}),
      }).then((r) => API['mask.edit'].response.parse(r));
    for (const di of [0, 1, 2, 3, 4]) await dab(di, 'drag-1');
    const afterStroke = await bytes();
    const painted = await dab(8, 'drag-2');
    expect(painted.measurements.voxelCount).toBeGreaterThan(0);
    expect(painted.measurements.longestAxialDiameterMm).toBeGreaterThan(0);
    await call('mask.edit', { maskId: created.maskId, action: 'undo' });
    expect(await bytes()).toEqual(afterStroke);
    const undone = API['mask.edit'].response.parse(await call('mask.edit', { maskId: created.maskId, action: 'undo' }));
    expect(undone).toMatchObject({ canUndo: false, canRedo: true });
    expect(undone.measurements.voxelCount).toBe(0);
    await call('mask.edit', { maskId: created.maskId, action: 'redo' });
    expect(await bytes()).toEqual(afterStroke);
    const missing = await answer('mask.create', { volumeId: 'no-such-volume' });
    expect('error' in missing).toBe(true);
  });

  it('pathLps paints a whole drag in one request; changedBox bounds exactly what changed; segment.maskRegion returns that box', async () => {
    const { volumeId } = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const created = API['mask.create'].response.parse(await call('mask.create', { volumeId }));
    const maskId = created.maskId;
    const dims = nodule.ct.dims;
    const bytes = async () => new Uint8Array((await call('segment.mask', { maskId })) as ArrayBuffer);
    const at = (di: number, dj: number) => indexToWorld(nodule.ct, [nodule.seed[0] + di, nodule.seed[1] + dj, nodule.seed[2]] as Vec3);
    /** The inclusive box of the voxels where a and b differ (null when equal), in `changedBox`'s form. */
    const diffBox = (a: Uint8Array, b: Uint8Array) => {
      const min = [Infinity, Infinity, Infinity];
      const max = [-1, -1, -1];
      for (let o = 0; o < a.length; o++) {
        if (a[o] === b[o]) continue;
        const p = [o % dims[0], Math.floor(o / dims[0]) % dims[1], Math.floor(o / (dims[0] * dims[1]))];
        for (let x = 0; x < 3; x++) [min[x], max[x]] = [Math.min(min[x], p[x]), Math.max(max[x], p[x])];
      }
      return max[0] < 0 ? null : { min, max };
    };
    /** The box cut from the whole mask, x fastest. */
    const cut = (mask: Uint8Array, box: { min: number[]; max: number[] }) => {
      const out: number[] = [];
      for (let k = box.min[2]; k <= box.max[2]; k++)
        for (let j = box.min[1]; j <= box.max[1]; j++) for (let i = box.min[0]; i <= box.max[0]; i++) out.push(mask[i + dims[0] * (j + dims[1] * k)]);
      return Uint8Array.from(out);
    };
    const region = async (box: { min: number[]; max: number[] }) => new Uint8Array((await call('segment.maskRegion', { maskId, ...box })) as ArrayBuffer);

    const before = await bytes();
    const path3 = [at(-12, -6), at(8, -4), at(10, 9)];
    const painted = API['mask.edit'].response.parse(await call('mask.edit', { maskId, action: 'paint', pathLps: path3, radiusMm: 1.5, stroke: 'fast-drag' }));
    const after = await bytes();
    expect(painted.changed).toBeGreaterThan(0);
    expect(painted.changedBox).toEqual(diffBox(before, after));
    // The whole polyline is painted: the path's corners and the midpoints between them.
    const voxel = (di: number, dj: number) => after[nodule.seed[0] + di + dims[0] * (nodule.seed[1] + dj + dims[1] * nodule.seed[2])];
    for (const [di, dj] of [
      [-12, -6],
      [-2, -5],
      [8, -4],
      [9, 2],
      [10, 9],
    ])
      expect(voxel(di, dj), `at ${di}, ${dj}`).toBe(1);
    const box = painted.changedBox!;
    expect(await region(box)).toEqual(cut(after, box));
    // The same drag's next batch (starting where the last ended) joins the same undo step.
    const more = API['mask.edit'].response.parse(
      await call('mask.edit', { maskId, action: 'paint', pathLps: [at(10, 9), at(-4, 12)], radiusMm: 1.5, stroke: 'fast-drag' }),
    );
    const after2 = await bytes();
    expect(more.changedBox).toEqual(diffBox(after, after2));
    const undone = API['mask.edit'].response.parse(await call('mask.edit', { maskId, action: 'undo' }));
    expect(await bytes()).toEqual(before);
    expect(undone.changedBox).toEqual(diffBox(after2, before));
    expect(undone).toMatchObject({ canUndo: false, canRedo: true });
    const redone = API['mask.edit'].response.parse(await call('mask.edit', { maskId, action: 'redo' }));
    expect(redone.changedBox).toEqual(diffBox(before, after2));
    expect(await region(redone.changedBox!)).toEqual(cut(after2, redone.changedBox!));
    // A request that changes nothing reports no box; so does an undo with nothing to undo.
    const again = API['mask.edit'].response.parse(await call('mask.edit', { maskId, action: 'paint', pathLps: path3, radiusMm: 1.5 }));
    expect(again).toMatchObject({ changed: 0, changedBox: null });
    const islands = API['mask.edit'].response.parse(await call('mask.edit', { maskId, action: 'remove-islands' }));
    expect(islands.changedBox).toBeNull();
    // A whole-grid region is the whole mask.
    const whole = { min: [0, 0, 0], max: dims.map((n) => n - 1) };
    expect(await region(whole)).toEqual(await bytes());

    // Both a centre and a path: refused by the contract; neither: the handler's INVALID_ARGUMENT.
    const both = await answer('mask.edit', { maskId, action: 'paint', centreLps: at(0, 0), pathLps: path3, radiusMm: 2 });
    expect('error' in both && both.error.code).toBe('API_INVALID_REQUEST');
    expect('error' in both && both.error.message).toMatch(/centreLps.*pathLps|pathLps/);
    const neither = await answer('mask.edit', { maskId, action: 'erase', radiusMm: 2 });
    expect('error' in neither && neither.error.code).toBe('INVALID_ARGUMENT');
    const tooLong = await answer('mask.edit', { maskId, action: 'paint', pathLps: Array.from({ length: 1001 }, () => at(0, 0)), radiusMm: 2 });
    expect('error' in tooLong && tooLong.error.code).toBe('API_INVALID_REQUEST');
    const emptyPath = await answer('mask.edit', { maskId, action: 'paint', pathLps: [], radiusMm: 2 });
    expect('error' in emptyPath && emptyPath.error.code).toBe('API_INVALID_REQUEST');
    // A box outside the grid, or inverted: a clear error naming the grid.
    for (const bad of [
      { min: [0, 0, 0], max: [dims[0], 0, 0] },
      { min: [-1, 0, 0], max: [1, 1, 1] },
      { min: [3, 3, 3], max: [2, 3, 3] },
    ]) {
      const refused = await answer('segment.maskRegion', { maskId, ...bad });
      expect('error' in refused && refused.error.code).toBe('INVALID_ARGUMENT');
      expect('error' in refused && refused.error.message).toContain(dims.join('×'));
    }
    const unknown = await answer('segment.maskRegion', { maskId: 'no-such-mask', min: [0, 0, 0], max: [0, 0, 0] });
    expect('error' in unknown && unknown.error.code).toBe('MASK_NOT_FOUND');
  });

  it('exports a mask as NIfTI and imports it back identical; refuses overwriting, unknown formats and a DICOM-SEG without DICOM source', async () => {
    const { volumeId } = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const seg = API['segment.click'].response.parse(await call('segment.click', { volumeId, seedLps: indexToWorld(nodule.ct, nodule.seed) }));
    const out = path.join(tmp.dir, 'export', 'mask.nii.gz');
    expect(await call('mask.export', { maskId: seg.maskId, path: out })).toEqual({ file: out, format: 'nifti' });
    const again = await answer('mask.export', { maskId: seg.maskId, path: out });
    expect('error' in again && again.error.code).toBe('FILE_EXISTS');
    expect(await call('mask.export', { maskId: seg.maskId, path: out, overwrite: true })).toEqual({ file: out, format: 'nifti' });
    const imported = API['mask.import'].response.parse(await call('mask.import', { volumeId, path: out }));
    expect(imported.measurements).toEqual(seg.measurements);
    const a = new Uint8Array((await call('segment.mask', { maskId: seg.maskId })) as ArrayBuffer);
    const b = new Uint8Array((await call('segment.mask', { maskId: imported.maskId })) as ArrayBuffer);
    expect(b).toEqual(a);
    const seg2 = await answer('mask.export', { maskId: seg.maskId, path: path.join(tmp.dir, 'export', 'mask.dcm') });
    expect('error' in seg2 && seg2.error.code).toBe('DICOM_SOURCE_REQUIRED');
    const odd = await answer('mask.export', { maskId: seg.maskId, path: path.join(tmp.dir, 'export', 'mask.png') });
    expect('error' in odd && odd.error.code).toBe('UNSUPPORTED_FORMAT');
    const relative = await answer('mask.export', { maskId: seg.maskId, path: 'mask.nii.gz' });
    expect('error' in relative && relative.error.code).toBe('INVALID_ARGUMENT');
  });
});

describe('drafts and bundle import through the API', () => {
  it('keeps a draft per key as it is saved, and nothing for an unknown key', async () => {
    const key = '/data/cases/P-1/CT';
    expect(await call('drafts.get', { key })).toEqual({ draft: null, savedAt: null });
    const { savedAt } = API['drafts.save'].response.parse(await call('drafts.save', { key, draft: { values: { age_years: '64', cea_ng_ml: '5.2' } } }));
    expect(await call('drafts.get', { key })).toEqual({ draft: { values: { age_years: '64', cea_ng_ml: '5.2' } }, savedAt });
    await call('drafts.save', { key, draft: { values: { age_years: '65' } } });
    expect(((await call('drafts.get', { key })) as { draft: unknown }).draft).toEqual({ values: { age_years: '65' } });
    const big = await answer('drafts.save', { key, draft: { text: 'x'.repeat(300_000) } });
    expect('error' in big && big.error.code).toBe('DRAFT_TOO_LARGE');
  });

  it('registers a bundle file after verifying it, and refuses a changed one', async () => {
    const file = path.join(ROOT, 'models', 'hilum-demo.bundle.json');
    const entry = API['bundles.import'].response.parse(await call('bundles.import', { path: file }));
    expect(entry.contentSha256).toBe((JSON.parse(readFileSync(file, 'utf8')) as { contentSha256: string }).contentSha256);
    const changed = JSON.parse(readFileSync(file, 'utf8')) as { signatures: { combined: { intercept: number } } };
    changed.signatures.combined.intercept += 1;
    const bad = path.join(tmp.dir, 'changed.bundle.json');
    writeFileSync(bad, JSON.stringify(changed));
    const refused = await answer('bundles.import', { path: bad });
    expect('error' in refused && refused.error.code).toBe('BUNDLE_TAMPERED');
  });
});
