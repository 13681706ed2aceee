import { existsSync, readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { chooseSeries, loadSeriesVolume, scanDicom } from '../../../electron/engine/imaging/dicom/import.js';
import { writeCtSeries } from '../../../electron/engine/imaging/dicom/write-series.js';
import { newUid } from '../../../electron/engine/imaging/dicom/uid.js';
import { echoPacs } from '../../../electron/engine/pacs/echo.js';
import { findSeries, findStudies } from '../../../electron/engine/pacs/find.js';
import { parsePacsNode, type PacsNode } from '../../../electron/engine/pacs/node.js';
import { retrieveCtSeries, type RetrieveProgress } from '../../../electron/engine/pacs/retrieve.js';
import { sendAndRecord } from '../../../electron/engine/pacs/send-record.js';
import { closeDatabase, listAudit, openDatabase } from '../../../electron/engine/store/index.js';
import { startOrthanc, freePort, type OrthancInstance } from '../../orthanc.js';
import { tempDir } from '../../helpers.js';
import { indexVolume } from '../../synthetic.js';

const ctVolume = indexVolume([32, 32, 12]);
const ctStudy = newUid();
const ctSeries = newUid();
const mrStudy = newUid();
let orthanc: OrthancInstance | null = null;
let skipReason = '';
const work = tempDir('hilum-pacs-');

beforeAll(async () => {
  const started = await startOrthanc();
  if (!started.orthanc) {
    skipReason = started.reason;
    console.warn(`PACS tests skipped: ${skipReason}`);
    return;
  }
  orthanc = started.orthanc;
  const ct = await writeCtSeries(ctVolume, path.join(work.dir, 'ct'), {
    studyInstanceUid: ctStudy,
    seriesInstanceUid: ctSeries,
    patientId: 'PACS-TEST-01',
    patientName: 'TEST^PACS',
    studyDate: new Date(2026, 2, 14, 9, 30, 0),
    seriesDescription: 'Chest CT fixture',
  });
  // A study with no CT: the same writer, labelled MR (MR Image Storage, PS3.4 B.5).
  const mr = await writeCtSeries(indexVolume([8, 8, 3]), path.join(work.dir, 'mr'), {
    studyInstanceUid: mrStudy,
    patientId: 'PACS-TEST-02',
    patientName: 'TEST^NOCT',
    perSlice: () => ({ Modality: 'MR', SOPClassUID: '1.2.840.10008.5.1.4.1.1.4' }),
  });
  await orthanc.upload([...ct, ...mr]);
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  work.cleanup();
});

async function failure(run: Promise<unknown>): Promise<HilumError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof HilumError) return error;
    throw error;
  }
  throw new Error('expected a HilumError');
}

/** A TCP relay to Orthanc that drops both sides once `limit` bytes have come back from the PACS. */
async function cuttingRelay(target: PacsNode, limit: number): Promise<{ node: PacsNode; server: Server }> {
  const port = await freePort();
  const server = createServer((client: Socket) => {
    const upstream = connect(target.port, target.host);
    let passed = 0;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      passed += d.length;
      if (passed > limit) {
        client.destroy();
        upstream.destroy();
      } else client.write(d);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { node: { ...target, port }, server };
}

describe('PACS over DIMSE against a real Orthanc', () => {
  it('validates a PACS node', () => {
    const node = parsePacsNode({ name: 'PACS', aeTitle: 'ORTHANC', host: 'pacs.local', port: 104 });
    expect(node.callingAeTitle).toBe('HILUM');
    expect(node.timeoutMs).toBe(10_000);
    const bad = (() => {
      try {
        parsePacsNode({ name: 'PACS', aeTitle: 'A\\B', host: 'h', port: 70000 });
      } catch (error) {
        return error as HilumError;
      }
      return undefined;
    })();
    expect(bad?.code).toBe('PACS_CONFIG_INVALID');
    expect(bad?.message).toMatch(/aeTitle/);
    expect(bad?.message).toMatch(/port/);
  });

  it('echoes (C-ECHO)', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const result = await echoPacs(orthanc.node);
    expect(result.status).toBe(0);
    expect(result.roundTripMs).toBeGreaterThan(0);
  });

  it('names a PACS that is down, and a wrong AE title', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const down = await failure(echoPacs({ ...orthanc.node, port: await freePort(), timeoutMs: 3000 }));
    expect(down.code).toBe('PACS_UNREACHABLE');
    expect(down.message).toMatch(/ECONNREFUSED/);
    const wrongCalled = await failure(echoPacs({ ...orthanc.node, aeTitle: 'NOT_THE_PACS' }));
    expect(wrongCalled.code).toBe('PACS_ASSOCIATION_REJECTED');
    expect(wrongCalled.data?.reason).toBe(7);
  });

  it('finds studies and series (C-FIND)', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const byId = await findStudies(orthanc.node, { patientId: 'PACS-TEST-01' });
    expect(byId).toHaveLength(1);
    expect(byId[0]).toMatchObject({
      studyInstanceUid: ctStudy,
      patientId: 'PACS-TEST-01',
      patientName: 'TEST^PACS',
      studyDate: '20260314',
      modalities: ['CT'],
    });
    expect((await findStudies(orthanc.node, { patientName: 'TEST^*' })).map((s) => s.patientId).sort()).toEqual(['PACS-TEST-01', 'PACS-TEST-02']);
    expect((await findStudies(orthanc.node, { modality: 'CT' })).map((s) => s.studyInstanceUid)).toEqual([ctStudy]);
    expect(await findStudies(orthanc.node, { studyDate: '20270101-' })).toEqual([]);
    expect((await findStudies(orthanc.node, { studyDate: '20260301-20260331' })).map((s) => s.studyInstanceUid)).toEqual([ctStudy]);
    const series = await findSeries(orthanc.node, ctStudy);
    expect(series).toEqual([
      {
        studyInstanceUid: ctStudy,
        seriesInstanceUid: ctSeries,
        modality: 'CT',
        seriesNumber: expect.any(Number),
        seriesDescription: 'Chest CT fixture',
        instanceCount: 12,
      },
    ]);
    const badDate = await failure(findStudies(orthanc.node, { studyDate: 'March' }));
    expect(badDate.code).toBe('PACS_QUERY_INVALID');
  });

  it('retrieves the CT series (C-GET) with pixels equal to the fixture', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const dest = path.join(work.dir, 'managed');
    const seen: RetrieveProgress[] = [];
    const result = await retrieveCtSeries(orthanc.node, { studyInstanceUid: ctStudy }, dest, { onProgress: (p) => seen.push(p) });
    expect(result.folder).toBe(path.join(dest, ctSeries));
    expect(result.files).toHaveLength(12);
    expect(readdirSync(dest)).toEqual([ctSeries]);
    expect(seen.at(-1)).toMatchObject({ received: 12, total: 12 });
    const loaded = await loadSeriesVolume(chooseSeries(await scanDicom(result.folder)));
    expect(loaded.volume.dims).toEqual(ctVolume.dims);
    expect(Array.from(loaded.volume.voxels)).toEqual(Array.from(ctVolume.voxels));
    expect(loaded.volume.spacingMm[0]).toBeCloseTo(0.7, 6);
  });

  it('refuses a study with no CT, an unknown study, and keeps nothing', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const dest = path.join(work.dir, 'refused');
    const noCt = await failure(retrieveCtSeries(orthanc.node, { studyInstanceUid: mrStudy }, dest));
    expect(noCt.code).toBe('PACS_NO_CT');
    expect(noCt.message).toMatch(/MR/);
    const unknown = await failure(retrieveCtSeries(orthanc.node, { studyInstanceUid: newUid() }, dest));
    expect(unknown.code).toBe('PACS_NOT_FOUND');
    expect(existsSync(dest) ? readdirSync(dest) : []).toEqual([]);
  });

  it('an association aborted mid-transfer is a named error and leaves nothing half-imported', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const dest = path.join(work.dir, 'aborted');
    // The C-FIND answers fit under the limit; the cut falls inside the C-GET's instances.
    const relay = await cuttingRelay(orthanc.node, 20_000);
    try {
      const received: number[] = [];
      const aborted = await failure(retrieveCtSeries(relay.node, { studyInstanceUid: ctStudy }, dest, { onProgress: (p) => received.push(p.received) }));
      expect(aborted.code).toBe('PACS_ASSOCIATION_ABORTED');
      expect(received.some((n) => n > 0)).toBe(true);
      expect(received.at(-1)).toBeLessThan(12);
      expect(readdirSync(dest)).toEqual([]);
    } finally {
      relay.server.close();
    }
  });

  it('cancels a retrieve and keeps nothing', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const dest = path.join(work.dir, 'cancelled');
    const controller = new AbortController();
    const cancelled = await failure(
      retrieveCtSeries(orthanc.node, { studyInstanceUid: ctStudy }, dest, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.received === 3) controller.abort();
        },
      }),
    );
    expect(cancelled.code).toBe('PACS_CANCELLED');
    expect(readdirSync(dest)).toEqual([]);
  });

  it('a SOP class the PACS refuses is retried, then reported and audited, never lost silently', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    // A private SOP class Orthanc does not accept (UnknownSopClassAccepted: false).
    const files = await writeCtSeries(indexVolume([8, 8, 2]), path.join(work.dir, 'unknown-class'), {
      perSlice: () => ({ SOPClassUID: '1.2.826.0.1.3680043.9.9999.1' }),
    });
    const db = openDatabase(path.join(work.dir, 'send.db'));
    try {
      const failed = await failure(sendAndRecord(db, orthanc.node, files, 'tester', { retries: 1 }));
      expect(failed.code).toBe('PACS_SEND_FAILED');
      expect(failed.message).toMatch(/did not store 2 of 2/);
      const rows = listAudit(db).filter((e) => e.action.startsWith('pacs.'));
      expect(rows.map((e) => [e.action, e.detail?.attempts, e.detail?.status])).toEqual([
        ['pacs.send-failed', 2, null],
        ['pacs.send-failed', 2, null],
      ]);
      expect(String(rows[0].detail?.answer)).toMatch(/no presentation context/);
    } finally {
      closeDatabase(db);
    }
  });
});
