// Deep-learning benchmark: the shipped backbone under ONNX Runtime on the CPU — session creation
// (hash check and reference smoke run included), per-patient inference latency for a bag of 7
// slices (median of 30, after 3 warm-up runs), the bag cut itself, and the process's peak RSS.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferBag, openBackbone } from '../../dist/electron/engine/deep/backbone-session.js';
import { loadBackbone } from '../../dist/electron/engine/deep/model-card.js';
import { sampleBag } from '../../dist/electron/engine/deep/sampler.js';
import { renderPatient, samplePatient } from '../../dist/electron/engine/phantom/index.js';
import { arrayMax } from '../../dist/electron/engine/core/array-extent.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 30;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runDeepBench() {
  const modelDir = path.join(root, 'models', 'hilum-demo-backbone');
  const t0 = performance.now();
  const backbone = loadBackbone(modelDir);
  const open = await openBackbone(backbone, ['cpu'], 1);
  const sessionSeconds = (performance.now() - t0) / 1000;
  const patient = samplePatient('bench-deep', 'D0001', 'A', { kind: 'part-solid', diameterMm: 20 });
  const r = renderPatient(patient);
  const grid = { dims: r.grid.dims, spacingMm: r.grid.spacingMm, originLps: r.grid.originLps, direction: r.grid.direction };
  const cuts = [];
  let bag;
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    bag = sampleBag({ ...grid, voxels: r.hu }, { ...grid, voxels: r.mask }, backbone.bagConfig);
    cuts.push(performance.now() - t);
  }
  for (let i = 0; i < 3; i++) await inferBag(open, bag);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await inferBag(open, bag);
    times.push(performance.now() - t);
  }
  await open.session.release();
  const rss = process.resourceUsage().maxRSS / 1024;
  const text = [
    `deep backbone (${backbone.card.architecture.family}, ${backbone.card.architecture.parameters} parameters, ${bag.shape.slice(1).join('×')} input), ONNX Runtime CPU, 1 intra-op thread, ${os.availableParallelism()} cores`,
    `  session creation (hash check + reference run)  ${sessionSeconds.toFixed(2)} s`,
    `  bag of ${bag.shape[0]} slices: cut ${median(cuts).toFixed(1)} ms, inference median ${median(times).toFixed(1)} ms (max ${arrayMax(times).toFixed(1)} ms; target ≤ 150 ms)`,
    `  peak RSS of the bench process  ${rss.toFixed(0)} MiB`,
  ].join('\n');
  return { text, inferenceMs: median(times), sessionSeconds };
}
