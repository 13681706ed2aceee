/**
 * Correlation pruning exactly as caret::findCorrelation(x, cutoff, exact) (caret 6.0-93): for a pair
 * with |r| > cutoff, drop the member whose mean absolute correlation is larger.
 *
 * exact = TRUE: columns are first ordered by decreasing mean |r| (diagonal excluded); then for
 * i = 1, 2, … and j > i with |r_ij| > cutoff (both still kept), mean |r| of row i (over kept
 * columns, diagonal excluded) is compared with the mean of all kept entries outside row j
 * (caret's x2[-j, ]); i is dropped when its mean is larger, else j. Stops early when no kept
 * pair exceeds the cutoff. Names are returned in the reordered sequence, as caret does.
 *
 * exact = FALSE: the mean |r| per column (diagonal included) is replaced by its dense rank (caret
 * uses as.numeric(as.factor(.)), i.e. ranks of the values printed to 15 significant digits);
 * for every pair above the cutoff in column-major order of the upper triangle, the column is
 * dropped if its rank is larger than the row's, else the row; duplicates are removed in order.
 */
export interface FindCorrelationOptions {
  cutoff?: number;
  exact?: boolean;
}

/** Names of the features to drop, in caret's order. `matrix` is a full symmetric correlation matrix. */
export function findCorrelation(matrix: readonly (readonly number[])[], names: readonly string[], options: FindCorrelationOptions = {}): string[] {
  const cutoff = options.cutoff ?? 0.9;
  const exact = options.exact ?? names.length < 100;
  const idx = exact ? findExact(matrix, cutoff) : findFast(matrix, cutoff);
  return idx.map((i) => names[i]);
}

function findExact(matrix: readonly (readonly number[])[], cutoff: number): number[] {
  const k = matrix.length;
  if (k < 2) return [];
  const abs = matrix.map((row) => row.map(Math.abs));
  const avg = abs.map((row, j) => {
    let s = 0;
    for (let i = 0; i < k; i++) if (i !== j) s += abs[i][j];
    return s / (k - 1);
  });
  // order(decreasing = TRUE) is stable: ties keep their original order
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => avg[b] - avg[a] || a - b);
  const x = order.map((a) => order.map((b) => abs[a][b]));
  const x2: (number | null)[][] = x.map((row, i) => row.map((v, j) => (i === j ? null : v)));
  const deleted = new Array<boolean>(k).fill(false);
  const anyAbove = () => x2.some((row) => row.some((v) => v !== null && v > cutoff));
  const rowMean = (i: number) => {
    let s = 0;
    let c = 0;
    for (const v of x2[i])
      if (v !== null) {
        s += v;
        c++;
      }
    return c ? s / c : NaN;
  };
  const meanWithoutRow = (j: number) => {
    let s = 0;
    let c = 0;
    x2.forEach((row, r) => {
      if (r === j) return;
      for (const v of row)
        if (v !== null) {
          s += v;
          c++;
        }
    });
    return c ? s / c : NaN;
  };
  const drop = (i: number) => {
    deleted[i] = true;
    for (let t = 0; t < k; t++) x2[i][t] = x2[t][i] = null;
  };
  for (let i = 0; i < k - 1; i++) {
    if (!anyAbove()) break;
    if (deleted[i]) continue;
    for (let j = i + 1; j < k; j++) {
      if (deleted[i] || deleted[j]) continue;
      if (x[i][j] > cutoff) {
        const mn1 = rowMean(i);
        const mn2 = meanWithoutRow(j);
        if (mn1 > mn2) drop(i);
        else drop(j);
      }
    }
  }
  return order.filter((_, pos) => deleted[pos]);
}

function findFast(matrix: readonly (readonly number[])[], cutoff: number): number[] {
  const k = matrix.length;
  const avg = matrix.map((_, j) => {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.abs(matrix[i][j]);
    return s / k;
  });
  // as.factor on doubles: levels are the distinct values as printed with 15 significant digits
  const labels = avg.map((v) => Number(v.toPrecision(15)));
  const levels = [...new Set(labels)].sort((a, b) => a - b);
  const rank = labels.map((v) => levels.indexOf(v) + 1);
  const cols: number[] = [];
  const rows: number[] = [];
  for (let j = 0; j < k; j++)
    for (let i = 0; i < j; i++)
      if (Math.abs(matrix[i][j]) > cutoff) {
        cols.push(j);
        rows.push(i);
      }
  const out: number[] = [];
  cols.forEach((c, t) => {
    if (rank[c] > rank[rows[t]]) out.push(c);
  });
  cols.forEach((c, t) => {
    if (!(rank[c] > rank[rows[t]])) out.push(rows[t]);
  });
  return [...new Set(out)];
}
