/**
 * A private Orthanc for the PACS tests: Debian's `Orthanc` binary started on 127.0.0.1 with free
 * ports, a known AE title, no remote HTTP access, storage in a temporary folder and the DICOMweb
 * plugin when it is installed. `startOrthanc` returns null (with the reason) when no Orthanc can run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PacsNode } from '../electron/engine/pacs/node.js';

export const ORTHANC_AET = 'HILUMTESTPACS';
export const HILUM_AET = 'HILUM';

const BINARIES = ['/usr/sbin/Orthanc', '/usr/bin/Orthanc', '/usr/local/bin/Orthanc'];
const DICOMWEB_PLUGINS = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/libOrthancDicomWeb.so'];

export interface OrthancInstance {
  node: PacsNode;
  httpUrl: string;
  dicomWeb: boolean;
  dir: string;
  /** GET a REST resource as JSON. */
  rest: <T = unknown>(resource: string) => Promise<T>;
  /** GET a REST resource as bytes. */
  restBytes: (resource: string) => Promise<Uint8Array>;
  /** Stores DICOM files through the REST API (POST /instances); returns their Orthanc ids. */
  upload: (files: readonly string[]) => Promise<string[]>;
  stop: () => Promise<void>;
}

export type OrthancStart = { orthanc: OrthancInstance; reason?: undefined } | { orthanc: null; reason: string };

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A relay in front of a PACS whose answers can be held back mid-transfer (see `holdingRelay`). */
export interface HoldingRelay {
  /** The PACS node as reached through the relay. */
  node: PacsNode;
  /** From now on, each connection passes `limit` bytes of the PACS's answers on, then holds the rest back. */
  hold: (limit: number) => void;
  /** Passes everything on again, what was held back first. */
  release: () => void;
  close: () => Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to a PACS that, while holding, stops passing on a connection's answers
 * once `limit` bytes of them have gone through: a C-GET stalls part-way through the series, so a
 * test can watch its progress and cancel it. The C-FIND answers fit under a limit of a few slices.
 */
export async function holdingRelay(target: PacsNode): Promise<HoldingRelay> {
  const port = await freePort();
  let limit = Infinity;
  const links = new Set<{ client: Socket; upstream: Socket; passed: number; held: Buffer[] }>();
  const flush = (link: { client: Socket; upstream: Socket; passed: number; held: Buffer[] }) => {
    for (const chunk of link.held.splice(0)) link.client.write(chunk);
    link.upstream.resume();
  };
  const server = createServer((client: Socket) => {
    const upstream = connect(target.port, target.host);
    const link = { client, upstream, passed: 0, held: [] as Buffer[] };
    links.add(link);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (link.held.length || link.passed + d.length > limit) {
        link.held.push(d);
        upstream.pause();
        return;
      }
      link.passed += d.length;
      client.write(d);
    });
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    node: { ...target, port },
    hold: (bytes) => {
      limit = bytes;
    },
    release: () => {
      limit = Infinity;
      for (const link of links) flush(link);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of links) {
          link.client.destroy();
          link.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

export async function startOrthanc(): Promise<OrthancStart> {
  const binary = BINARIES.find((b) => existsSync(b)) ?? (spawnSync('which', ['Orthanc']).stdout?.toString().trim() || undefined);
  if (!binary) return { orthanc: null, reason: 'Orthanc is not installed (Debian package "orthanc")' };
  const dicomWebPlugin = DICOMWEB_PLUGINS.find((p) => existsSync(p));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hilum-orthanc-'));
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const config = {
    Name: 'HilumTestPacs',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'storage'),
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomServerEnabled: true,
    DicomAet: ORTHANC_AET,
    DicomPort: dicomPort,
    DicomCheckCalledAet: true,
    DicomCheckModalityHost: true,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: false,
    DicomModalities: {
      hilum: { AET: HILUM_AET, Host: '127.0.0.1', Port: 1, AllowEcho: true, AllowFind: true, AllowGet: true, AllowMove: false, AllowStore: true },
    },
    UnknownSopClassAccepted: false,
    StorageCompression: false,
    ConcurrentJobs: 1,
    HttpDescribeErrors: true,
    Plugins: dicomWebPlugin ? [dicomWebPlugin] : [],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  const configFile = path.join(dir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = path.join(dir, 'orthanc.log');
  const log = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(binary, [configFile], { stdio: ['ignore', log, log] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { orthanc: null, reason: `Orthanc did not start: ${String(error)}` };
  }
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
      await stop();
      return { orthanc: null, reason: `Orthanc exited at start:\n${tail}` };
    }
    try {
      const response = await fetch(`${httpUrl}/system`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { orthanc: null, reason: 'Orthanc did not answer on its HTTP port within 30 s' };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const rest = async <T>(resource: string): Promise<T> => {
    const response = await fetch(`${httpUrl}${resource}`);
    if (!response.ok) throw new Error(`Orthanc GET ${resource}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const restBytes = async (resource: string): Promise<Uint8Array> => {
    const response = await fetch(`${httpUrl}${resource}`);
    if (!response.ok) throw new Error(`Orthanc GET ${resource}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const upload = async (files: readonly string[]): Promise<string[]> => {
    const ids: string[] = [];
    for (const file of files) {
      const response = await fetch(`${httpUrl}/instances`, { method: 'POST', body: readFileSync(file) });
      if (!response.ok) throw new Error(`Orthanc refused ${file}: HTTP ${response.status} ${await response.text()}`);
      ids.push(((await response.json()) as { ID: string }).ID);
    }
    return ids;
  };
  const node: PacsNode = { name: 'test Orthanc', aeTitle: ORTHANC_AET, host: '127.0.0.1', port: dicomPort, callingAeTitle: HILUM_AET, timeoutMs: 20_000 };
  return { orthanc: { node, httpUrl, dicomWeb: dicomWebPlugin !== undefined, dir, rest, restBytes, upload, stop } };
}
