import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiLogEntry } from '../../electron/api/dispatch.js';
import { EngineThread } from '../../electron/api/engine-thread.js';
import { writeImageFile } from '../../electron/engine/imaging/image-files.js';
import { tempDir } from '../helpers.js';
import { testNodule } from '../engine/segmentation/nodule-set.js';

const tmp = tempDir('hilum-engine-thread-');
const logs: ApiLogEntry[] = [];
const engine = new EngineThread({ dataDir: tmp.dir, dbFile: path.join(tmp.dir, 'hilum.sqlite'), shell: 'electron', checkResponses: true }, (e) => logs.push(e));
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('the engine thread (what Electron’s main process dispatches to)', () => {
  it('answers requests from its own thread, binary ones as ArrayBuffer, and refuses a malformed one with its log entry', async () => {
    const info = await engine.dispatch({ id: 1, method: 'app.info', params: {} });
    expect('result' in info && (info.result as { shell: string }).shell).toBe('electron');

    const nodule = testNodule('engine-thread', 0, 1);
    const file = path.join(tmp.dir, 'ct.nii.gz');
    writeImageFile(file, nodule.ct);
    const opened = await engine.dispatch({ id: 2, method: 'images.open', params: { path: file } });
    const volumeId = ('result' in opened && (opened.result as { volumeId: string }).volumeId) as string;
    const voxels = await engine.dispatch({ id: 3, method: 'images.voxels', params: { volumeId } });
    expect('result' in voxels && voxels.result).toBeInstanceOf(ArrayBuffer);
    const bytes = (voxels as { result: ArrayBuffer }).result;
    expect(bytes.byteLength).toBe(nodule.ct.voxels.length * 2);
    expect(new Int16Array(bytes)).toEqual(Int16Array.from(nodule.ct.voxels));

    const bad = await engine.dispatch({ id: 4, method: 'images.open', params: { path: 42 } });
    expect('error' in bad && bad.error.code).toBe('API_INVALID_REQUEST');
    expect(logs.at(-1)).toMatchObject({ event: 'api.invalid-request', method: 'images.open', id: 4 });
  }, 60_000);
});
