import { describe, expect, it } from 'vitest';
import type { Mat3, Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';
import { extractCaseRadiomics } from '../../../electron/engine/pipeline/radiomics-regions.js';
import { peritumoralPrefix, peritumoralRing } from '../../../electron/engine/radiomics/peritumoral.js';
import { parseParameters } from '../../../electron/engine/radiomics/settings.js';
import { parseProtocol } from '../../../electron/engine/signatures/protocol.js';
import { errorOf } from '../../helpers.js';

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const dims: Vec3 = [40, 40, 16];
const spacingMm: Vec3 = [0.7, 0.7, 2.5];
const centreMm = [14, 14, 20];
/** A ball of radius 5 mm (label 2, as a multi-label mask would give it) on an anisotropic CT grid. */
function ballMask(label = 2): ScalarImage<Uint8Array> {
  const voxels = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++)
        if (Math.hypot(i * spacingMm[0] - centreMm[0], j * spacingMm[1] - centreMm[1], k * spacingMm[2] - centreMm[2]) <= 5)
          voxels[i + dims[0] * (j + dims[1] * k)] = label;
  return { dims, spacingMm, originLps: [0, 0, 0], direction: IDENTITY, voxels };
}
const at = (n: number): Vec3 => [n % dims[0], Math.floor(n / dims[0]) % dims[1], Math.floor(n / (dims[0] * dims[1]))];

describe('the peritumoral ring', () => {
  it('is every voxel outside the tumour within r mm of a tumour voxel centre (brute force, anisotropic spacing)', () => {
    const mask = ballMask();
    const tumour = [...mask.voxels.keys()].filter((n) => mask.voxels[n] === 2).map(at);
    for (const r of [1, 3, 4.2]) {
      const ring = peritumoralRing(mask, 2, r, 'ball');
      let members = 0;
      for (let n = 0; n < ring.voxels.length; n++) {
        const [i, j, k] = at(n);
        const inTumour = mask.voxels[n] === 2;
        const nearest = Math.min(...tumour.map(([a, b, c]) => Math.hypot((i - a) * spacingMm[0], (j - b) * spacingMm[1], (k - c) * spacingMm[2])));
        const expected = !inTumour && nearest <= r + 1e-9 ? 1 : 0;
        expect(ring.voxels[n], `r ${r}, voxel ${i},${j},${k} at ${nearest.toFixed(3)} mm`).toBe(expected);
        members += expected;
      }
      expect(members).toBeGreaterThan(0);
      expect(ring.dims).toEqual(mask.dims);
      expect(ring.spacingMm).toEqual(mask.spacingMm);
    }
  });

  it('names its features as PyRadiomics names filter parameters', () => {
    expect(peritumoralPrefix(3)).toBe('peritumoral-3-0-mm-');
    expect(peritumoralPrefix(2.5)).toBe('peritumoral-2-5-mm-');
  });

  it('refuses a ring without width, a mask without the label, and a tumour with no tissue around it', () => {
    expect(errorOf(() => peritumoralRing(ballMask(), 2, 0, 'ball')).code).toBe('RADIOMICS_INVALID_SETTING');
    expect(errorOf(() => peritumoralRing(ballMask(), 1, 3, 'ball')).code).toBe('RADIOMICS_MASK_EMPTY');
    const full: ScalarImage<Uint8Array> = { ...ballMask(), voxels: new Uint8Array(dims[0] * dims[1] * dims[2]).fill(1) };
    const e = errorOf(() => peritumoralRing(full, 1, 3, 'full'));
    expect(e.code).toBe('PERITUMORAL_RING_EMPTY');
    expect(e.message).toMatch(/full: the 3 mm peritumoral ring holds no voxel/);
  });
});

describe('a case’s radiomics with a peritumoral step', () => {
  // Tumour +40 HU, a ground-glass halo −640 HU from 0 to 3 mm outside it, lung −850 HU beyond.
  const mask = ballMask(1);
  const halo = peritumoralRing(mask, 1, 3, 'ball');
  const image: ScalarImage<Int16Array> = { ...mask, voxels: Int16Array.from(mask.voxels, (v, n) => (v ? 40 : halo.voxels[n] ? -640 : -850)) };
  const params = (text: string) => parseParameters(`${text}setting:\n  binWidth: 25\n  label: 1\n`, 'test');

  it('adds the ring’s features, prefixed, computed on the ring: a 3 mm ring sees exactly the halo', async () => {
    const f = await extractCaseRadiomics('ball', image, mask, params('imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n'), {
      ringMm: 3,
      params: params('imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n    - Mean\n    - Minimum\n    - Maximum\n'),
    });
    expect(f.original_firstorder_Mean).toBe(40);
    expect(f['peritumoral-3-0-mm-original_firstorder_Mean']).toBe(-640);
    expect(f['peritumoral-3-0-mm-original_firstorder_Minimum']).toBe(-640);
    expect(
      Object.keys(f)
        .filter((k) => k.startsWith('peritumoral-'))
        .sort(),
    ).toEqual([
      'peritumoral-3-0-mm-original_firstorder_Maximum',
      'peritumoral-3-0-mm-original_firstorder_Mean',
      'peritumoral-3-0-mm-original_firstorder_Minimum',
    ]);
    const wider = await extractCaseRadiomics('ball', image, mask, params('imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n    - Mean\n'), {
      ringMm: 5,
      params: params('imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n    - Minimum\n    - Maximum\n'),
    });
    // A 5 mm ring reaches past the halo into the lung.
    expect(wider['peritumoral-5-0-mm-original_firstorder_Minimum']).toBe(-850);
    expect(wider['peritumoral-5-0-mm-original_firstorder_Maximum']).toBe(-640);
  });

  it('the protocol takes a ring of 0–30 mm and nothing else', () => {
    expect(parseProtocol({ radiomics: { peritumoral: { ringMm: 3 } } }).radiomics.peritumoral).toEqual({ ringMm: 3 });
    for (const bad of [{ ringMm: 0 }, { ringMm: 40 }, { ringMm: 3, extra: 1 }, {}])
      expect(errorOf(() => parseProtocol({ radiomics: { peritumoral: bad } })).code, JSON.stringify(bad)).toBe('PROTOCOL_INVALID');
  });
});
