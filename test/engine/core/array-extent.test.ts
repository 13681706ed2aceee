import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { appendAll } from '../../../electron/engine/core/append-all.js';
import { arrayExtent, arrayMax, arrayMin } from '../../../electron/engine/core/array-extent.js';

describe('arrayMin / arrayMax / arrayExtent', () => {
  it('keep Math.min/Math.max semantics: NaN, signed zero, empty arrays, typed arrays', () => {
    expect(arrayMin([3, -1, 2])).toBe(-1);
    expect(arrayMax(new Int16Array([3, -1, 2]))).toBe(3);
    expect(arrayExtent(new Float32Array([0.5, -2.5, 7]))).toEqual([-2.5, 7]);
    expect(arrayMin([1, NaN, 0])).toBeNaN();
    expect(arrayMax([NaN, 1])).toBeNaN();
    expect(Object.is(arrayMin([0, -0]), -0)).toBe(true);
    expect(Object.is(arrayMax([-0, 0]), 0)).toBe(true);
    expect(arrayMin([])).toBe(Infinity);
    expect(arrayMax([])).toBe(-Infinity);
    expect(arrayExtent([])).toEqual([Infinity, -Infinity]);
  });

  it('work on arrays far longer than the call stack allows as arguments', () => {
    const big = Float64Array.from({ length: 2_000_000 }, (_, i) => Math.sin(i));
    big[1_234_567] = -5;
    big[7] = 9;
    expect(() => Math.min(...big)).toThrow(RangeError);
    expect(arrayMin(big)).toBe(-5);
    expect(arrayMax(big)).toBe(9);
    expect(arrayExtent(Array.from(big))).toEqual([-5, 9]);
  });
});

describe('appendAll', () => {
  it('appends in order, in place, at any length', () => {
    const target = [1, 2];
    expect(appendAll(target, [3, 4])).toBe(target);
    expect(target).toEqual([1, 2, 3, 4]);
    const many = new Array<number>(1_000_000).fill(1);
    expect(appendAll([], many)).toHaveLength(1_000_000);
  });
});

describe('lint guard against spreading arrays into call arguments', () => {
  it('rejects Math.min/max, push/unshift/splice and String.fromCharCode spreads in engine, renderer and script files', async () => {
    const eslint = new ESLint();
    const bad = [
      'export const a = (x: number[]) => Math.min(...x);',
      'export const b = (x: number[]) => Math.max(0, ...x);',
      'export const c = (t: number[], x: number[]) => t.push(...x);',
      'export const d = (t: number[], x: number[]) => t.splice(0, 0, ...x);',
      'export const e = (x: number[]) => String.fromCharCode(...x);',
    ];
    for (const file of ['electron/engine/core/lint-probe.ts', 'renderer/src/lint-probe.ts']) {
      for (const code of bad) {
        const [result] = await eslint.lintText(code, { filePath: file });
        expect(
          result.messages.map((m) => m.ruleId),
          `${file}: ${code}`,
        ).toContain('no-restricted-syntax');
      }
      const [ok] = await eslint.lintText('export const f = (v: [number, number, number]) => Math.hypot(...v) + Math.min(v[0], v[1]);', { filePath: file });
      expect(ok.messages).toEqual([]);
    }
  }, 60_000);
});
