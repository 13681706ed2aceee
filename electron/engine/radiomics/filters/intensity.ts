import { type BoxResponse, type FilterDomain, domainBox } from './domain.js';

/**
 * Point-wise intensity transforms (PyRadiomics imageoperations), each scaled back to the range of
 * the original image. M = max |x| over the whole domain (not only the ROI):
 *
 *   square        (x / √M)²                       (c = 1/√M)
 *   squareroot    √(M·x) for x > 0, −√(−M·x) for x < 0
 *   logarithm     log(x + 1) for x > 0, −log(1 − x) for x < 0, rescaled by M / max|log-image|
 *   exponential   exp((log M / M) · x)
 *
 * The logarithm's rescale uses the largest |log value| of the whole domain, which is
 * log(M + 1) (the transform is monotone in |x|).
 */
export type IntensityFilter = 'square' | 'squareroot' | 'logarithm' | 'exponential';

export function intensityResponse(domain: FilterDomain, kind: IntensityFilter): BoxResponse {
  const box = domainBox(domain);
  const v = box.values;
  const M = domain.maxAbs;
  switch (kind) {
    case 'square': {
      const c = 1 / Math.sqrt(M);
      for (let i = 0; i < v.length; i++) v[i] = (c * v[i]) ** 2;
      break;
    }
    case 'squareroot':
      for (let i = 0; i < v.length; i++) {
        if (v[i] > 0) v[i] = Math.sqrt(v[i] * M);
        else if (v[i] < 0) v[i] = -Math.sqrt(-v[i] * M);
      }
      break;
    case 'logarithm': {
      const logMax = Math.log(M + 1);
      for (let i = 0; i < v.length; i++) {
        if (v[i] > 0) v[i] = Math.log(v[i] + 1);
        else if (v[i] < 0) v[i] = -Math.log(-(v[i] - 1));
        v[i] = v[i] * (M / logMax);
      }
      break;
    }
    case 'exponential': {
      const c = Math.log(M) / M;
      for (let i = 0; i < v.length; i++) v[i] = Math.exp(c * v[i]);
      break;
    }
  }
  return box;
}
