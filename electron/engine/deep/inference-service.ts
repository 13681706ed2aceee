import { WorkerPool, siblingModule } from '../core/worker-pool.js';
import type { BagInference, ExecutionProvider, ProviderAttempt } from './backbone-session.js';
import type { ModelCard } from './model-card.js';
import type { SliceBag } from './sampler.js';

export interface OpenedModel {
  provider: ExecutionProvider;
  attempts: ProviderAttempt[];
  gpuNotice: string | null;
  sha256: string;
  card: ModelCard;
}

/**
 * Deep inference off the main thread: one worker holds the ONNX sessions (created once per model
 * and reused) and runs bags through them, so the caller's event loop keeps turning while a bag is
 * inferred. In the desktop app the same module runs in the main process; the engine stays free of Electron.
 */
export class DeepInferenceService {
  private readonly pool = new WorkerPool(siblingModule(import.meta.url, 'deep-worker'), 1);

  constructor(
    readonly modelDir: string,
    readonly providers?: ExecutionProvider[],
  ) {}

  /** Opens (or reuses) the session: the model's hash is checked and each provider smoke-tested. */
  open(): Promise<OpenedModel> {
    return this.pool.run<OpenedModel>('open', { modelDir: this.modelDir, providers: this.providers });
  }

  infer(bag: Pick<SliceBag, 'data' | 'shape'>): Promise<BagInference> {
    return this.pool.run<BagInference>('infer', { modelDir: this.modelDir, providers: this.providers, data: bag.data, shape: bag.shape });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
