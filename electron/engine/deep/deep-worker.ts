import { serveWorker } from '../core/worker-host.js';
import { type BackboneSession, type ExecutionProvider, inferBag, openBackbone } from './backbone-session.js';
import { loadBackbone } from './model-card.js';

/** Sessions opened in this worker, by model folder and provider list: created once, reused. */
const sessions = new Map<string, Promise<BackboneSession>>();

function sessionFor(modelDir: string, providers?: ExecutionProvider[]): Promise<BackboneSession> {
  const key = `${modelDir}|${providers?.join(',') ?? 'default'}`;
  let open = sessions.get(key);
  if (!open) {
    open = openBackbone(loadBackbone(modelDir), providers);
    sessions.set(key, open);
    // A failed open is not cached: the next request tries again.
    open.catch(() => sessions.delete(key));
  }
  return open;
}

/** Worker entry: ONNX Runtime's run() blocks its thread for the whole inference, so it runs here, never on the main thread. */
serveWorker({
  open: async (payload: { modelDir: string; providers?: ExecutionProvider[] }) => {
    const s = await sessionFor(payload.modelDir, payload.providers);
    return { provider: s.provider, attempts: s.attempts, gpuNotice: s.gpuNotice, sha256: s.backbone.sha256, card: s.backbone.card };
  },
  infer: async (payload: { modelDir: string; providers?: ExecutionProvider[]; data: Float32Array; shape: [number, number, number, number] }) =>
    inferBag(await sessionFor(payload.modelDir, payload.providers), { data: payload.data, shape: payload.shape }),
});
