import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { qidoStudies, stowInstances } from '../../../electron/engine/pacs/dicomweb.js';
import type { PacsNode } from '../../../electron/engine/pacs/node.js';
import { sendAndRecord } from '../../../electron/engine/pacs/send-record.js';
import { closeDatabase, listAudit, openDatabase, type Db } from '../../../electron/engine/store/index.js';
import { writeDicomOutputs, type DicomOutputs } from '../../dicom-outputs.js';
import { tempDir } from '../../helpers.js';
import { freePort, startOrthanc, type OrthancInstance } from '../../orthanc.js';
import { indexVolume } from '../../synthetic.js';

const tmp = tempDir('hilum-dicomweb-');
let orthanc: OrthancInstance | null = null;
let skipReason = '';
let node: PacsNode;
let outputs: DicomOutputs;
let db: Db;

beforeAll(async () => {
  const started = await startOrthanc();
  if (!started.orthanc || !started.orthanc.dicomWeb) {
    skipReason = started.reason ?? 'the Orthanc DICOMweb plugin is not installed (Debian package "orthanc-dicomweb")';
    await started.orthanc?.stop();
    console.warn(`DICOMweb tests skipped: ${skipReason}`);
    return;
  }
  orthanc = started.orthanc;
  node = { ...orthanc.node, dicomWebUrl: `${orthanc.httpUrl}/dicom-web/` };
  outputs = await writeDicomOutputs(tmp.dir, indexVolume([20, 16, 6]), { patientId: 'WEB-01', patientName: 'TEST^DICOMWEB', studyDate: new Date(2026, 4, 2) });
  await orthanc.upload(outputs.ctFiles);
  db = openDatabase(path.join(tmp.dir, 'hilum.db'));
}, 60_000);

afterAll(async () => {
  if (db) closeDatabase(db);
  await orthanc?.stop();
  tmp.cleanup();
});

describe('DICOMweb against Orthanc’s plugin', () => {
  it('finds the study by QIDO-RS', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const studies = await qidoStudies(node, { patientId: 'WEB-01' });
    expect(studies).toEqual([
      expect.objectContaining({
        studyInstanceUid: outputs.series.studyInstanceUid,
        patientName: 'TEST^DICOMWEB',
        studyDate: '20260502',
        modalities: ['CT'],
        instanceCount: 6,
      }),
    ]);
    expect(await qidoStudies(node, { patientId: 'NOBODY' })).toEqual([]);
  });

  it('sends SEG, PDF and SR by STOW-RS into the CT study, each answer in the audit log', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const results = await sendAndRecord(db, node, [outputs.pdfFile, outputs.segFile, outputs.srFile], 'tester', { via: 'dicomweb' });
    expect(results.map((r) => [r.sopInstanceUid, r.stored, r.status])).toEqual([
      [outputs.uids.pdf, true, 0],
      [outputs.uids.seg, true, 0],
      [outputs.uids.sr, true, 0],
    ]);
    const lookup = await fetch(`${orthanc.httpUrl}/tools/lookup`, { method: 'POST', body: outputs.uids.sr });
    const [instance] = (await lookup.json()) as { ID: string; Type: string }[];
    expect(instance.Type).toBe('Instance');
    const tags = await orthanc.rest<Record<string, string>>(`/instances/${instance.ID}/simplified-tags`);
    expect(tags).toMatchObject({ StudyInstanceUID: outputs.series.studyInstanceUid, Modality: 'SR' });
    const audit = listAudit(db).filter((e) => e.action === 'pacs.send');
    expect(audit.map((e) => e.detail?.node)).toEqual(Array(3).fill(`STOW-RS ${node.dicomWebUrl}`));
  });

  it('a DICOMweb service that is down is PACS_UNREACHABLE', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const down = { ...node, dicomWebUrl: `http://127.0.0.1:${await freePort()}/dicom-web`, timeoutMs: 3000 };
    const error = await qidoStudies(down, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HilumError);
    expect((error as HilumError).code).toBe('PACS_UNREACHABLE');
    const stow = await stowInstances(down, [outputs.srFile]).catch((e: unknown) => e);
    expect((stow as HilumError).code).toBe('PACS_UNREACHABLE');
  });
});
