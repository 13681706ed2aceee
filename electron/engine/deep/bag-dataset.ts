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
 * names and renamed at the end: an interrupted export leaves no half dataset. At most `inFlight`
 * cuts are asked for at a time (each holds a CT in memory until it is written), so a paper-sized
 * cohort is cut in bounded memory.
 */
export async function exportBags(
  cases: BagCase[],
  outDir: string,
  config: BagConfig,
  onProgress?: (done: number, total: number) => void,
  /** Cuts one case's bag (by default here, in this thread); a caller may cut several at once elsewhere (worker threads): they are written in case order. */
  cut: (c: BagCase, config: BagConfig) => Promise<Pick<SliceBag, 'data' | 'shape' | 'slices'>> = cutBag,
  /** Cuts asked for ahead of the one being written: 1 in this thread; about twice the workers for a pool. */
  inFlight = 1,
): Promise<BagIndex> {
  if (!cases.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'no cases to export' });
  if (!(Number.isInteger(inFlight) && inFlight >= 1))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `inFlight must be a whole number ≥ 1 (got ${inFlight})` });
  mkdirSync(outDir, { recursive: true });
  const dataPath = path.join(outDir, 'bags.f32');
  const partial = `${dataPath}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  const index: BagIndex = { engineVersion: engineVersion(), config, cases: [] };
  let offset = 0;
  const pending: Promise<Pick<SliceBag, 'data' | 'shape' | 'slices'>>[] = [];
  const ask = (n: number) => {
    if (n >= cases.length) return;
    const bag = cut(cases[n], config);
    bag.catch(() => undefined); // a failure is thrown below, in order; later ones must not go unhandled
    pending[n] = bag;
  };
  try {
    for (let n = 0; n < Math.min(inFlight, cases.length); n++) ask(n);
    for (const [n, c] of cases.entries()) {
      const bag = await pending[n];
      delete pending[n];
      ask(n + inFlight);
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
