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
