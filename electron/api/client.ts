/**
 * The typed API client the renderer uses (docs/api.md). It runs in the browser: no Node modules,
 * and only types from the contract (so zod and the engine stay out of the renderer bundle).
 *
 * - `createWebSocketClient(url, token)`: the loopback host (`hilum serve`). Requests and answers
 *   are JSON text frames; a binary answer is a JSON header `{id, binary: true, byteLength}`
 *   followed by exactly one binary frame.
 * - `createBridgeClient(window.hilum)`: the Electron preload's `call`, which forwards over IPC.
 * - `connectApi()`: picks the preload when present, otherwise the host named by the page's URL
 *   (the token is in the fragment `#token=…`, which browsers never send to a server).
 */
import type { ApiErrorPayload, ApiMethod, ApiRequest, ApiResponse } from './contract.js';

/** An API error: the engine's code, message, hint and data. */
export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;
  constructor(payload: ApiErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
    this.code = payload.code;
    this.hint = payload.hint;
    this.data = payload.data;
  }
}

export interface ApiClient {
  call<M extends ApiMethod>(method: M, params: ApiRequest<M>): Promise<ApiResponse<M>>;
  close(): void;
}

/** The part of the WebSocket API the client needs (the browser's WebSocket, or the `ws` package's). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** The subprotocol the host selects; the token travels as a second offered subprotocol `hilum.<token>`. */
export const API_SUBPROTOCOL = 'hilum';

export interface WebSocketClientOptions {
  /** WebSocket implementation (default: the global one of the browser). */
  WebSocket?: WebSocketConstructor;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function isErrorPayload(value: unknown): value is ApiErrorPayload {
  return !!value && typeof value === 'object' && typeof (value as ApiErrorPayload).code === 'string' && typeof (value as ApiErrorPayload).message === 'string';
}

/** Connects to the host's `/api` endpoint; resolves once the connection is open. */
export function createWebSocketClient(url: string, token: string, options: WebSocketClientOptions = {}): Promise<ApiClient> {
  const Impl = options.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) return Promise.reject(new ApiError({ code: 'API_NO_TRANSPORT', message: 'this environment has no WebSocket' }));
  const socket = new Impl(url, [API_SUBPROTOCOL, `hilum.${token}`]);
  socket.binaryType = 'arraybuffer';
  const pending = new Map<string, Pending>();
  let nextId = 1;
  /** The id whose binary frame comes next (set by a binary header). */
  let awaitingBinary: { id: string; byteLength: number } | null = null;
  let closed: ApiError | null = null;

  function failAll(error: ApiError) {
    closed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') {
      const bytes = event.data instanceof ArrayBuffer ? event.data : ArrayBuffer.isView(event.data) ? copyView(event.data) : null;
      const target = awaitingBinary;
      awaitingBinary = null;
      if (!target || !bytes) return;
      const p = pending.get(target.id);
      pending.delete(target.id);
      if (bytes.byteLength !== target.byteLength)
        p?.reject(new ApiError({ code: 'API_PROTOCOL_ERROR', message: `expected ${target.byteLength} bytes, got ${bytes.byteLength}` }));
      else p?.resolve(bytes);
      return;
    }
    let frame: { id?: unknown; result?: unknown; error?: unknown; binary?: unknown; byteLength?: unknown };
    try {
      frame = JSON.parse(event.data) as typeof frame;
    } catch {
      return;
    }
    const id = String(frame.id);
    if (frame.binary === true && typeof frame.byteLength === 'number') {
      awaitingBinary = { id, byteLength: frame.byteLength };
      return;
    }
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (isErrorPayload(frame.error)) p.reject(new ApiError(frame.error));
    else p.resolve(frame.result);
  };

  const client: ApiClient = {
    call<M extends ApiMethod>(method: M, params: ApiRequest<M>): Promise<ApiResponse<M>> {
      if (closed) return Promise.reject(closed);
      const id = `r${nextId++}`;
      return new Promise<ApiResponse<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close() {
      socket.close(1000, 'client closed');
    },
  };

  return new Promise<ApiClient>((resolve, reject) => {
    let opened = false;
    socket.onopen = () => {
      opened = true;
      resolve(client);
    };
    socket.onerror = () => {
      if (!opened)
        reject(
          new ApiError({
            code: 'API_CONNECTION_FAILED',
            message: `cannot connect to ${url}`,
            hint: 'Check that `hilum serve` is running and the address (with its token) is complete.',
          }),
        );
    };
    socket.onclose = (event) => {
      const error = new ApiError({
        code: 'API_CONNECTION_CLOSED',
        message: `the connection to Hilum closed (${event.code}${event.reason ? ' ' + event.reason : ''})`,
      });
      if (!opened) reject(error);
      failAll(error);
    };
  });
}

function copyView(view: ArrayBufferView): ArrayBuffer {
  const out = new Uint8Array(view.byteLength);
  out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return out.buffer;
}

/** What the Electron preload exposes as `window.hilum` (electron/app/preload.cts). */
export interface HilumBridge {
  shell: 'electron';
  /** Resolves with the result; rejects with a plain `{code, message, hint, data}` object. */
  call(method: string, params: unknown): Promise<unknown>;
}

/** A client over the Electron preload (errors become ApiError again: the bridge passes them as plain objects). */
export function createBridgeClient(bridge: HilumBridge): ApiClient {
  return {
    async call<M extends ApiMethod>(method: M, params: ApiRequest<M>): Promise<ApiResponse<M>> {
      try {
        return (await bridge.call(method, params)) as ApiResponse<M>;
      } catch (error) {
        if (isErrorPayload(error)) throw new ApiError(error);
        throw error;
      }
    },
    close() {},
  };
}

/** The token in a page URL's fragment (`#token=…`), or null. */
export function tokenFromFragment(hash: string): string | null {
  const match = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(hash);
  return match ? match[1] : null;
}

/** In the renderer: the preload's bridge under Electron, else the loopback host that served the page. */
export async function connectApi(): Promise<ApiClient> {
  const g = globalThis as unknown as { hilum?: HilumBridge; location?: { host: string; hash: string } };
  if (g.hilum?.call) return createBridgeClient(g.hilum);
  const token = g.location ? tokenFromFragment(g.location.hash) : null;
  if (!g.location || !token)
    throw new ApiError({
      code: 'API_NO_TOKEN',
      message: 'this page was opened without its access token',
      hint: 'Open the full address that `hilum serve` printed.',
    });
  return createWebSocketClient(`ws://${g.location.host}/api`, token);
}
