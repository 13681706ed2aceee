import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { API, API_METHODS, isBinaryMethod } from '../../electron/api/contract.js';
import { type ApiLogEntry, type HandlerTable, type Handlers, dispatch } from '../../electron/api/dispatch.js';
import { HilumError } from '../../electron/engine/core/errors.js';
import { ROOT } from '../helpers.js';

/** A handler table whose every handler is a spy. */
function spyTable() {
  const log: ApiLogEntry[] = [];
  const handlers = Object.fromEntries(API_METHODS.map((m) => [m, vi.fn(async () => (isBinaryMethod(m) ? new ArrayBuffer(4) : {}))])) as unknown as Handlers;
  const table: HandlerTable = { handlers, log: (e) => log.push(e) };
  const called = () => API_METHODS.filter((m) => (handlers[m] as unknown as ReturnType<typeof vi.fn>).mock.calls.length > 0);
  return { table, log, handlers, called };
}

describe('dispatch: requests that do not match the contract', () => {
  const cases: [string, unknown][] = [
    ['not an object', 'app.info'],
    ['null', null],
    ['no params', { id: 1, method: 'app.info' }],
    ['params not an object', { id: 1, method: 'cases.get', params: 'P1' }],
    ['id of the wrong type', { id: { x: 1 }, method: 'app.info', params: {} }],
    ['extra key in the envelope', { id: 1, method: 'app.info', params: {}, admin: true }],
    ['unknown method', { id: 2, method: 'fs.readFile', params: { path: '/etc/passwd' } }],
    ['prototype key as method', { id: 2, method: '__proto__', params: {} }],
    ['wrong type', { id: 3, method: 'cases.get', params: { patientId: 42 } }],
    ['missing required parameter', { id: 4, method: 'images.open', params: {} }],
    ['extra parameter (strict schema)', { id: 5, method: 'cases.list', params: { search: 'x', sql: 'DROP TABLE patients' } }],
    ['seed of two numbers', { id: 6, method: 'segment.click', params: { volumeId: 'v', seedLps: [1, 2] } }],
    ['not a SHA-256', { id: 7, method: 'bundles.activate', params: { contentSha256: 'abc' } }],
    ['both seed and mask', { id: 8, method: 'predict.run', params: { image: '/x', seedLps: [0, 0, 0], maskId: 'm', clinical: { values: {} } } }],
    ['clinical with an unknown key', { id: 9, method: 'predict.run', params: { image: '/x', seedLps: [0, 0, 0], clinical: { values: {}, hacked: 1 } } }],
    ['bad language', { id: 10, method: 'predict.run', params: { image: '/x', seedLps: [0, 0, 0], clinical: { values: {} }, lang: 'fr' } }],
  ];
  for (const [name, message] of cases)
    it(`refuses ${name} with API_INVALID_REQUEST, logs it and runs no handler`, async () => {
      const { table, log, called } = spyTable();
      const answer = await dispatch(table, message);
      expect('error' in answer && answer.error.code).toBe('API_INVALID_REQUEST');
      if (!('error' in answer)) return;
      expect(Array.isArray(answer.error.data?.issues)).toBe(true);
      expect((answer.error.data?.issues as unknown[]).length).toBeGreaterThan(0);
      expect(called()).toEqual([]);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ level: 'warn', event: 'api.invalid-request' });
      expect(Number.isNaN(Date.parse(log[0].time))).toBe(false);
      expect(log[0].issues?.length).toBeGreaterThan(0);
      const expectedId =
        message && typeof message === 'object' && typeof (message as { id?: unknown }).id !== 'object' ? (message as { id: unknown }).id : null;
      expect(answer.id).toBe(expectedId ?? null);
    });

  it('logs the method and the issues of a bad request', async () => {
    const { table, log } = spyTable();
    await dispatch(table, { id: 'a', method: 'cases.get', params: { patientId: 42 } });
    expect(log[0].method).toBe('cases.get');
    expect(log[0].issues?.[0].path).toEqual(['patientId']);
  });
});

describe('dispatch: valid requests', () => {
  it('calls the handler with the parsed params (defaults filled in) and returns its result with the id', async () => {
    const { table, handlers } = spyTable();
    vi.mocked(handlers['cases.list']).mockResolvedValue([]);
    expect(await dispatch(table, { id: 7, method: 'cases.list', params: { search: 'P-1' } })).toEqual({ id: 7, result: [] });
    expect(handlers['cases.list']).toHaveBeenCalledWith({ search: 'P-1' });
    await dispatch(table, { id: 8, method: 'predict.run', params: { image: '/x', seedLps: [1, 2, 3], clinical: { values: { age_years: 60 } } } });
    expect(handlers['predict.run']).toHaveBeenCalledWith(
      expect.objectContaining({ lang: 'en', paper: 'A4', clinical: expect.objectContaining({ format: 'hilum-clinical/1' }) }),
    );
  });

  it('a binary method answers with an ArrayBuffer marked binary', async () => {
    const { table } = spyTable();
    const answer = await dispatch(table, { id: 1, method: 'images.voxels', params: { volumeId: 'v1' } });
    expect(answer).toMatchObject({ id: 1, binary: true });
    expect('result' in answer && answer.result).toBeInstanceOf(ArrayBuffer);
  });

  it('a HilumError crosses as its code, message, hint and data', async () => {
    const { table, handlers, log } = spyTable();
    vi.mocked(handlers['cases.get']).mockRejectedValue(
      new HilumError({ code: 'PATIENT_NOT_FOUND', message: 'no patient P9', hint: 'Check the id.', data: { patientId: 'P9' } }),
    );
    expect(await dispatch(table, { id: 2, method: 'cases.get', params: { patientId: 'P9' } })).toEqual({
      id: 2,
      error: { code: 'PATIENT_NOT_FOUND', message: 'no patient P9', hint: 'Check the id.', data: { patientId: 'P9' } },
    });
    expect(log).toEqual([]);
  });

  it('any other error becomes API_INTERNAL_ERROR: message logged, no stack sent', async () => {
    const { table, handlers, log } = spyTable();
    vi.mocked(handlers['bundles.list']).mockRejectedValue(new TypeError('cannot read properties of undefined (secret detail)'));
    const answer = await dispatch(table, { id: 3, method: 'bundles.list', params: {} });
    expect('error' in answer && answer.error.code).toBe('API_INTERNAL_ERROR');
    const text = JSON.stringify(answer);
    expect(text).not.toMatch(/secret detail|TypeError|at .*\.ts/);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      level: 'error',
      event: 'api.internal-error',
      method: 'bundles.list',
      message: 'cannot read properties of undefined (secret detail)',
    });
  });

  it('with checkResponses, a response that breaks its schema is an internal error (development check)', async () => {
    const { table, handlers, log } = spyTable();
    table.checkResponses = true;
    vi.mocked(handlers['cases.list']).mockResolvedValue([{ patientId: 1 }] as never);
    const answer = await dispatch(table, { id: 4, method: 'cases.list', params: {} });
    expect('error' in answer && answer.error.code).toBe('API_INTERNAL_ERROR');
    expect(log[0].event).toBe('api.invalid-response');
  });
});

describe('contract', () => {
  it('every method has a request schema and a response schema or binary', () => {
    for (const m of API_METHODS) {
      expect(typeof API[m].request.safeParse).toBe('function');
      expect(API[m].response === 'binary' || typeof API[m].response.safeParse === 'function').toBe(true);
    }
    expect(API_METHODS.filter(isBinaryMethod).sort()).toEqual(['images.voxels', 'report.pdf', 'segment.mask', 'segment.maskRegion']);
  });

  it('electron/api and electron/host never import electron; the client imports no Node module', () => {
    for (const dir of ['electron/api', 'electron/host'])
      for (const name of ['contract.ts', 'dispatch.ts', 'handlers.ts', 'client.ts', 'csp.ts', 'server.ts']) {
        let text: string;
        try {
          text = readFileSync(path.join(ROOT, dir, name), 'utf8');
        } catch {
          continue;
        }
        expect(text, `${dir}/${name}`).not.toMatch(/from\s+['"]electron['"]|require\(['"]electron['"]\)/);
      }
    const client = readFileSync(path.join(ROOT, 'electron/api/client.ts'), 'utf8');
    expect(client).not.toMatch(/from\s+['"](node:|ws['"]|zod)/);
    expect([...client.matchAll(/^import (?!type )/gm)]).toEqual([]);
  });
});
