// Deep-learning benchmark: the shipped backbone under ONNX Runtime on the CPU — session creation
// (hash check and reference smoke run included), per-patient inference latency for a bag of 7
// slices (median of 30, after 3 warm-up runs), the bag cut itself, the class-activation maps' cost
// per bag (the maps from the fetched feature maps, their resampling onto the CT grid, and what the
// extra feature-map output adds to inference against a session without it), and the peak RSS.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferBag, occlusionMaps, openBackbone } from '../../dist/electron/engine/deep/backbone-session.js';
import { loadBackbone } from '../../dist/electron/engine/deep/model-card.js';
import { sampleBag } from '../../dist/electron/engine/deep/sampler.js';
import { renderPatient, samplePatient } from '../../dist/electron/engine/phantom/index.js';
import { arrayMax } from '../../dist/electron/engine/core/array-extent.js';
import { camOverlayOf } from '../../dist/electron/engine/pipeline/explanation.js';
import * as ort from 'onnxruntime-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 30;

const signed = (x) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)}`;

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
  // Class-activation maps: CAM(i,j) = Σk wk·Ak(i,j) per slice (timed inside inferBag), then onto the CT grid.
  const last = await inferBag(open, bag);
  const camMs = [];
  const projectMs = [];
  for (let i = 0; i < RUNS; i++) {
    const out = await inferBag(open, bag);
    camMs.push(out.cam.seconds * 1000);
    const explanation = {
      notice: backbone.card.notice,
      contributions: [],
      cam: {
        method: 'cam',
        formula: '',
        bias: out.cam.bias,
        height: out.cam.height,
        width: out.cam.width,
        cropSideMm: bag.cropSideMm,
        sizePx: backbone.bagConfig.sizePx,
        spacingMm: backbone.bagConfig.spacingMm,
        slices: bag.slices.map((s, k) => ({
          plane: s.plane,
          usedOffset: s.usedOffset,
          centreLps: s.centreLps,
          logit: out.logits[k],
          mapLogit: out.cam.slices[k].logit,
          values: Array.from(out.cam.slices[k].values),
        })),
        seconds: out.cam.seconds,
      },
    };
    const t = performance.now();
    camOverlayOf(explanation, backbone.bagConfig, grid);
    projectMs.push(performance.now() - t);
  }
  // Occlusion sensitivity (the fallback for a head without CAM): 8×8 cells per slice, one batch.
  const occlusionMs = [];
  for (let i = 0; i < 5; i++) occlusionMs.push((await occlusionMaps(open, bag, last.logits)).seconds * 1000);
  await open.session.release();
  // The same model without the extra output (the file as shipped), same options: what fetching the feature maps costs.
  const plain = await ort.InferenceSession.create(backbone.onnxBytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const feeds = { [backbone.card.onnx.input]: new ort.Tensor('float32', bag.data, [...bag.shape]) };
  for (let i = 0; i < 3; i++) await plain.run(feeds);
  const plainTimes = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await plain.run(feeds);
    plainTimes.push(performance.now() - t);
  }
  await plain.release();
  const camTotal = median(camMs) + median(projectMs) + Math.max(0, median(times) - median(plainTimes));
  const rss = process.resourceUsage().maxRSS / 1024;
  const text = [
    `deep backbone (${backbone.card.architecture.family}, ${backbone.card.architecture.parameters} parameters, ${bag.shape.slice(1).join('×')} input), ONNX Runtime CPU, 1 intra-op thread, ${os.availableParallelism()} cores`,
    `  session creation (hash check + reference run)  ${sessionSeconds.toFixed(2)} s`,
    `  bag of ${bag.shape[0]} slices: cut ${median(cuts).toFixed(1)} ms, inference median ${median(times).toFixed(1)} ms (max ${arrayMax(times).toFixed(1)} ms; target ≤ 150 ms)`,
    `  class-activation maps per bag (${last.cam.height}×${last.cam.width} cells × ${last.cam.slices.length} slices): maps ${median(camMs).toFixed(2)} ms, onto the CT grid ${median(projectMs).toFixed(1)} ms, feature-map output ${signed(median(times) - median(plainTimes))} ms (inference without it ${median(plainTimes).toFixed(1)} ms); CAM cost ${camTotal.toFixed(1)} ms per bag (target ≤ 20 ms)`,
    `  occlusion sensitivity per bag (fallback for a head without CAM; ${last.cam.slices.length} batches of 64 occluded slices): ${median(occlusionMs).toFixed(0)} ms`,
    `  peak RSS of the bench process  ${rss.toFixed(0)} MiB`,
  ].join('\n');
  return { text, inferenceMs: median(times), sessionSeconds, camMs: camTotal };
}
