/**
 * Correlation matrices as R's cor(X): Pearson's r on centred columns, and Spearman's ρ as
 * Pearson's r of the midranks (cor(X, method = "spearman")).
 */
import { HilumError } from '../core/errors.js';
import { mean, midranks } from './descriptive.js';

export type CorrelationMethod = 'pearson' | 'spearman';

/** Pearson correlation of two equally long vectors. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman rank correlation of two equally long vectors. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(midranks(a), midranks(b));
}

/** Correlation matrix of named columns (row/column order = `names`). A constant column is refused. */
export function correlationMatrix(columns: Record<string, ArrayLike<number>>, names: readonly string[], method: CorrelationMethod = 'pearson'): number[][] {
  const prepared = names.map((name) => {
    const v = columns[name];
    const x = method === 'spearman' ? midranks(v) : Float64Array.from(v);
    const m = mean(x);
    let ss = 0;
    for (let i = 0; i < x.length; i++) {
      x[i] -= m;
      ss += x[i] * x[i];
    }
    if (!(ss > 0))
      throw new HilumError({
        code: 'CONSTANT_FEATURE',
        message: `feature '${name}' is constant; its correlation with other features is undefined`,
        data: { name },
      });
    return { x, norm: Math.sqrt(ss) };
  });
  const k = names.length;
  const out = Array.from({ length: k }, () => new Array<number>(k).fill(1));
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const xa = prepared[a].x;
      const xb = prepared[b].x;
      let s = 0;
      for (let i = 0; i < xa.length; i++) s += xa[i] * xb[i];
      const r = Math.max(-1, Math.min(1, s / (prepared[a].norm * prepared[b].norm)));
      out[a][b] = out[b][a] = r;
    }
  return out;
}
