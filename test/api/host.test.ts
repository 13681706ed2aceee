import { writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API, type ApiResponse } from '../../electron/api/contract.js';
import { ApiError, type ApiClient, type WebSocketConstructor, createWebSocketClient } from '../../electron/api/client.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/api/csp.js';
import { writeImageFile } from '../../electron/engine/imaging/image-files.js';
import { type Host, startHost } from '../../electron/host/server.js';
import { tempDir } from '../helpers.js';
import { indexVolume } from '../synthetic.js';

const tmp = tempDir('hilum-host-');
const staticDir = path.join(tmp.dir, 'renderer');
const dataDir = path.join(tmp.dir, 'data');
const niftiFile = path.join(tmp.dir, 'ct.nii.gz');
const volume = indexVolume([7, 6, 5]);
const logs: unknown[] = [];
let host: Host;

beforeAll(async () => {
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html><head><title>Hilum</title></head><body></body></html>\n');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1);\n');
  writeFileSync(path.join(tmp.dir, 'secret.txt'), 'outside the static folder\n');
  writeImageFile(niftiFile, volume);
  host = await startHost({ dataDir, port: 0, staticDir, checkResponses: true, log: (e) => logs.push(e) });
});

afterAll(async () => {
  await host?.close();
  tmp.cleanup();
});

/** A raw HTTP GET (the path is sent exactly as given, without normalisation). */
function get(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket upgrade; resolves with 'open' or the HTTP status it was refused with. */
function tryConnect(url: string, options: { protocols?: string[]; origin?: string } = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options.protocols ?? [], options.origin ? { origin: options.origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
}

const apiUrl = () => `ws://127.0.0.1:${host.port}/api`;
const connect = (): Promise<ApiClient> => createWebSocketClient(apiUrl(), host.token, { WebSocket: WebSocket as unknown as WebSocketConstructor });

describe('loopback host: binding and access', () => {
  it('listens on 127.0.0.1 only, with a 64-hex token', () => {
    const address = host.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
  });

  it('refuses a WebSocket without the token, or with a wrong one, with 401', async () => {
    expect(await tryConnect(apiUrl())).toBe(401);
    expect(await tryConnect(apiUrl(), { protocols: ['hilum', `hilum.${'0'.repeat(64)}`] })).toBe(401);
    expect(await tryConnect(`${apiUrl()}?token=${host.token.slice(0, 63)}`)).toBe(401);
    expect(await tryConnect(apiUrl(), { protocols: ['hilum'] })).toBe(401);
  });

  it('accepts the token as a subprotocol or in the query', async () => {
    expect(await tryConnect(apiUrl(), { protocols: ['hilum', `hilum.${host.token}`] })).toBe('open');
    expect(await tryConnect(`${apiUrl()}?token=${host.token}`)).toBe('open');
  });

  it('refuses another origin even with the token, and accepts its own', async () => {
    const protocols = ['hilum', `hilum.${host.token}`];
    expect(await tryConnect(apiUrl(), { protocols, origin: 'http://evil.example' })).toBe(403);
    expect(await tryConnect(apiUrl(), { protocols, origin: `http://localhost:${host.port}` })).toBe(403);
    expect(await tryConnect(apiUrl(), { protocols, origin: `http://127.0.0.1:${host.port}` })).toBe('open');
  });
});

describe('loopback host: static files', () => {
  it('GET / returns index.html with the CSP header', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toMatch(/<title>Hilum<\/title>/);
  });

  it('serves assets with their MIME type', async () => {
    const r = await get('/assets/app.js');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses path traversal and answers 404 for missing files', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/%2E%2E/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt'])
      expect([403, 404], p).toContain((await get(p)).status);
    expect((await get('/../secret.txt')).body).not.toMatch(/outside/);
    expect((await get('/nothing.js')).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', { Host: 'attacker.example' })).status).toBe(403);
  });
});

describe('loopback host: the API over the WebSocket', () => {
  let client: ApiClient;
  beforeAll(async () => {
    client = await connect();
  });
  afterAll(() => client?.close());

  it('app.info', async () => {
    const info = await client.call('app.info', {});
    expect(API['app.info'].response.parse(info)).toEqual(info);
    expect(info.shell).toBe('browser');
    expect(info.languages).toEqual(['en', 'zh-CN']);
    expect(info.onnxProviders).toContain('cpu');
  });

  it('images.open then images.voxels: a binary frame of dims × 2 bytes with the volume’s values', async () => {
    const opened: ApiResponse<'images.open'> = await client.call('images.open', { path: niftiFile });
    expect(opened.dims).toEqual([7, 6, 5]);
    expect(opened.spacingMm[2]).toBeCloseTo(1.25, 5);
    expect(opened.huRange).toEqual([-1000, -1000 + 6 + 50 + 400]);
    const voxels = await client.call('images.voxels', { volumeId: opened.volumeId });
    expect(voxels).toBeInstanceOf(ArrayBuffer);
    expect(voxels.byteLength).toBe(7 * 6 * 5 * 2);
    expect(Array.from(new Int16Array(voxels))).toEqual(Array.from(volume.voxels));
  });

  it('the binary framing on the wire: a JSON header, then one binary frame', async () => {
    const ws = new WebSocket(apiUrl(), ['hilum', `hilum.${host.token}`]);
    await new Promise((resolve) => ws.once('open', resolve));
    const frames: { binary: boolean; data: Buffer }[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer, binary: boolean) => {
        frames.push({ binary, data });
        if (frames.length === 3) resolve();
      }),
    );
    ws.send(JSON.stringify({ id: 'o', method: 'images.open', params: { path: niftiFile } }));
    await new Promise((resolve) => ws.once('message', resolve));
    const volumeId = (JSON.parse(frames[0].data.toString()) as { result: { volumeId: string } }).result.volumeId;
    ws.send(JSON.stringify({ id: 'v', method: 'images.voxels', params: { volumeId } }));
    await done;
    ws.close();
    expect(frames[1].binary).toBe(false);
    expect(JSON.parse(frames[1].data.toString())).toEqual({ id: 'v', binary: true, byteLength: 420 });
    expect(frames[2].binary).toBe(true);
    expect(frames[2].data.length).toBe(420);
  });

  it('errors cross as ApiError with their code', async () => {
    const missing = path.join(tmp.dir, 'nope');
    await expect(client.call('images.scan', { path: missing })).rejects.toMatchObject({ name: 'ApiError', code: 'PATH_NOT_FOUND' });
    await expect(client.call('images.voxels', { volumeId: 'not-open' })).rejects.toMatchObject({ code: 'VOLUME_NOT_OPEN' });
    const bad = await client.call('cases.get', { patientId: 5 } as never).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).code).toBe('API_INVALID_REQUEST');
    expect(logs).toContainEqual(expect.objectContaining({ event: 'api.invalid-request', method: 'cases.get' }));
  });

  it('images.scan describes a NIfTI file as one series', async () => {
    const scan = await client.call('images.scan', { path: niftiFile });
    expect(scan.source).toBe('nifti');
    expect(scan.series).toHaveLength(1);
    expect(scan.series[0].dims).toEqual([7, 6, 5]);
  });

  it('an empty store: no cases, no bundles; report.pdf refuses files outside the reports folder', async () => {
    expect(await client.call('cases.list', {})).toEqual([]);
    expect(await client.call('bundles.list', {})).toEqual([]);
    mkdirSync(path.join(dataDir, 'reports'), { recursive: true });
    writeFileSync(path.join(dataDir, 'reports', 'r.pdf'), '%PDF-1.4 test');
    const pdf = await client.call('report.pdf', { reportFile: path.join(dataDir, 'reports', 'r.pdf') });
    expect(Buffer.from(pdf).toString()).toBe('%PDF-1.4 test');
    for (const reportFile of [path.join(tmp.dir, 'secret.txt'), '../../secret.txt', path.join(dataDir, 'reports', '..', '..', 'secret.txt'), '/etc/passwd'])
      await expect(client.call('report.pdf', { reportFile })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });
});
