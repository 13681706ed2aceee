/**
 * Eigenvalues of a real non-symmetric n×n matrix (row-major), without eigenvectors: Householder
 * reduction to upper Hessenberg form, then Francis double-shift QR iterations (the EISPACK
 * orthes/hqr algorithms, Wilkinson & Reinsch 1971). Used for the GLCM's maximal correlation
 * coefficient, which needs the eigenvalues of a non-symmetric matrix as numpy.linalg.eigvals gives
 * them. Returns real and imaginary parts.
 */
export function generalEigenvalues(matrix: Float64Array, n: number): { re: Float64Array; im: Float64Array } {
  const H = Float64Array.from(matrix);
  hessenberg(H, n);
  return hessenbergEigenvalues(H, n);
}

const at = (n: number, i: number, j: number) => i * n + j;

function hessenberg(H: Float64Array, n: number): void {
  const ort = new Float64Array(n);
  const high = n - 1;
  for (let m = 1; m <= high - 1; m++) {
    let scale = 0;
    for (let i = m; i <= high; i++) scale += Math.abs(H[at(n, i, m - 1)]);
    if (scale === 0) continue;
    let h = 0;
    for (let i = high; i >= m; i--) {
      ort[i] = H[at(n, i, m - 1)] / scale;
      h += ort[i] * ort[i];
    }
    let g = Math.sqrt(h);
    if (ort[m] > 0) g = -g;
    h -= ort[m] * g;
    ort[m] -= g;
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = high; i >= m; i--) f += ort[i] * H[at(n, i, j)];
      f /= h;
      for (let i = m; i <= high; i++) H[at(n, i, j)] -= f * ort[i];
    }
    for (let i = 0; i <= high; i++) {
      let f = 0;
      for (let j = high; j >= m; j--) f += ort[j] * H[at(n, i, j)];
      f /= h;
      for (let j = m; j <= high; j++) H[at(n, i, j)] -= f * ort[j];
    }
    ort[m] *= scale;
    H[at(n, m, m - 1)] = scale * g;
  }
}

function hessenbergEigenvalues(H: Float64Array, nn: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(nn);
  const im = new Float64Array(nn);
  const eps = 2 ** -52;
  const h = (i: number, j: number) => H[i * nn + j];
  const set = (i: number, j: number, v: number) => {
    H[i * nn + j] = v;
  };
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(h(i, j));
  let n = nn - 1;
  let exshift = 0;
  let iter = 0;
  let p = 0;
  let q = 0;
  let r = 0;
  let s = 0;
  let z = 0;
  let w: number;
  let x: number;
  let y: number;
  while (n >= 0) {
    let l = n;
    while (l > 0) {
      s = Math.abs(h(l - 1, l - 1)) + Math.abs(h(l, l));
      if (s === 0) s = norm;
      if (Math.abs(h(l, l - 1)) < eps * s) break;
      l--;
    }
    if (l === n) {
      re[n] = h(n, n) + exshift;
      im[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      w = h(n, n - 1) * h(n - 1, n);
      p = (h(n - 1, n - 1) - h(n, n)) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      x = h(n, n) + exshift;
      if (q >= 0) {
        z = p >= 0 ? p + z : p - z;
        re[n - 1] = x + z;
        re[n] = z !== 0 ? x - w / z : x + z;
        im[n - 1] = 0;
        im[n] = 0;
      } else {
        re[n - 1] = x + p;
        re[n] = x + p;
        im[n - 1] = z;
        im[n] = -z;
      }
      n -= 2;
      iter = 0;
    } else {
      x = h(n, n);
      y = h(n - 1, n - 1);
      w = h(n, n - 1) * h(n - 1, n);
      if (iter === 10) {
        exshift += x;
        for (let i = 0; i <= n; i++) set(i, i, h(i, i) - x);
        s = Math.abs(h(n, n - 1)) + Math.abs(h(n - 1, n - 2));
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= n; i++) set(i, i, h(i, i) - s);
          exshift += s;
          x = y = w = 0.964;
        }
      }
      if (++iter > 1000 * nn) throw new Error('eigenvalue iteration did not converge');
      let m = n - 2;
      while (m >= l) {
        z = h(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / h(m + 1, m) + h(m, m + 1);
        q = h(m + 1, m + 1) - z - r - s;
        r = h(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (Math.abs(h(m, m - 1)) * (Math.abs(q) + Math.abs(r)) < eps * (Math.abs(p) * (Math.abs(h(m - 1, m - 1)) + Math.abs(z) + Math.abs(h(m + 1, m + 1)))))
          break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        set(i, i - 2, 0);
        if (i > m + 2) set(i, i - 3, 0);
      }
      for (let k = m; k <= n - 1; k++) {
        const notLast = k !== n - 1;
        if (k !== m) {
          p = h(k, k - 1);
          q = h(k + 1, k - 1);
          r = notLast ? h(k + 2, k - 1) : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) set(k, k - 1, -s * x);
        else if (l !== m) set(k, k - 1, -h(k, k - 1));
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        // Only the active block l…n matters for the eigenvalues (EISPACK hqr).
        for (let j = k; j <= n; j++) {
          p = h(k, j) + q * h(k + 1, j);
          if (notLast) {
            p += r * h(k + 2, j);
            set(k + 2, j, h(k + 2, j) - p * z);
          }
          set(k, j, h(k, j) - p * x);
          set(k + 1, j, h(k + 1, j) - p * y);
        }
        for (let i = l; i <= Math.min(n, k + 3); i++) {
          p = x * h(i, k) + y * h(i, k + 1);
          if (notLast) {
            p += z * h(i, k + 2);
            set(i, k + 2, h(i, k + 2) - p * r);
          }
          set(i, k, h(i, k) - p);
          set(i, k + 1, h(i, k + 1) - p * q);
        }
      }
    }
  }
  return { re, im };
}
