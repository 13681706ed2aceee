/**
 * The renderer's one connection to the engine: the preload bridge under Electron, the loopback
 * host's WebSocket in a browser (`hilum serve`). Everything the UI does goes through `api()`.
 */
import { type ApiClient, connectApi } from '../../electron/api/client';

let client: Promise<ApiClient> | null = null;

export function api(): Promise<ApiClient> {
  client ??= connectApi();
  return client;
}
