import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, type ApiResponse } from '../../electron/api/contract.js';
import { type ApiLogEntry, type HandlerTable, dispatch } from '../../electron/api/dispatch.js';
import { createHandlerTable } from '../../electron/api/handlers.js';
import { closeDatabase, listAudit, openDatabase } from '../../electron/engine/store/index.js';
import { tempDir } from '../helpers.js';
import { holdingRelay, startOrthanc, type OrthancInstance } from '../orthanc.js';

const tmp = tempDir('hilum-api-pacs-');
const dataDir = path.join(tmp.dir, 'data');
const dbFile = path.join(dataDir, 'hilum.sqlite');
let table: HandlerTable;
let orthanc: OrthancInstance | null = null;
let skipReason = '';
let demo: ApiResponse<'demo.case'>;

let nextId = 1;
async function call(method: string, params: unknown): Promise<unknown> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if ('error' in answer) throw Object.assign(new Error(answer.error.message), answer.error);
  return answer.result;
}
async function refusal(method: string, params: unknown): Promise<{ code: string; message: string }> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if (!('error' in answer)) throw new Error(`${method} was expected to fail`);
  return answer.error;
}

type RetrieveStatus = ApiResponse<'pacs.retrieveStatus'>;

/** Polls a background retrieve until `done` says so (or 60 s pass). */
async function pollRetrieve(jobId: string, done: (s: RetrieveStatus) => boolean): Promise<RetrieveStatus> {
  const until = Date.now() + 60_000;
  for (;;) {
    const status = API['pacs.retrieveStatus'].response.parse(await call('pacs.retrieveStatus', { jobId }));
    if (done(status) || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  table = createHandlerTable({ dataDir, dbFile, log: (_e: ApiLogEntry) => undefined, checkResponses: true });
  const started = await startOrthanc();
  if (!started.orthanc) {
    skipReason = started.reason;
    console.warn(`PACS API tests skipped: ${skipReason}`);
    return;
  }
  orthanc = started.orthanc;
  demo = API['demo.case'].response.parse(await call('demo.case', {}));
  await orthanc.upload(readdirSync(demo.seriesDir).map((f) => path.join(demo.seriesDir, f)));
}, 240_000);
afterAll(async () => {
  await orthanc?.stop();
  tmp.cleanup();
});

describe('the PACS workflow through the API, against a real Orthanc', () => {
  it('find → retrieve → predict → send: Orthanc then holds the SEG, the PDF and the SR in the CT study', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const node = orthanc.node;
    expect(API['pacs.echo'].response.parse(await call('pacs.echo', { node })).status).toBe(0);

    const demoPatientId = (await orthanc.rest<{ MainDicomTags: { PatientID: string } }[]>('/patients?expand'))[0].MainDicomTags.PatientID;
    const { studies } = API['pacs.find'].response.parse(await call('pacs.find', { node, query: { patientId: demoPatientId, modality: 'CT' } }));
    expect(studies).toHaveLength(1);
    const { series } = API['pacs.series'].response.parse(await call('pacs.series', { node, studyInstanceUid: studies[0].studyInstanceUid }));
    expect(series.map((s) => s.modality)).toEqual(['CT']);
    const retrieved = API['pacs.retrieve'].response.parse(await call('pacs.retrieve', { node, studyInstanceUid: studies[0].studyInstanceUid }));
    expect(retrieved.folder).toBe(path.join(dataDir, 'pacs', series[0].seriesInstanceUid));
    expect(retrieved.instances).toBe(readdirSync(demo.seriesDir).length);

    const predicted = API['predict.run'].response.parse(
      await call('predict.run', { image: retrieved.folder, seedLps: demo.noduleCentreLps, clinical: demo.clinical, lang: 'en', paper: 'A4' }),
    );
    const dicom = predicted.dicom!;
    expect(predicted.dicomSr).not.toBeNull();
    const sent = API['pacs.send'].response.parse(await call('pacs.send', { node, files: [dicom.reportFile, dicom.segFile, predicted.dicomSr!] }));
    expect(sent.results.map((r) => [r.stored, r.status])).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
    ]);

    const lookup = await fetch(`${orthanc.httpUrl}/tools/lookup`, { method: 'POST', body: studies[0].studyInstanceUid });
    const [study] = (await lookup.json()) as { ID: string }[];
    const modalities = await orthanc.rest<{ MainDicomTags: { Modality: string } }[]>(`/studies/${study.ID}/series?expand`);
    expect(modalities.map((s) => s.MainDicomTags.Modality).sort()).toEqual(['CT', 'DOC', 'SEG', 'SR']);

    const db = openDatabase(dbFile, { readonly: true });
    try {
      const sends = listAudit(db).filter((e) => e.action === 'pacs.send');
      expect(sends).toHaveLength(3);
      // Each is tied to the store's record of the DICOM export it sent.
      expect(sends.every((e) => e.entity === 'dicom_exports' && e.entityId !== null && e.detail?.answer === 'success')).toBe(true);
    } finally {
      closeDatabase(db);
    }
  }, 240_000);

  it('refuses to send a file Hilum did not stage, and a wrong AE title is a named error', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const node = orthanc.node;
    const outside = await refusal('pacs.send', { node, files: [path.join(demo.seriesDir, readdirSync(demo.seriesDir)[0])] });
    expect(outside.code).toBe('PATH_NOT_ALLOWED');
    expect((await refusal('pacs.echo', { node: { ...node, aeTitle: 'NOT_THE_PACS' } })).code).toBe('PACS_ASSOCIATION_REJECTED');
    expect((await refusal('pacs.echo', { node: { ...node, port: 0 } })).code).toBe('API_INVALID_REQUEST');
  });

  it('a background retrieve reports its progress, and a cancel through the API keeps nothing; a new start runs to the end', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const relay = await holdingRelay(orthanc.node);
    try {
      const node = relay.node;
      const demoPatientId = (await orthanc.rest<{ MainDicomTags: { PatientID: string } }[]>('/patients?expand'))[0].MainDicomTags.PatientID;
      const { studies } = API['pacs.find'].response.parse(await call('pacs.find', { node, query: { patientId: demoPatientId } }));
      const studyInstanceUid = studies[0].studyInstanceUid;
      const slices = readdirSync(demo.seriesDir);
      const pacsDir = path.join(dataDir, 'pacs');
      const before = readdirSync(pacsDir).sort();
      // The PACS's answers stall after about three slices: the retrieve is part-way through.
      relay.hold(3 * statSync(path.join(demo.seriesDir, slices[0])).size);
      const { jobId } = API['pacs.retrieveStart'].response.parse(await call('pacs.retrieveStart', { node, studyInstanceUid }));
      expect((await refusal('pacs.retrieveStart', { node, studyInstanceUid })).code).toBe('PACS_RETRIEVE_RUNNING');
      const partway = await pollRetrieve(jobId, (s) => s.received > 0 || s.state !== 'running');
      expect(partway).toMatchObject({ jobId, state: 'running', expected: slices.length, result: null, error: null });
      expect(partway.received).toBeGreaterThan(0);
      expect(partway.received).toBeLessThan(slices.length);
      expect(readdirSync(pacsDir).some((f) => f.startsWith('.partial-'))).toBe(true);

      const cancelled = API['pacs.retrieveCancel'].response.parse(await call('pacs.retrieveCancel', { jobId }));
      expect(cancelled).toMatchObject({ jobId, state: 'cancelled', result: null });
      expect(cancelled.error?.code).toBe('PACS_CANCELLED');
      // Nothing half-imported: no partial folder, the series retrieved before untouched.
      expect(readdirSync(pacsDir).sort()).toEqual(before);
      expect(API['pacs.retrieveStatus'].response.parse(await call('pacs.retrieveStatus', { jobId })).state).toBe('cancelled');

      relay.release();
      const { jobId: again } = API['pacs.retrieveStart'].response.parse(await call('pacs.retrieveStart', { node, studyInstanceUid }));
      const finished = await pollRetrieve(again, (s) => s.state !== 'running');
      expect(finished).toMatchObject({ state: 'done', received: slices.length, expected: slices.length, error: null });
      expect(finished.result?.instances).toBe(slices.length);
      expect(readdirSync(finished.result!.folder)).toHaveLength(slices.length);
      // Cancelling a finished retrieve changes nothing.
      expect(API['pacs.retrieveCancel'].response.parse(await call('pacs.retrieveCancel', { jobId: again })).state).toBe('done');
    } finally {
      await relay.close();
    }
    // The requests are checked strictly; an unknown job is a named error.
    expect((await refusal('pacs.retrieveStatus', { jobId: 'job-1' })).code).toBe('API_INVALID_REQUEST');
    expect((await refusal('pacs.retrieveCancel', { jobId: randomUUID(), force: true })).code).toBe('API_INVALID_REQUEST');
    expect((await refusal('pacs.retrieveStart', { node: orthanc.node, studyInstanceUid: 'not a UID' })).code).toBe('API_INVALID_REQUEST');
    expect((await refusal('pacs.retrieveStatus', { jobId: randomUUID() })).code).toBe('PACS_JOB_UNKNOWN');
  }, 180_000);
});
