import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { DEFAULT_BAG_CONFIG } from '../../../electron/engine/deep/bag-config.js';
import { type BagCase, exportBags } from '../../../electron/engine/deep/bag-dataset.js';
import type { SliceBag } from '../../../electron/engine/deep/sampler.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'hilum-bags-'));
  dirs.push(d);
  return d;
};

const cases: BagCase[] = Array.from({ length: 9 }, (_, n) => ({ id: `P${n}`, centre: 'A', label: n % 2, image: `img${n}`, mask: `mask${n}` }));

/** A cutter whose cuts finish in a scrambled order, counting how many are asked for at once. */
function countingCutter(failAt?: string) {
  const state = { inFlight: 0, most: 0, asked: [] as string[] };
  const cut = async (c: BagCase): Promise<Pick<SliceBag, 'data' | 'shape' | 'slices'>> => {
    state.asked.push(c.id);
    state.inFlight++;
    state.most = Math.max(state.most, state.inFlight);
    const n = Number(c.id.slice(1));
    await new Promise((r) => setTimeout(r, ((n * 7) % 5) * 3));
    state.inFlight--;
    if (c.id === failAt) throw new HilumError({ code: 'MASK_EMPTY', message: `${c.id}: empty mask` });
    return {
      data: Float32Array.from([n, n + 0.5]),
      shape: [1, 1, 1, 2],
      slices: [{ plane: 'axial', offset: 0, usedOffset: 0, clamped: false } as SliceBag['slices'][number]],
    };
  };
  return { state, cut };
}

describe('exportBags', () => {
  it('asks for at most `inFlight` cuts at a time and writes the bags in case order', async () => {
    for (const inFlight of [1, 3]) {
      const out = tempDir();
      const { state, cut } = countingCutter();
      const index = await exportBags(cases, out, DEFAULT_BAG_CONFIG, undefined, cut, inFlight);
      expect(state.most).toBe(inFlight);
      expect(state.asked).toEqual(cases.map((c) => c.id));
      expect(index.cases.map((c) => [c.id, c.offset])).toEqual(cases.map((c, n) => [c.id, 2 * n]));
      const values = new Float32Array(new Uint8Array(readFileSync(path.join(out, 'bags.f32'))).buffer);
      expect(Array.from(values)).toEqual(cases.flatMap((_, n) => [n, n + 0.5]));
    }
  });

  it('a failed cut stops the export with its error, in case order, and leaves no bags.f32', async () => {
    const out = tempDir();
    const { cut } = countingCutter('P4');
    await expect(exportBags(cases, out, DEFAULT_BAG_CONFIG, undefined, cut, 3)).rejects.toMatchObject({ code: 'MASK_EMPTY' });
    expect(existsSync(path.join(out, 'bags.f32'))).toBe(false);
    expect(existsSync(path.join(out, 'index.json'))).toBe(false);
    expect(readdirSync(out).every((f) => f.startsWith('bags.f32.partial-'))).toBe(true);
  });

  it('refuses an inFlight that is not a whole number ≥ 1', async () => {
    const { cut } = countingCutter();
    await expect(exportBags(cases, tempDir(), DEFAULT_BAG_CONFIG, undefined, cut, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
