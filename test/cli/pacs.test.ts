import dcmjs from 'dcmjs';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseSeries, loadSeriesVolume, scanDicom } from '../../electron/engine/imaging/dicom/import.js';
import { closeDatabase, listAudit, openDatabase } from '../../electron/engine/store/index.js';
import { writeDicomOutputs, type DicomOutputs } from '../dicom-outputs.js';
import { tempDir } from '../helpers.js';
import { freePort, startOrthanc, type OrthancInstance } from '../orthanc.js';
import { indexVolume } from '../synthetic.js';
import { runCli } from './run-cli.js';

const volume = indexVolume([40, 36, 15]);
const tmp = tempDir('hilum-cli-pacs-');
let orthanc: OrthancInstance | null = null;
let skipReason = '';
let outputs: DicomOutputs;
let config: string;
const dbFile = () => path.join(tmp.dir, 'store', 'hilum.db');

beforeAll(async () => {
  const started = await startOrthanc();
  if (!started.orthanc) {
    skipReason = started.reason;
    console.warn(`hilum pacs tests skipped: ${skipReason}`);
    return;
  }
  orthanc = started.orthanc;
  outputs = await writeDicomOutputs(path.join(tmp.dir, 'fixture'), volume, {
    patientId: 'CLI-PACS-01',
    patientName: 'TEST^CLIPACS',
    seriesDescription: 'Chest CT',
  });
  await orthanc.upload(outputs.ctFiles);
  const n = orthanc.node;
  config = path.join(tmp.dir, 'pacs.yaml');
  writeFileSync(
    config,
    `default: test\nnodes:\n  - name: test\n    aeTitle: ${n.aeTitle}\n    host: ${n.host}\n    port: ${n.port}\n    callingAeTitle: ${n.callingAeTitle}\n    timeoutMs: 20000\n`,
  );
  const db = openDatabase(dbFile());
  closeDatabase(db);
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  tmp.cleanup();
});

interface OrthancInstanceRef {
  ID: string;
  MainDicomTags: { SOPInstanceUID: string };
}

describe('hilum pacs against a real Orthanc', () => {
  it('echo: from the configuration, and named errors for a PACS that is down or a wrong AE title', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const ok = await runCli(['pacs', 'echo', '--config', config]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/answered C-ECHO \(status 0\)/);
    const down = await runCli(['pacs', 'echo', '--aet', 'X', '--host', '127.0.0.1', '--port', String(await freePort()), '--timeout-ms', '3000']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error \[PACS_UNREACHABLE\]/);
    const wrong = await runCli(['pacs', 'echo', '--config', config, '--aet', 'WRONG_AE']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error \[PACS_ASSOCIATION_REJECTED\].*called AE title/);
  });

  it('find, then get into the managed image folder: pixels equal to the fixture', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const found = await runCli(['pacs', 'find', '--config', config, '--patient-name', 'TEST^CLI*', '--modality', 'CT', '--json']);
    expect(found.code).toBe(0);
    const studies = JSON.parse(found.stdout) as { studyInstanceUid: string; patientId: string }[];
    expect(studies).toEqual([expect.objectContaining({ studyInstanceUid: outputs.series.studyInstanceUid, patientId: 'CLI-PACS-01' })]);
    const series = await runCli(['pacs', 'find', '--config', config, '--study', studies[0].studyInstanceUid]);
    expect(series.stdout).toMatch(new RegExp(`^CT .* 15 images  ${outputs.series.seriesInstanceUid.replace(/\./g, '\\.')}  Chest CT`));
    const got = await runCli(['pacs', 'get', '--config', config, '--study', studies[0].studyInstanceUid, '--db', dbFile(), '--json']);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    const r = JSON.parse(got.stdout) as { folder: string; instances: number };
    expect(r.folder).toBe(path.join(tmp.dir, 'store', 'hilum-images', 'pacs', outputs.series.seriesInstanceUid));
    expect(r.instances).toBe(15);
    expect(readdirSync(r.folder)).toHaveLength(15);
    const loaded = await loadSeriesVolume(chooseSeries(await scanDicom(r.folder)));
    expect(Array.from(loaded.volume.voxels)).toEqual(Array.from(volume.voxels));
  });

  it('send: SEG, PDF and SR land in the CT study on Orthanc; every answer is in the audit log', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const sent = await runCli(['pacs', 'send', '--config', config, '--db', dbFile(), '--actor', 'dr-test', outputs.pdfFile, outputs.segFile, outputs.srFile]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/stored 3 instance\(s\)/);

    const lookup = await fetch(`${orthanc.httpUrl}/tools/lookup`, { method: 'POST', body: outputs.series.studyInstanceUid });
    const [study] = (await lookup.json()) as { ID: string; Type: string }[];
    expect(study.Type).toBe('Study');
    const instances = await orthanc.rest<OrthancInstanceRef[]>(`/studies/${study.ID}/instances`);
    expect(instances).toHaveLength(15 + 3);
    const byUid = new Map(instances.map((i) => [i.MainDicomTags.SOPInstanceUID, i.ID]));
    const tags = async (uid: string) => orthanc!.rest<Record<string, string>>(`/instances/${byUid.get(uid)}/simplified-tags`);
    expect(await tags(outputs.uids.pdf)).toMatchObject({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.104.1',
      Modality: 'DOC',
      StudyInstanceUID: outputs.series.studyInstanceUid,
    });
    expect(await tags(outputs.uids.seg)).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4', Modality: 'SEG' });
    expect(await tags(outputs.uids.sr)).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.33', Modality: 'SR' });
    // The PDF comes back byte for byte (its even-length pad aside).
    const pdfBack = await orthanc.restBytes(`/instances/${byUid.get(outputs.uids.pdf)}/content/0042-0011`);
    expect(pdfBack.length - outputs.pdfBytes.length).toBeLessThanOrEqual(1);
    expect(Buffer.from(pdfBack.subarray(0, outputs.pdfBytes.length)).equals(Buffer.from(outputs.pdfBytes))).toBe(true);
    // The SEG's bit-packed frames come back unchanged (Orthanc's copy of the file, read with dcmjs).
    const segBack = dcmjsParse(await orthanc.restBytes(`/instances/${byUid.get(outputs.uids.seg)}/file`));
    const segSent = dcmjsParse(readFileSync(outputs.segFile));
    const pixels = (d: Record<string, unknown>) => Buffer.from((d.PixelData as ArrayBuffer[])[0]);
    expect(pixels(segSent).length).toBeGreaterThan(0);
    expect(pixels(segBack).equals(pixels(segSent))).toBe(true);
    expect(segBack.SegmentSequence).toEqual(segSent.SegmentSequence);

    const db = openDatabase(dbFile(), { readonly: true });
    try {
      const sends = listAudit(db).filter((e) => e.action.startsWith('pacs.'));
      expect(sends.map((e) => [e.action, e.actor, e.detail?.sopInstanceUid, e.detail?.status, e.detail?.answer])).toEqual([
        ['pacs.send', 'dr-test', outputs.uids.pdf, 0, 'success'],
        ['pacs.send', 'dr-test', outputs.uids.seg, 0, 'success'],
        ['pacs.send', 'dr-test', outputs.uids.sr, 0, 'success'],
      ]);
    } finally {
      closeDatabase(db);
    }
  });

  it('a send to a PACS that is down fails with a named error and is recorded, not lost', async (ctx) => {
    if (!orthanc) return ctx.skip(skipReason);
    const port = String(await freePort());
    const failed = await runCli(['pacs', 'send', '--config', config, '--port', port, '--timeout-ms', '3000', '--db', dbFile(), outputs.srFile]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error \[PACS_UNREACHABLE\]/);
    const db = openDatabase(dbFile(), { readonly: true });
    try {
      const last = listAudit(db).at(-1)!;
      expect(last.action).toBe('pacs.send-failed');
      expect(last.detail).toMatchObject({ file: outputs.srFile, error: 'PACS_UNREACHABLE', node: `${orthanc.node.aeTitle}@127.0.0.1:${port}` });
    } finally {
      closeDatabase(db);
    }
  });
});

/** dcmjs's view of a file, naturalized (keywords as keys). */
function dcmjsParse(bytes: Uint8Array): Record<string, unknown> {
  const message = dcmjs.data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict) as Record<string, unknown>;
}
