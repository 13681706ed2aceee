import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { loadVolume } from '../imaging/load.js';
import { importMask } from '../imaging/mask-import.js';
import type { BagConfig } from './bag-config.js';
import { type BagSlice, type SliceBag, sampleBag } from './sampler.js';

/** One patient of a cohort for the deep pipeline: where the CT and mask are, the centre and the label. */
export interface BagCase {
  id: string;
  centre: string;
  label: number;
  image: string;
  mask: string;
}

export interface BagIndexEntry {
  id: string;
  centre: string;
  label: number;
  /** Offset (in float32 values) of this patient's bag in bags.f32, and its shape (slices, channels, rows, columns). */
  offset: number;
  shape: [number, number, number, number];
  slices: Pick<BagSlice, 'plane' | 'offset' | 'usedOffset' | 'clamped'>[];
}

export interface BagIndex {
  engineVersion: string;
  config: BagConfig;
  cases: BagIndexEntry[];
}

/** One case's bag, cut from its CT and mask in this thread. */
export async function cutBag(c: Pick<BagCase, 'image' | 'mask'>, config: BagConfig): Promise<SliceBag> {
  const ct = (await loadVolume(c.image)).volume;
  const mask = (await importMask(c.mask, ct)).mask;
  return sampleBag(ct, mask, config);
}

/**
 * Writes the 2.5D bags of a cohort for the training recipe (models/training): bags.f32 (every
 * patient's bag, float32 little-endian, one after another) and index.json (the bag configuration
 * and, per patient, id, centre, label, offset and shape). The bags are cut by the same code that
 * cuts them at the bedside, so training and inference see identical inputs. Written under temporary
 * names and renamed at the end: an interrupted export leaves no half dataset.
 */
export async function exportBags(
  cases: BagCase[],
  outDir: string,
  config: BagConfig,
  onProgress?: (done: number, total: number) => void,
  /** Cuts one case's bag (by default here, in this thread); a caller may cut several at once elsewhere (worker threads): they are written in case order. */
  cut: (c: BagCase, config: BagConfig) => Promise<Pick<SliceBag, 'data' | 'shape' | 'slices'>> = cutBag,
): Promise<BagIndex> {
  if (!cases.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'no cases to export' });
  mkdirSync(outDir, { recursive: true });
  const dataPath = path.join(outDir, 'bags.f32');
  const partial = `${dataPath}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  const index: BagIndex = { engineVersion: engineVersion(), config, cases: [] };
  let offset = 0;
  try {
    // Every cut is asked for at once (a worker pool queues them); they are awaited and written in order.
    const bags = cases.map((c) => cut(c, config));
    bags.forEach((b) => b.catch(() => undefined)); // a failure is thrown below, in order; later ones must not go unhandled
    for (const [n, c] of cases.entries()) {
      const bag = await bags[n];
      writeSync(fd, new Uint8Array(bag.data.buffer, bag.data.byteOffset, bag.data.byteLength));
      index.cases.push({
        id: c.id,
        centre: c.centre,
        label: c.label,
        offset,
        shape: bag.shape,
        slices: bag.slices.map(({ plane, offset: o, usedOffset, clamped }) => ({ plane, offset: o, usedOffset, clamped })),
      });
      offset += bag.data.length;
      onProgress?.(n + 1, cases.length);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, dataPath);
  writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  return index;
}
