import * as ort from 'onnxruntime-node';
import { HilumError } from '../core/errors.js';
import type { Backbone } from './model-card.js';
import type { SliceBag } from './sampler.js';
import { type CamHead, findCamHead } from './cam-head.js';
import { type BagCam, classActivationMaps } from './cam.js';
import { OCCLUSION_BASELINE_HU, occludedBatch, occlusionBaseline } from './occlusion.js';
import { readOnnxGraph, withExtraOutput } from './onnx-graph.js';

export type ExecutionProvider = 'cuda' | 'dml' | 'coreml' | 'cpu';

/** Providers worth trying on this platform, fastest first; the CPU is always last. */
export function defaultProviders(platform: NodeJS.Platform = process.platform): ExecutionProvider[] {
  if (platform === 'win32') return ['cuda', 'dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cuda', 'cpu'];
}

export interface ProviderAttempt {
  provider: ExecutionProvider;
  ok: boolean;
  /** Why a provider was not used (it failed to start, or its smoke run disagreed with the reference). */
  reason?: string;
  seconds: number;
}

export interface BackboneSession {
  backbone: Backbone;
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  attempts: ProviderAttempt[];
  /** Set when a GPU provider was tried and not used: what to tell the user. */
  gpuNotice: string | null;
  /** The pooled linear head whose feature maps the session also returns, or why there is none. */
  cam: { head: CamHead; reason: null } | { head: null; reason: string };
}

/** The head for class-activation maps, and the model bytes that also output its feature maps (in memory; the file is unchanged). */
function camModel(backbone: Backbone): { bytes: Uint8Array; cam: BackboneSession['cam'] } {
  try {
    const head = findCamHead(readOnnxGraph(backbone.onnxBytes), backbone.card.onnx.outputs[0]);
    return { bytes: withExtraOutput(backbone.onnxBytes, head.featureMaps), cam: { head, reason: null } };
  } catch (error) {
    if (!(error instanceof HilumError)) throw error;
    return { bytes: backbone.onnxBytes, cam: { head: null, reason: `${error.code}: ${error.message}` } };
  }
}

/** Largest difference from the training recipe's reference outputs a provider may show. */
export const REFERENCE_TOLERANCE = 1e-4;

/**
 * Opens the backbone with the first provider that both starts and reproduces the reference outputs
 * (max |Δ| ≤ 1e-4 on logits and features): an unavailable provider, or one that silently computes
 * something else, falls back to the next, and every attempt is recorded. ONNX Runtime itself
 * refuses to fall back node by node to the CPU inside a GPU session (disable_cpu_ep_fallback), so
 * "cuda" really means the GPU ran it.
 */
export async function openBackbone(backbone: Backbone, providers: ExecutionProvider[] = defaultProviders(), threads = 1): Promise<BackboneSession> {
  // Failures reach the caller as exceptions (and into `attempts`); the native log would print them again.
  ort.env.logLevel = 'fatal';
  const attempts: ProviderAttempt[] = [];
  const { bytes, cam } = camModel(backbone);
  for (const provider of providers) {
    const started = performance.now();
    let session: ort.InferenceSession | null = null;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // A provider that cannot start is reported in `attempts`; ONNX Runtime's own log would only repeat it.
        logSeverityLevel: provider === 'cpu' ? 2 : 4,
        extra: provider === 'cpu' ? {} : { session: { disable_cpu_ep_fallback: '1' } },
      });
      const difference = await referenceDifference(session, backbone);
      if (!(difference <= REFERENCE_TOLERANCE))
        throw new Error(`its outputs differ from the reference by ${difference.toExponential(2)} (> ${REFERENCE_TOLERANCE})`);
      attempts.push({ provider, ok: true, seconds: (performance.now() - started) / 1000 });
      const gpuTried = attempts.filter((a) => !a.ok && a.provider !== 'cpu');
      const gpuNotice =
        provider === 'cpu' && gpuTried.length
          ? `GPU inference was not used (${gpuTried.map((a) => `${a.provider}: ${a.reason}`).join('; ')}); the CPU ran the model`
          : null;
      return { backbone, session, provider, attempts, gpuNotice, cam };
    } catch (error) {
      await session?.release();
      attempts.push({ provider, ok: false, reason: firstLine((error as Error).message), seconds: (performance.now() - started) / 1000 });
    }
  }
  throw new HilumError({
    code: 'NO_EXECUTION_PROVIDER',
    message: `no execution provider could run ${backbone.card.name}: ${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}`,
  });
}

export interface BagInference {
  logits: number[];
  probabilities: number[];
  features: Float32Array[];
  provider: ExecutionProvider;
  seconds: number;
  /** Class-activation maps of every slice (log-odds); occlusion sensitivity when the head has no CAM (the reason in camUnavailable). */
  cam: BagCam | null;
  camUnavailable?: string;
}

/** Runs every slice of a bag through the backbone (one batch). */
export async function inferBag(open: BackboneSession, bag: Pick<SliceBag, 'data' | 'shape'>): Promise<BagInference> {
  const { card } = open.backbone;
  const [n, c, h, w] = bag.shape;
  if (c !== card.input.channels || h !== card.input.height || w !== card.input.width)
    throw new HilumError({
      code: 'BAG_SHAPE_MISMATCH',
      message: `the bag's slices are ${c}×${h}×${w}; ${card.name} takes ${card.input.channels}×${card.input.height}×${card.input.width}`,
    });
  const started = performance.now();
  const { logits, features, maps } = await run(open.session, open.backbone, bag.data, bag.shape, open.cam.head);
  const featureLength = features.length / n;
  const cam = maps && open.cam.head ? classActivationMaps(maps.data, maps.dims, open.cam.head) : await occlusionMaps(open, bag, logits);
  return {
    logits: [...logits],
    probabilities: [...logits].map((z) => 1 / (1 + Math.exp(-z))),
    features: Array.from({ length: n }, (_, s) => features.slice(s * featureLength, (s + 1) * featureLength)),
    provider: open.provider,
    seconds: (performance.now() - started) / 1000,
    cam,
    ...(cam.method === 'cam' ? {} : { camUnavailable: open.cam.reason ?? 'the session returned no feature maps' }),
  };
}

/** Cells of the occlusion map: as fine as the shipped backbone's last feature grid. */
export const OCCLUSION_CELLS: [number, number] = [8, 8];

/** Occlusion sensitivity of every slice (occlusion.ts), for a head without class-activation maps: H·W occluded copies of each slice, run as one batch per slice. */
export async function occlusionMaps(open: BackboneSession, bag: Pick<SliceBag, 'data' | 'shape'>, logits: ArrayLike<number>): Promise<BagCam> {
  const started = performance.now();
  const [ch, cw] = OCCLUSION_CELLS;
  const baseline = occlusionBaseline(open.backbone.bagConfig);
  const [n, c, h, w] = bag.shape;
  const slices: BagCam['slices'] = [];
  // One batch of H·W occluded copies per slice (a whole bag at once would hold n·H·W slices in memory).
  for (let s = 0; s < n; s++) {
    const one = bag.data.subarray(s * c * h * w, (s + 1) * c * h * w);
    const batch = occludedBatch(one, [1, c, h, w], OCCLUSION_CELLS, baseline);
    const occluded = (await run(open.session, open.backbone, batch.data, batch.shape)).logits;
    slices.push({ values: Float32Array.from({ length: ch * cw }, (_, q) => logits[s] - occluded[q]), logit: logits[s] });
  }
  return { method: 'occlusion', height: ch, width: cw, bias: 0, baselineHu: OCCLUSION_BASELINE_HU, slices, seconds: (performance.now() - started) / 1000 };
}

async function run(session: ort.InferenceSession, backbone: Backbone, data: Float32Array, shape: readonly number[], head: CamHead | null = null) {
  const [logitName, featureName] = backbone.card.onnx.outputs;
  const out = await session.run({ [backbone.card.onnx.input]: new ort.Tensor('float32', data, [...shape]) });
  const maps = head && out[head.featureMaps] ? { data: out[head.featureMaps].data as Float32Array, dims: out[head.featureMaps].dims } : null;
  return { logits: out[logitName].data as Float32Array, features: out[featureName].data as Float32Array, maps };
}

async function referenceDifference(session: ort.InferenceSession, backbone: Backbone): Promise<number> {
  const { reference } = backbone;
  const { logits, features } = await run(session, backbone, Float32Array.from(reference.input), reference.shape);
  let worst = 0;
  reference.logit.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - logits[i]))));
  const length = reference.features[0].length;
  reference.features.forEach((row, s) => row.forEach((v, f) => (worst = Math.max(worst, Math.abs(v - features[s * length + f])))));
  return Number.isFinite(worst) ? worst : Infinity;
}

function firstLine(text: string): string {
  // ONNX Runtime's messages carry ANSI colour codes and long native traces.
  return text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')[0]
    .slice(0, 300);
}
