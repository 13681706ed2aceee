import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFERENCE_TOLERANCE, inferBag, openBackbone } from '../../../electron/engine/deep/backbone-session.js';
import { DeepInferenceService } from '../../../electron/engine/deep/inference-service.js';
import { loadBackbone } from '../../../electron/engine/deep/model-card.js';
import { sampleBag } from '../../../electron/engine/deep/sampler.js';
import { renderPatient, samplePatient } from '../../../electron/engine/phantom/index.js';
import { errorOf, tempDir } from '../../helpers.js';

const SHIPPED = path.resolve(__dirname, '../../../models/hilum-demo-backbone');
const tmp = tempDir('hilum-deep-');
afterAll(() => tmp.cleanup());

describe('the shipped backbone under ONNX Runtime', () => {
  it('reproduces the training recipe’s reference outputs (max |Δ| ≤ 1e-4) on the CPU', async () => {
    const backbone = loadBackbone(SHIPPED);
    expect(backbone.card.notice).toMatch(/SYNTHETIC/);
    const open = await openBackbone(backbone, ['cpu']);
    const out = await inferBag(open, { data: Float32Array.from(backbone.reference.input), shape: backbone.reference.shape });
    let worst = 0;
    out.logits.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - backbone.reference.logit[i]))));
    out.features.forEach((row, s) => row.forEach((v, f) => (worst = Math.max(worst, Math.abs(v - backbone.reference.features[s][f])))));
    expect(worst).toBeLessThanOrEqual(REFERENCE_TOLERANCE);
    expect(out.features[0]).toHaveLength(backbone.card.architecture.featureLength);
    expect(out.provider).toBe('cpu');
    await open.session.release();
  });

  it('falls back from an unavailable GPU provider to the CPU, recording why and telling the user', async () => {
    const open = await openBackbone(loadBackbone(SHIPPED), ['cuda', 'cpu']);
    expect(open.provider).toBe('cpu');
    expect(open.attempts.map((a) => [a.provider, a.ok])).toEqual([
      ['cuda', false],
      ['cpu', true],
    ]);
    expect(open.attempts[0].reason).toBeTruthy();
    expect(open.gpuNotice).toMatch(/GPU inference was not used \(cuda: .+\); the CPU ran the model/);
    await open.session.release();
  });

  it('refuses a model file with one byte changed, and a card that is not a card', () => {
    const copy = path.join(tmp.dir, 'tampered');
    cpSync(SHIPPED, copy, { recursive: true });
    const onnx = path.join(copy, 'backbone.onnx');
    const bytes = readFileSync(onnx);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(onnx, bytes);
    const error = errorOf(() => loadBackbone(copy));
    expect(error.code).toBe('MODEL_TAMPERED');
    expect(error.message).toMatch(/is not the model its card describes \(SHA-256 [0-9a-f]{64}, card says [0-9a-f]{64}\)/);
    const badCard = path.join(tmp.dir, 'bad-card');
    cpSync(SHIPPED, badCard, { recursive: true });
    const card = JSON.parse(readFileSync(path.join(badCard, 'card.json'), 'utf8'));
    delete card.bagConfig.offsets;
    writeFileSync(path.join(badCard, 'card.json'), JSON.stringify(card));
    expect(errorOf(() => loadBackbone(badCard)).code).toBe('MODEL_CARD_INVALID');
  });

  it('infers a 7-slice bag in a worker while the main event loop keeps turning (timer drift ≤ 50 ms)', async () => {
    const patient = samplePatient('deep-drift', 'D0001', 'A', { kind: 'solid', diameterMm: 18 });
    const r = renderPatient(patient);
    const grid = { dims: r.grid.dims, spacingMm: r.grid.spacingMm, originLps: r.grid.originLps, direction: r.grid.direction };
    const backbone = loadBackbone(SHIPPED);
    const bag = sampleBag({ ...grid, voxels: r.hu }, { ...grid, voxels: r.mask }, backbone.bagConfig);
    const service = new DeepInferenceService(SHIPPED, ['cpu']);
    try {
      const opened = await service.open();
      expect(opened.sha256).toBe(backbone.card.onnx.sha256);
      let worstDrift = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        worstDrift = Math.max(worstDrift, now - last - 5);
        last = now;
      }, 5);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await service.infer(bag));
      clearInterval(timer);
      expect(worstDrift).toBeLessThanOrEqual(50);
      expect(results[0].probabilities).toHaveLength(7);
      for (const p of results[0].probabilities) {
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
      }
      // The same bag gives the same numbers every time (one session, reused).
      expect(results[4].logits).toEqual(results[0].logits);
    } finally {
      await service.close();
    }
  });
});
