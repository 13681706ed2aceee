import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayMax, arrayMin } from '../../../electron/engine/core/array-extent.js';
import { OCCLUSION_CELLS, inferBag, occlusionMaps, openBackbone } from '../../../electron/engine/deep/backbone-session.js';
import { OCCLUSION_BASELINE_HU, occludedBatch, occlusionBaseline } from '../../../electron/engine/deep/occlusion.js';
import { findCamHead } from '../../../electron/engine/deep/cam-head.js';
import { camOnCrop, camOnCtGrid } from '../../../electron/engine/deep/cam-projection.js';
import { loadBackbone } from '../../../electron/engine/deep/model-card.js';
import { type OnnxGraph, type OnnxNode, readOnnxGraph, withExtraOutput } from '../../../electron/engine/deep/onnx-graph.js';
import { bagSliceGrid, sampleBag } from '../../../electron/engine/deep/sampler.js';
import { type ImageGrid, indexToWorld } from '../../../electron/engine/imaging/grid.js';
import type { Mat3, Vec3 } from '../../../electron/engine/imaging/vec.js';
import { renderPatient, samplePatient } from '../../../electron/engine/phantom/index.js';
import { errorOf } from '../../helpers.js';

/** Index of the largest value, NaN ignored. */
function argmax(values: ArrayLike<number>): number {
  let best = -1;
  for (let p = 0; p < values.length; p++) if (!Number.isNaN(values[p]) && (best < 0 || values[p] > values[best])) best = p;
  return best;
}

const SHIPPED = path.resolve(__dirname, '../../../models/hilum-demo-backbone');

describe('class-activation maps of the shipped backbone', () => {
  it('mean(CAM) + b equals the slice logit to 1e-5 for every slice of a bag, and the model file is untouched', async () => {
    const backbone = loadBackbone(SHIPPED);
    const onDisk = readFileSync(path.join(SHIPPED, 'backbone.onnx'));
    const open = await openBackbone(backbone, ['cpu']);
    expect(open.cam.head?.featureMaps).toBe('/stages/stages.3/relu_1/Relu_output_0');
    expect(open.cam.head?.weights).toHaveLength(backbone.card.architecture.featureLength);
    for (const [id, kind, diameterMm] of [
      ['C0001', 'solid', 18],
      ['C0002', 'part-solid', 24],
    ] as const) {
      const r = renderPatient(samplePatient('cam-identity', id, 'A', { kind, diameterMm }));
      const bag = sampleBag({ ...r.grid, voxels: r.hu }, { ...r.grid, voxels: r.mask }, backbone.bagConfig);
      const out = await inferBag(open, bag);
      expect(out.cam).not.toBeNull();
      const cam = out.cam!;
      expect([cam.height, cam.width]).toEqual([8, 8]);
      expect(cam.slices).toHaveLength(7);
      cam.slices.forEach((s, k) => {
        let mean = 0;
        for (const v of s.values) mean += v / s.values.length;
        expect(Math.abs(mean + cam.bias - out.logits[k])).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(s.logit - out.logits[k])).toBeLessThanOrEqual(1e-5);
      });
      // Not a constant map: it says where on the slice the evidence lies.
      const spread = cam.slices.map((s) => arrayMax(s.values) - arrayMin(s.values));
      expect(arrayMin(spread)).toBeGreaterThan(0);
    }
    expect(Buffer.compare(readFileSync(path.join(SHIPPED, 'backbone.onnx')), onDisk)).toBe(0);
    await open.session.release();
  });

  it('adds an output to a copy of the model only', () => {
    const bytes = new Uint8Array(readFileSync(path.join(SHIPPED, 'backbone.onnx')));
    const graph = readOnnxGraph(bytes);
    expect(graph.outputs).toEqual(['logit', 'features']);
    const more = readOnnxGraph(withExtraOutput(bytes, '/pool/GlobalAveragePool_output_0'));
    expect(more.outputs).toEqual(['logit', 'features', '/pool/GlobalAveragePool_output_0']);
    expect(more.nodes).toEqual(graph.nodes);
  });
});

describe('occlusion sensitivity, for a head without class-activation maps', () => {
  it('replaces exactly one cell per copy with air in every channel', () => {
    const shape = [2, 3, 16, 16] as const;
    const data = Float32Array.from({ length: 2 * 3 * 256 }, (_, i) => i);
    const baseline = [-7, -8, -9];
    const batch = occludedBatch(data, shape, [4, 4], baseline);
    expect(batch.shape).toEqual([32, 3, 16, 16]);
    // Slice 1, cell (2, 3): rows 8–11, columns 12–15.
    const b = (1 * 4 + 2) * 4 + 3;
    for (let c = 0; c < 3; c++)
      for (let r = 0; r < 16; r++)
        for (let x = 0; x < 16; x++) {
          const v = batch.data[b * 768 + c * 256 + r * 16 + x];
          expect(v).toBe(r >= 8 && r < 12 && x >= 12 ? baseline[c] : data[768 + c * 256 + r * 16 + x]);
        }
    // Air through the shipped windows: below every window's middle.
    const air = occlusionBaseline(loadBackbone(SHIPPED).bagConfig);
    expect(OCCLUSION_BASELINE_HU).toBe(-1000);
    expect(air.every((v) => v < 0)).toBe(true);
  });

  it('is logit − logit(cell occluded), and replaces CAM (with the reason) when the head has none', async () => {
    const backbone = loadBackbone(SHIPPED);
    const open = await openBackbone(backbone, ['cpu']);
    const r = renderPatient(samplePatient('occlusion', 'O0001', 'A', { kind: 'solid', diameterMm: 16 }));
    const bag = sampleBag({ ...r.grid, voxels: r.hu }, { ...r.grid, voxels: r.mask }, backbone.bagConfig);
    const noHead = { ...open, cam: { head: null, reason: 'CAM_HEAD_UNSUPPORTED: a test head' } };
    const out = await inferBag(noHead, bag);
    expect(out.cam!.method).toBe('occlusion');
    expect(out.cam!.baselineHu).toBe(-1000);
    expect(out.camUnavailable).toBe('CAM_HEAD_UNSUPPORTED: a test head');
    expect(out.cam!.slices).toHaveLength(7);
    // One cell checked by hand: slice 3, cell (4, 4) — the tumour's middle.
    const [ch, cw] = OCCLUSION_CELLS;
    const one = Float32Array.from(bag.data.subarray(3 * 3 * 4096, 4 * 3 * 4096));
    const air = occlusionBaseline(backbone.bagConfig);
    const side = 64 / ch;
    for (let c = 0; c < 3; c++) for (let y = 4 * side; y < 5 * side; y++) one.fill(air[c], c * 4096 + y * 64 + 4 * side, c * 4096 + y * 64 + 5 * side);
    const occluded = (await inferBag(open, { data: one, shape: [1, 3, 64, 64] })).logits[0];
    expect(out.cam!.slices[3].values[4 * cw + 4]).toBeCloseTo(out.logits[3] - occluded, 4);
    const again = await occlusionMaps(open, bag, out.logits);
    expect(Array.from(again.slices[0].values)).toEqual(Array.from(out.cam!.slices[0].values));
    await open.session.release();
  });
});

describe('which heads have a class-activation map', () => {
  const w = { name: 'w', dims: [1, 4], data: Float32Array.from([1, 2, 3, 4]) };
  const b = { name: 'b', dims: [1], data: Float32Array.from([0.5]) };
  const node = (opType: string, inputs: string[], outputs: string[], attributes: OnnxNode['attributes'] = []): OnnxNode => ({
    opType,
    inputs,
    outputs,
    attributes,
  });
  const graphOf = (nodes: OnnxNode[], inits = [w, b]): OnnxGraph => ({ nodes, initializers: new Map(inits.map((t) => [t.name, t])), outputs: ['logit'] });

  it('accepts global average pooling (or a spatial ReduceMean) followed by Gemm or MatMul + Add', () => {
    const gemm = findCamHead(
      graphOf([
        node('Relu', ['x'], ['A']),
        node('GlobalAveragePool', ['A'], ['g']),
        node('Flatten', ['g'], ['f']),
        node(
          'Gemm',
          ['f', 'w', 'b'],
          ['z'],
          [
            { name: 'transB', i: 1 },
            { name: 'alpha', f: 2 },
          ],
        ),
        node('Squeeze', ['z'], ['logit']),
      ]),
      'logit',
    );
    expect(gemm.featureMaps).toBe('A');
    expect([...gemm.weights]).toEqual([2, 4, 6, 8]);
    expect(gemm.bias).toBe(0.5);
    const matmul = findCamHead(
      graphOf(
        [
          node('ReduceMean', ['A'], ['g'], [{ name: 'axes', ints: [2, 3] }]),
          node('Reshape', ['g', 's'], ['f']),
          node('MatMul', ['f', 'w'], ['m']),
          node('Add', ['m', 'b'], ['logit']),
        ],
        [{ ...w, dims: [4, 1] }, b],
      ),
      'logit',
    );
    expect(matmul.featureMaps).toBe('A');
  });

  it('refuses any other head by name (CAM_HEAD_UNSUPPORTED)', () => {
    const refused = (nodes: OnnxNode[], inits = [w, b]) => errorOf(() => findCamHead(graphOf(nodes, inits), 'logit'));
    // A non-linear head after the pool.
    expect(
      refused([node('GlobalAveragePool', ['A'], ['g']), node('Flatten', ['g'], ['f']), node('Gemm', ['f', 'w', 'b'], ['z']), node('Sigmoid', ['z'], ['logit'])])
        .code,
    ).toBe('CAM_HEAD_UNSUPPORTED');
    // Max pooling instead of average pooling.
    const max = refused([
      node('GlobalMaxPool', ['A'], ['g']),
      node('Flatten', ['g'], ['f']),
      node('Gemm', ['f', 'w', 'b'], ['logit'], [{ name: 'transB', i: 1 }]),
    ]);
    expect(max.code).toBe('CAM_HEAD_UNSUPPORTED');
    expect(max.message).toMatch(/GlobalMaxPool, not a global average pool/);
    // Two output units.
    const two = refused(
      [node('GlobalAveragePool', ['A'], ['g']), node('Flatten', ['g'], ['f']), node('Gemm', ['f', 'w', 'b'], ['logit'], [{ name: 'transB', i: 1 }])],
      [{ ...w, dims: [2, 2] }, b],
    );
    expect(two.message).toMatch(/2 outputs, not one logit/);
  });
});

describe('maps back on the CT grid', () => {
  const cell = (values: number[], r: number, c: number) => {
    values[r * 8 + c] = 1;
    return values;
  };

  it('upsamples the feature grid to the crop bilinearly, the hot cell at its centre', () => {
    const up = camOnCrop(cell(new Array(64).fill(0), 2, 5), 8, 8, 64);
    const best = argmax(up);
    // Cell (2, 5) covers pixels 40–47 × 16–23; its centre lies between pixels 43 and 44, 19 and 20.
    expect([best % 64, Math.floor(best / 64)]).toEqual([43, 19]);
    expect(up[19 * 64 + 43]).toBeCloseTo(up[20 * 64 + 44], 6);
  });

  it('puts a hot cell at the same patient position whatever the CT orientation and spacing', () => {
    const crop = bagSliceGrid({ plane: 'axial', centreLps: [10, -20, 30] }, 40, { sizePx: 64, spacingMm: 1 });
    const values = cell(new Array(64).fill(0), 6, 1);
    // The cell's centre in patient space: pixel (1.5·8 − 0.5 + …): column 1 → pixels 8–15 → centre u = 11.5, row 6 → v = 51.5.
    const target = indexToWorld(crop, [11.5, 51.5, 0]);
    const cts: { direction: Mat3; spacingMm: Vec3 }[] = [
      { direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], spacingMm: [0.7, 0.7, 1.25] },
      { direction: [-1, 0, 0, 0, 1, 0, 0, 0, -1], spacingMm: [0.8, 0.8, 5] },
      { direction: [0, 1, 0, 1, 0, 0, 0, 0, 1], spacingMm: [0.6, 0.9, 2] },
    ];
    for (const { direction, spacingMm } of cts) {
      const dims: Vec3 = [200, 200, 60];
      // Centred on the crop's centre.
      const half = [0, 1, 2].map((a) => ((dims[a] - 1) * spacingMm[a]) / 2);
      const d = (r: number, c: number) => direction[r * 3 + c];
      const originLps = [0, 1, 2].map((r) => [10, -20, 30][r] - (d(r, 0) * half[0] + d(r, 1) * half[1] + d(r, 2) * half[2])) as Vec3;
      const ct: ImageGrid = { dims, spacingMm, originLps, direction };
      const patch = camOnCtGrid(values, 8, 8, crop, ct)!;
      expect(patch).not.toBeNull();
      expect(patch.axis).toBe(2);
      expect(patch.distanceMm).toBeLessThanOrEqual(spacingMm[2] / 2 + 1e-9);
      const n = [0, 1, 2].map((a) => patch.hi[a] - patch.lo[a] + 1);
      const best = argmax(patch.values);
      const ijk: Vec3 = [patch.lo[0] + (best % n[0]), patch.lo[1] + Math.floor(best / n[0]), patch.lo[2]];
      const at = indexToWorld(ct, ijk);
      // In-plane, the hottest CT voxel lies within one CT pixel (diagonal) of the cell's centre.
      expect(Math.hypot(at[0] - target[0], at[1] - target[1])).toBeLessThanOrEqual(Math.hypot(spacingMm[0], spacingMm[1]));
      // Outside the crop there is no map.
      expect(patch.values.some((v) => Number.isNaN(v))).toBe(true);
    }
  });
});
