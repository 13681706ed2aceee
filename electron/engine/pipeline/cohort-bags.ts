import type { BagConfig } from '../deep/bag-config.js';
import { type BagCase, type BagIndex, exportBags } from '../deep/bag-dataset.js';
import type { SliceBag } from '../deep/sampler.js';
import { WorkerPool, siblingModule } from '../core/worker-pool.js';

/**
 * Cuts a cohort's 2.5D bags `jobs` at a time in worker threads (the feature extraction's) and writes
 * them in case order (exportBags). At most two cuts per worker wait to be written, so memory stays
 * bounded for a paper-sized cohort.
 */
export async function exportCohortBags(
  cases: BagCase[],
  outDir: string,
  config: BagConfig,
  jobs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<BagIndex> {
  const workers = Math.max(1, Math.min(Math.floor(jobs) || 1, cases.length));
  const pool = new WorkerPool(siblingModule(import.meta.url, 'cohort-features-worker'), workers);
  try {
    return await exportBags(
      cases,
      outDir,
      config,
      onProgress,
      (c, cfg) => pool.run<Pick<SliceBag, 'data' | 'shape' | 'slices'>>('bag', { image: c.image, mask: c.mask, config: cfg }),
      2 * workers,
    );
  } finally {
    await pool.close();
  }
}
