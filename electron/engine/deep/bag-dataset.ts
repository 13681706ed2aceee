import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { loadVolume } from '../imaging/load.js';
import { importMask } from '../imaging/mask-import.js';
import type { BagConfig } from './bag-config.js';
import { type BagSlice, sampleBag } from './sampler.js';

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

/**
 * Writes the 2.5D bags of a cohort for the training recipe (models/training): bags.f32 (every
 * patient's bag, float32 little-endian, one after another) and index.json (the bag configuration
 * and, per patient, id, centre, label, offset and shape). The bags are cut by the same code that
 * cuts them at the bedside, so training and inference see identical inputs. Written under temporary
 * names and renamed at the end: an interrupted export leaves no half dataset.
 */
export async function exportBags(cases: BagCase[], outDir: string, config: BagConfig, onProgress?: (done: number, total: number) => void): Promise<BagIndex> {
  if (!cases.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'no cases to export' });
  mkdirSync(outDir, { recursive: true });
  const dataPath = path.join(outDir, 'bags.f32');
  const partial = `${dataPath}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  const index: BagIndex = { engineVersion: engineVersion(), config, cases: [] };
  let offset = 0;
  try {
    for (const [n, c] of cases.entries()) {
      const ct = (await loadVolume(c.image)).volume;
      const mask = (await importMask(c.mask, ct)).mask;
      const bag = sampleBag(ct, mask, config);
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
