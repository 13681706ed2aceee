import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { camOnCtGrid } from '../../../electron/engine/deep/cam-projection.js';
import { bagSliceGrid } from '../../../electron/engine/deep/sampler.js';
import { demoClinicalInput, ensureDemoCase } from '../../../electron/engine/phantom/demo-case.js';
import { type BedsideOutcome, predictCase } from '../../../electron/engine/pipeline/bedside.js';
import { camOverlayOf } from '../../../electron/engine/pipeline/explanation.js';
import type { SlicePlane } from '../../../electron/engine/deep/sampler.js';
import { tempDir } from '../../helpers.js';
import { demoBundle } from '../report/sample-record.js';

describe('the prediction record explains itself', () => {
  const tmp = tempDir('hilum-explain-');
  let out: BedsideOutcome;
  beforeAll(async () => {
    const demo = await ensureDemoCase();
    out = await predictCase({
      image: demo.seriesDir,
      seedLps: demo.noduleCentreLps,
      clinical: demoClinicalInput(demo) as never,
      bundle: demoBundle(),
      modelCache: path.join(tmp.dir, 'models'),
    });
    return () => tmp.cleanup();
  }, 180_000);

  it('records every bag slice’s class-activation map (mean + b = logit to 1e-5), with the SYNTHETIC notice', () => {
    const e = out.record.explanation!;
    expect(e.notice).toMatch(/SYNTHETIC/);
    expect(e.cam).not.toBeNull();
    const cam = e.cam!;
    expect(cam.slices).toHaveLength(out.record.bag.length);
    for (const s of cam.slices) {
      expect(s.values).toHaveLength(cam.height * cam.width);
      const mean = s.values.reduce((a, v) => a + v, 0) / s.values.length;
      expect(Math.abs(mean + cam.bias - s.logit)).toBeLessThanOrEqual(1e-5);
    }
    out.record.bag.forEach((b, k) => expect(1 / (1 + Math.exp(-cam.slices[k].logit))).toBeCloseTo(b.probability, 6));
  });

  it('lists the logistic signatures’ input contributions, which add up to their scores', () => {
    const e = out.record.explanation!;
    expect(e.contributions.map((c) => c.signature)).toEqual(['clinical', 'combined']);
    for (const c of e.contributions) {
      const score = out.record.signatures.find((s) => s.name === c.signature)!.score;
      expect(c.baselineLogOdds + c.inputs.reduce((s, x) => s + x.logOdds, 0)).toBeCloseTo(score, 9);
      for (const x of c.inputs) expect(x.unit).toBeTruthy();
    }
  });

  it('maps back on the CT from the record and the bundle alone, onto the slices that hold the tumour', () => {
    const cam = out.record.explanation!.cam!;
    const config = demoBundle().backbone.card.bagConfig;
    const { ct, mask } = out;
    let hits = 0;
    for (const s of cam.slices) {
      const crop = bagSliceGrid({ plane: s.plane as SlicePlane, centreLps: s.centreLps }, cam.cropSideMm, config);
      const patch = camOnCtGrid(s.values, cam.height, cam.width, crop, ct)!;
      expect(patch.axis).toBe(2);
      // The patch covers the tumour's voxels on that CT slice.
      const [nx, ny] = ct.dims;
      for (let j = patch.lo[1]; j <= patch.hi[1]; j++)
        for (let i = patch.lo[0]; i <= patch.hi[0]; i++) if (mask.voxels[i + nx * (j + ny * patch.index)]) hits++;
    }
    expect(hits).toBeGreaterThan(0);
    // What the viewer gets: one patch per bag slice on the CT grid, JSON-safe (null outside the crop), one scale.
    const overlay = camOverlayOf(out.record.explanation, config, ct)!;
    expect(overlay.patches).toHaveLength(cam.slices.length);
    expect(overlay.notice).toMatch(/SYNTHETIC/);
    expect(overlay.maxAbs).toBeGreaterThan(0);
    for (const p of overlay.patches) {
      const n = [0, 1, 2].map((a) => p.hi[a] - p.lo[a] + 1);
      expect(p.values).toHaveLength(n[0] * n[1] * n[2]);
      expect(p.values.some((v) => v === null)).toBe(true);
      expect(p.values.every((v) => v === null || Math.abs(v) <= overlay.maxAbs + 1e-4)).toBe(true);
    }
    expect(overlay.patches.find((p) => p.usedOffset === 0)).toBeDefined();
  });
});
