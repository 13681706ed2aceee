/**
 * The loopback host (`hilum serve`): serves the built renderer and the API to a browser on this
 * machine only (docs/api.md).
 *
 * - Bound to 127.0.0.1, never to every interface; a random free port unless one is asked for.
 * - A random token per run (32 bytes, hex). The WebSocket `/api` needs it, offered as the
 *   subprotocol `hilum.<token>` (or `?token=`), compared in constant time; otherwise the upgrade is
 *   answered 401 and no connection is made. An Origin header other than the server's own origin,
 *   or a Host header other than its own address, is refused (403) — a web page elsewhere cannot
 *   talk to it, and DNS rebinding cannot reach it.
 * - Static files from dist/renderer: `/` is index.html; no path leaves the folder (403); every
 *   answer carries the renderer's Content-Security-Policy.
 * - Messages: JSON text frames `{id, method, params}` → `{id, result}` or `{id, error}`; a binary
 *   answer is a JSON frame `{id, binary: true, byteLength}` followed by one binary frame.
 * Each connection gets its own handler table (its own open images and masks).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { projectRoot } from '../engine/core/version.js';
import { type BinaryHeaderFrame } from '../api/contract.js';
import { CONTENT_SECURITY_POLICY } from '../api/csp.js';
import { type ApiLogEntry, dispatch } from '../api/dispatch.js';
import { createHandlerTable } from '../api/handlers.js';
import { StudyJobs } from '../api/study-handlers.js';

export const LOOPBACK = '127.0.0.1';
/** Largest request frame accepted (requests are small JSON objects). */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface HostOptions {
  /** Holds hilum.sqlite (unless dbFile says otherwise) and reports/. */
  dataDir: string;
  dbFile?: string;
  /** 0 (default): a random free port. */
  port?: number;
  /** The built renderer (default dist/renderer of the project). */
  staticDir?: string;
  /** Fixed token (tests); default 32 random bytes as hex. */
  token?: string;
  log?: (entry: ApiLogEntry | HostLogEntry) => void;
  /** Validate responses against their schemas (development and tests). */
  checkResponses?: boolean;
}

export interface HostLogEntry {
  time: string;
  level: 'info' | 'warn';
  event: 'host.refused' | 'host.connected' | 'host.disconnected';
  message: string;
}

export interface Host {
  server: http.Server;
  port: number;
  token: string;
  /** The address to open, with the token in the fragment. */
  url: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Constant-time comparison of a presented token with the run's token. */
export function tokenMatches(presented: string | null | undefined, token: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(token, 'utf8');
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of the guess.
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The token a WebSocket upgrade presents: a `hilum.<token>` subprotocol, else `?token=`. */
function presentedToken(request: http.IncomingMessage): string | null {
  const offered = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .find((s) => s.startsWith('hilum.'));
  if (offered) return offered.slice('hilum.'.length);
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  } catch {
    return null;
  }
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

/** Resolves a request path inside `root`, or says why not (403 for anything that tries to leave it). */
export function resolveStaticPath(root: string, requestUrl: string): { file: string } | { status: 400 | 403 | 404 } {
  const rawPath = requestUrl.split(/[?#]/, 1)[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return { status: 400 };
  const segments = decoded.split(/[/\\]/);
  if (segments.some((s) => s === '..')) return { status: 403 };
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return { status: 403 };
  if (!existsSync(file)) return { status: 404 };
  // Symbolic links that lead outside the folder are refused too.
  const real = realpathSync(file);
  if (!real.startsWith(root + path.sep)) return { status: 403 };
  if (!statSync(real).isFile()) return { status: 404 };
  return { file: real };
}

/** Where the host keeps its case store and reports: $HILUM_DATA, or ~/.local/share/hilum. */
export function defaultDataDir(): string {
  return process.env.HILUM_DATA ?? path.join(os.homedir(), '.local', 'share', 'hilum');
}

/** Starts the host; resolves once it listens on 127.0.0.1. */
export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const dataDir = path.resolve(options.dataDir);
  const dbFile = options.dbFile ?? path.join(dataDir, 'hilum.sqlite');
  const staticRoot = (() => {
    const dir = path.resolve(options.staticDir ?? path.join(projectRoot(), 'dist', 'renderer'));
    return existsSync(dir) ? realpathSync(dir) : dir;
  })();
  const log = options.log ?? ((entry) => process.stderr.write(JSON.stringify(entry) + '\n'));
  const hostLog = (level: HostLogEntry['level'], event: HostLogEntry['event'], message: string) =>
    log({ time: new Date().toISOString(), level, event, message });
  let port = 0;
  const ownHost = () => `${LOOPBACK}:${port}`;
  const ownOrigin = () => `http://${ownHost()}`;

  const server = http.createServer((req, res) => {
    if (req.headers.host !== ownHost()) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('Forbidden');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    if (!existsSync(staticRoot)) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('The renderer is not built (npm run build:renderer).');
      return;
    }
    const resolved = resolveStaticPath(staticRoot, req.url ?? '/');
    if ('status' in resolved) {
      const text = resolved.status === 403 ? 'Forbidden' : resolved.status === 400 ? 'Bad Request' : 'Not Found';
      res.writeHead(resolved.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end(text);
      return;
    }
    const size = statSync(resolved.file).size;
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': mimeType(resolved.file), 'Content-Length': String(size) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(resolved.file).pipe(res);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
    // Select the plain 'hilum' subprotocol when offered, so the token is not echoed back.
    handleProtocols: (protocols) => (protocols.has('hilum') ? 'hilum' : ([...protocols].find((p) => p.startsWith('hilum.')) ?? false)),
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== '/api') {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (req.headers.host !== ownHost() || (req.headers.origin !== undefined && req.headers.origin !== ownOrigin())) {
      hostLog('warn', 'host.refused', `WebSocket refused: origin ${req.headers.origin ?? '(none)'}, host ${req.headers.host ?? '(none)'}`);
      refuseUpgrade(socket, 403, 'Forbidden');
      return;
    }
    if (!tokenMatches(presentedToken(req), token)) {
      hostLog('warn', 'host.refused', 'WebSocket refused: missing or wrong token');
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // Cohort studies belong to the host, not to one page: a reload finds them still running.
  const studies = new StudyJobs();
  wss.on('connection', (ws: WebSocket) => {
    const table = createHandlerTable({ dataDir, dbFile, log, shell: 'browser', checkResponses: options.checkResponses, studies });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void (async () => {
        let message: unknown;
        try {
          message = isBinary ? undefined : JSON.parse(rawText(data));
        } catch {
          message = undefined;
        }
        const answer = await dispatch(table, message);
        if (ws.readyState !== WebSocket.OPEN) return;
        if ('result' in answer && answer.binary === true) {
          const header: BinaryHeaderFrame = { id: answer.id as string | number, binary: true, byteLength: answer.result.byteLength };
          // Both frames are queued in the same tick, so no other answer can come between them.
          ws.send(JSON.stringify(header));
          ws.send(Buffer.from(answer.result), { binary: true });
        } else ws.send(JSON.stringify(answer));
      })();
    });
    ws.on('close', () => table.dispose?.());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    token,
    url: `http://${LOOPBACK}:${port}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        void studies.cancelAll();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
