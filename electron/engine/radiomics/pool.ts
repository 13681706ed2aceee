import { WorkerPool, defaultPoolSize, siblingModule } from '../core/worker-pool.js';

/** A pool of radiomics workers (one derived image per task). Close it when done. */
export function createRadiomicsPool(size: number = defaultPoolSize()): WorkerPool {
  return new WorkerPool(siblingModule(import.meta.url, 'radiomics-worker'), size);
}
