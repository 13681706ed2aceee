import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../electron/api/contract.js';
import { type ApiLogEntry, type HandlerTable, dispatch } from '../../electron/api/dispatch.js';
import { createHandlerTable } from '../../electron/api/handlers.js';
import { indexToWorld } from '../../electron/engine/imaging/grid.js';
import { writeImageFile } from '../../electron/engine/imaging/image-files.js';
import { ROOT, tempDir } from '../helpers.js';
import { testNodule } from '../engine/segmentation/nodule-set.js';
import { exampleClinical } from './clinical-example.js';

const tmp = tempDir('hilum-api-workflow-');
const log: ApiLogEntry[] = [];
let table: HandlerTable;
const nodule = testNodule('api-workflow', 0, 1);
const ctFile = path.join(tmp.dir, 'ct.nii.gz');

beforeAll(() => {
  writeImageFile(ctFile, nodule.ct);
  table = createHandlerTable({
    dataDir: path.join(tmp.dir, 'data'),
    dbFile: path.join(tmp.dir, 'data', 'hilum.sqlite'),
    log: (e) => log.push(e),
    checkResponses: true,
  });
});
afterAll(() => tmp.cleanup());

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let nextId = 1;
async function call(method: string, params: unknown): Promise<unknown> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if ('error' in answer) throw Object.assign(new Error(answer.error.message), answer.error);
  return answer.result;
}

describe('the bedside workflow through the handler table', () => {
  it('open → click-to-segment → mask bytes → predict → report PDF → case list and case', async () => {
    const opened = API['images.open'].response.parse(await call('images.open', { path: ctFile }));
    const seedLps = indexToWorld(nodule.ct, nodule.seed);
    const seg = API['segment.click'].response.parse(await call('segment.click', { volumeId: opened.volumeId, seedLps }));
    expect(seg.measurements.voxelCount).toBeGreaterThan(10);
    const mask = (await call('segment.mask', { maskId: seg.maskId })) as ArrayBuffer;
    expect(mask).toBeInstanceOf(ArrayBuffer);
    expect(mask.byteLength).toBe(opened.dims[0] * opened.dims[1] * opened.dims[2]);
    expect(new Uint8Array(mask).reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(seg.measurements.voxelCount);
    // The answer's box holds every voxel of the mask: reading just that box gives them all.
    const { min, max } = seg.box!;
    const region = new Uint8Array((await call('segment.maskRegion', { maskId: seg.maskId, min, max })) as ArrayBuffer);
    expect(region.reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(seg.measurements.voxelCount);
    // … and is tight: each face of it touches the mask.
    const size = [0, 1, 2].map((a) => max[a] - min[a] + 1);
    for (let a = 0; a < 3; a++)
      for (const face of [0, size[a] - 1]) {
        let touches = false;
        for (let k = 0; k < size[2]; k++)
          for (let j = 0; j < size[1]; j++)
            for (let i = 0; i < size[0]; i++) if ([i, j, k][a] === face && region[i + size[0] * (j + size[1] * k)]) touches = true;
        expect(touches).toBe(true);
      }

    const clinical = exampleClinical('API-0001');
    const predicted = API['predict.run'].response.parse(await call('predict.run', { image: ctFile, maskId: seg.maskId, clinical, lang: 'en', paper: 'A4' }));
    expect(predicted.report.file.startsWith(path.join(tmp.dir, 'data', 'reports') + path.sep)).toBe(true);
    expect(existsSync(predicted.report.file)).toBe(true);
    expect(predicted.stored?.patientId).toBeTruthy();
    const pdf = (await call('report.pdf', { reportFile: predicted.report.file })) as ArrayBuffer;
    expect(Buffer.from(pdf).equals(readFileSync(predicted.report.file))).toBe(true);
    // The record says how the workstation made the mask: a click at this seed, not edited.
    expect((predicted.record as { segmentation: Record<string, unknown> }).segmentation).toMatchObject({
      method: 'given',
      origin: { origin: 'click', edited: false, seedLps },
    });

    // Touched up with the brush: the next prediction records (and prints) the edit.
    const touched = API['mask.edit'].response.parse(
      await call('mask.edit', {
        maskId: seg.maskId,
        action: 'paint',
        centreLps: indexToWorld(nodule.ct, [nodule.seed[0], nodule.seed[1], nodule.seed[2] + 3]),
        radiusMm: 6,
      }),
    );
    expect(touched.changed).toBeGreaterThan(0);
    const edited = API['predict.run'].response.parse(await call('predict.run', { image: ctFile, maskId: seg.maskId, clinical, lang: 'en', paper: 'A4' }));
    expect((edited.record as { segmentation: Record<string, unknown> }).segmentation).toMatchObject({ origin: { origin: 'click', edited: true } });
    if (hasPdftotext()) {
      const text = execFileSync('pdftotext', ['-layout', edited.report.file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(text).toContain('seed click, automatic, edited by hand');
    }

    const cases = API['cases.list'].response.parse(await call('cases.list', {}));
    expect(cases.map((c) => c.pseudonym)).toEqual(['API-0001']);
    const record = API['cases.get'].response.parse(await call('cases.get', { patientId: cases[0].patientId }));
    expect(record.segmentations).toHaveLength(2);
    expect(record.segmentations[0].mask).toBeUndefined();
    const bundles = API['bundles.list'].response.parse(await call('bundles.list', {}));
    expect(bundles).toHaveLength(1);
    const activated = API['bundles.activate'].response.parse(await call('bundles.activate', { contentSha256: bundles[0].contentSha256 }));
    expect(activated.status).toBe('active');
    const info = API['app.info'].response.parse(await call('app.info', {}));
    expect(info.activeBundle).toMatchObject({ contentSha256: bundles[0].contentSha256, source: 'store' });
    expect(log.filter((e) => e.level === 'error')).toEqual([]);
  }, 180_000);

  it('gives the clinical form of the bundle in use: every variable with its unit, range and whether it is measured', async () => {
    const schema = API['bundles.schema'].response.parse(await call('bundles.schema', {}));
    const bundle = JSON.parse(readFileSync(path.join(ROOT, 'models', 'hilum-demo.bundle.json'), 'utf8')) as {
      contentSha256: string;
      protocol: { clinical: { variables: { column: string }[] } };
    };
    expect(schema.contentSha256).toBe(bundle.contentSha256);
    expect(schema.synthetic).toBe(true);
    expect(schema.variables.map((v) => v.column)).toEqual(bundle.protocol.clinical.variables.map((v) => v.column));
    expect(schema.variables.find((v) => v.column === 'cea_ng_ml')).toMatchObject({ kind: 'numeric', unit: 'ng/mL', range: [0.05, 1000], measured: false });
    expect(schema.variables.find((v) => v.column === 'diameter_mm')).toMatchObject({ unit: 'mm', measured: true });
    expect(schema.variables.find((v) => v.column === 'sex')).toMatchObject({ kind: 'binary', positive: 'male' });
  });

  it('checks clinical data with the engine’s own rules: a field-specific error, or the values the model will use', async () => {
    const values = {
      age_years: 64,
      sex: 'male',
      smoker: true,
      cea_ng_ml: { value: -3, unit: 'ng/mL' },
      cyfra_ng_ml: 2.1,
      location: 'peripheral',
      lobulation: 'yes',
      spiculation: 'no',
      pleural_indentation: false,
      vacuole: 0,
      air_bronchogram: 1,
      vascular_convergence: 'no',
    };
    const measured = { diameter_mm: 18.2, solid_diameter_mm: 9.1, ctr: 0.5 };
    const bad = await dispatch(table, { id: nextId++, method: 'clinical.check', params: { clinical: { values }, measured } });
    expect('error' in bad && bad.error).toMatchObject({ code: 'CLINICAL_VALUE_OUT_OF_RANGE', data: { field: 'cea_ng_ml' } });
    const good = API['clinical.check'].response.parse(
      await call('clinical.check', { clinical: { values: { ...values, cea_ng_ml: { value: 5.2, unit: 'µg/L' } } }, measured }),
    );
    expect(good.values).toMatchObject({ cea_ng_ml: 5.2, sex: 1, diameter_mm: 18.2, ctr: 0.5 });
  });

  it('keeps only the two most recent volumes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((API['images.open'].response.parse(await call('images.open', { path: ctFile })) as { volumeId: string }).volumeId);
    await expect(call('images.voxels', { volumeId: ids[0] })).rejects.toMatchObject({ code: 'VOLUME_NOT_OPEN' });
    expect(((await call('images.voxels', { volumeId: ids[2] })) as ArrayBuffer).byteLength).toBe(nodule.ct.voxels.length * 2);
  });
});
