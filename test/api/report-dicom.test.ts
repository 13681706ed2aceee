import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, type ApiResponse } from '../../electron/api/contract.js';
import { type ApiLogEntry, type HandlerTable, dispatch } from '../../electron/api/dispatch.js';
import { createHandlerTable } from '../../electron/api/handlers.js';
import { str } from '../../electron/engine/imaging/dicom/dataset.js';
import { readDicomFile } from '../../electron/engine/imaging/dicom/parse.js';
import { TAG } from '../../electron/engine/imaging/dicom/tags.js';
import { writeImageFile } from '../../electron/engine/imaging/image-files.js';
import { loadVolume } from '../../electron/engine/imaging/load.js';
import { tempDir } from '../helpers.js';

const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1';
const SEGMENTATION = '1.2.840.10008.5.1.4.1.1.66.4';

const tmp = tempDir('hilum-api-report-dicom-');
const dataDir = path.join(tmp.dir, 'data');
let table: HandlerTable;
let demo: ApiResponse<'demo.case'>;
let predicted: ApiResponse<'predict.run'>;

let nextId = 1;
async function call(method: string, params: unknown): Promise<unknown> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if ('error' in answer) throw Object.assign(new Error(answer.error.message), answer.error);
  return answer.result;
}
async function refusal(method: string, params: unknown): Promise<{ code: string; message: string; hint?: string }> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if (!('error' in answer)) throw new Error(`${method} was expected to fail`);
  return answer.error;
}

beforeAll(async () => {
  table = createHandlerTable({ dataDir, dbFile: path.join(dataDir, 'hilum.sqlite'), log: (_e: ApiLogEntry) => undefined, checkResponses: true });
  demo = API['demo.case'].response.parse(await call('demo.case', {}));
  predicted = API['predict.run'].response.parse(
    await call('predict.run', { image: demo.seriesDir, seedLps: demo.noduleCentreLps, clinical: demo.clinical, lang: 'en', paper: 'A4' }),
  );
}, 240_000);
afterAll(() => tmp.cleanup());

describe('predict.run on a DICOM series writes the report and mask as DICOM', () => {
  it('returns an Encapsulated PDF and a DICOM-SEG staged in <data>/dicom, in the source study', () => {
    expect(predicted.dicom).not.toBeNull();
    const { reportFile, segFile } = predicted.dicom!;
    for (const file of [reportFile, segFile]) {
      expect(existsSync(file)).toBe(true);
      expect(file.startsWith(path.join(dataDir, 'dicom') + path.sep)).toBe(true);
      expect(readFileSync(file).subarray(128, 132).toString('latin1')).toBe('DICM');
    }
    const report = readDicomFile(reportFile);
    expect(str(report, TAG.SOPClassUID)).toBe(ENCAPSULATED_PDF);
    expect(str(report, TAG.MIMETypeOfEncapsulatedDocument)).toBe('application/pdf');
    expect(str(readDicomFile(segFile), TAG.SOPClassUID)).toBe(SEGMENTATION);
    const source = readDicomFile(path.join(demo.seriesDir, readdirSync(demo.seriesDir).sort()[0]));
    expect(str(report, TAG.StudyInstanceUID)).toBe(str(source, TAG.StudyInstanceUID));
    // One staging folder per report, named after it.
    expect(path.basename(path.dirname(reportFile))).toBe(path.basename(predicted.report.file, '.pdf'));
  });

  it('records the three objects (PDF, SEG and the TID 1500 SR) in the case store', async () => {
    const record = API['cases.get'].response.parse(await call('cases.get', { patientId: predicted.stored!.patientId }));
    expect(predicted.dicomSr).toMatch(/sr-[0-9.]+\.dcm$/);
    expect(record.dicomExports.map((e) => e.filePath).sort()).toEqual([predicted.dicom!.reportFile, predicted.dicom!.segFile, predicted.dicomSr!].sort());
  });
});

describe('report.dicom copies them for PACS import', () => {
  it('copies both files into a new folder under their own names', async () => {
    const out = path.join(tmp.dir, 'pacs', 'new-folder');
    const { files } = API['report.dicom'].response.parse(await call('report.dicom', { ...predicted.dicom!, out }));
    expect(files).toEqual([path.join(out, path.basename(predicted.dicom!.reportFile)), path.join(out, path.basename(predicted.dicom!.segFile))]);
    expect(readFileSync(files[0]).equals(readFileSync(predicted.dicom!.reportFile))).toBe(true);
    expect(readFileSync(files[1]).equals(readFileSync(predicted.dicom!.segFile))).toBe(true);
    // Nothing but the two objects (no temporary file left behind).
    expect(readdirSync(out).sort()).toEqual(files.map((f) => path.basename(f)).sort());
  });

  it('never overwrites: an existing file is FILE_EXISTS with a hint, and nothing is copied', async () => {
    const out = path.join(tmp.dir, 'pacs', 'taken');
    mkdirSync(out, { recursive: true });
    const taken = path.join(out, path.basename(predicted.dicom!.segFile));
    writeFileSync(taken, 'keep me');
    const error = await refusal('report.dicom', { ...predicted.dicom!, out });
    expect(error.code).toBe('FILE_EXISTS');
    expect(error.hint).toBeTruthy();
    expect(readFileSync(taken, 'utf8')).toBe('keep me');
    expect(readdirSync(out)).toEqual([path.basename(taken)]);
  });

  it('refuses files outside its own DICOM folder, also through a symbolic link, and a relative destination', async () => {
    const out = path.join(tmp.dir, 'pacs', 'refused');
    const foreign = path.join(demo.seriesDir, readdirSync(demo.seriesDir).sort()[0]);
    expect((await refusal('report.dicom', { reportFile: foreign, segFile: predicted.dicom!.segFile, out })).code).toBe('PATH_NOT_ALLOWED');
    const sneaky = path.join(dataDir, 'dicom', 'sneaky.dcm');
    symlinkSync(foreign, sneaky);
    expect((await refusal('report.dicom', { reportFile: predicted.dicom!.reportFile, segFile: sneaky, out })).code).toBe('PATH_NOT_ALLOWED');
    const traversal = path.join(dataDir, 'dicom', '..', 'hilum.sqlite');
    expect((await refusal('report.dicom', { reportFile: traversal, segFile: predicted.dicom!.segFile, out })).code).toBe('PATH_NOT_ALLOWED');
    expect((await refusal('report.dicom', { reportFile: predicted.report.file, segFile: predicted.dicom!.segFile, out })).code).toBe('PATH_NOT_ALLOWED');
    expect((await refusal('report.dicom', { ...predicted.dicom!, out: 'relative/folder' })).code).toBe('INVALID_ARGUMENT');
    expect(existsSync(out)).toBe(false);
  });
});

describe('predict.run on a NIfTI image', () => {
  it('gives no DICOM objects (they need a DICOM source) and still the report', async () => {
    const nifti = path.join(tmp.dir, 'demo-ct.nii.gz');
    writeImageFile(nifti, (await loadVolume(demo.seriesDir)).volume);
    const fromNifti = API['predict.run'].response.parse(
      await call('predict.run', { image: nifti, seedLps: demo.noduleCentreLps, clinical: demo.clinical, lang: 'en', paper: 'A4' }),
    );
    expect(fromNifti.dicom).toBeNull();
    expect(existsSync(fromNifti.report.file)).toBe(true);
    expect(readdirSync(path.join(dataDir, 'dicom'))).not.toContain(path.basename(fromNifti.report.file, '.pdf'));
  }, 240_000);
});
