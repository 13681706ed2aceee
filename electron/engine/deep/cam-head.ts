/**
 * Finds the backbone's class-activation head in its ONNX graph: the slice logit must be an affine
 * function (Gemm, or MatMul + Add, with a single output unit) of the global average of the last
 * feature maps (GlobalAveragePool, or ReduceMean over the two spatial axes), with only shape
 * operations (Flatten, Reshape, Squeeze, Unsqueeze, Identity) in between. For such a head,
 * logit = b + Σₖ wₖ·mean_ij Aₖ(i,j), so the class-activation map CAM(i,j) = Σₖ wₖ·Aₖ(i,j)
 * (Zhou et al. 2016) averages to logit − b, and equals Grad-CAM (Selvaraju et al. 2017) up to the
 * constant 1/(HW) — no gradients are needed. Any other head is refused (CAM_HEAD_UNSUPPORTED).
 */
import { HilumError } from '../core/errors.js';
import type { OnnxGraph, OnnxNode } from './onnx-graph.js';

export interface CamHead {
  /** The graph tensor holding the last feature maps A [N, K, H, W]. */
  featureMaps: string;
  /** wₖ (already scaled by Gemm's alpha) and b (scaled by beta). */
  weights: Float64Array;
  bias: number;
}

const SHAPE_OPS = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity']);

function refuse(why: string): HilumError {
  return new HilumError({
    code: 'CAM_HEAD_UNSUPPORTED',
    message: `no class-activation map for this backbone: ${why}`,
    hint: 'Class-activation maps need a head of global average pooling followed by one linear layer.',
  });
}

function producer(graph: OnnxGraph, tensor: string): OnnxNode | undefined {
  return graph.nodes.find((n) => n.outputs.includes(tensor));
}

/** Follows shape-only operations back from a tensor to the node that computed its values. */
function valueSource(graph: OnnxGraph, tensor: string): OnnxNode | undefined {
  let node = producer(graph, tensor);
  while (node && SHAPE_OPS.has(node.opType)) node = producer(graph, node.inputs[0]);
  return node;
}

function attr(node: OnnxNode, name: string) {
  return node.attributes.find((a) => a.name === name);
}

/** The head of `logitOutput`, or CAM_HEAD_UNSUPPORTED. */
export function findCamHead(graph: OnnxGraph, logitOutput: string): CamHead {
  const linear = valueSource(graph, logitOutput);
  if (!linear) throw refuse(`the graph does not compute "${logitOutput}"`);
  let pooled: string;
  let weight: Float32Array;
  let weightDims: number[];
  let transposed = false;
  let alpha = 1;
  let beta = 1;
  let biasData: Float32Array | null = null;
  if (linear.opType === 'Gemm') {
    const w = graph.initializers.get(linear.inputs[1]);
    if (!w?.data) throw refuse('the final Gemm has no constant float weights');
    if ((attr(linear, 'transA')?.i ?? 0) !== 0) throw refuse('the final Gemm transposes its input');
    [pooled, weight, weightDims] = [linear.inputs[0], w.data, w.dims];
    transposed = (attr(linear, 'transB')?.i ?? 0) === 1;
    alpha = attr(linear, 'alpha')?.f ?? 1;
    beta = attr(linear, 'beta')?.f ?? 1;
    biasData = linear.inputs[2] ? (graph.initializers.get(linear.inputs[2])?.data ?? null) : new Float32Array([0]);
  } else if (linear.opType === 'Add') {
    const [matmulIn, biasIn] = producer(graph, linear.inputs[0])?.opType === 'MatMul' ? linear.inputs : [...linear.inputs].reverse();
    const matmul = producer(graph, matmulIn);
    const w = matmul && graph.initializers.get(matmul.inputs[1]);
    if (matmul?.opType !== 'MatMul' || !w?.data) throw refuse('the final Add does not follow a MatMul with constant weights');
    [pooled, weight, weightDims] = [matmul.inputs[0], w.data, w.dims];
    biasData = graph.initializers.get(biasIn)?.data ?? null;
  } else throw refuse(`the logit comes from ${linear.opType}, not from a linear layer`);
  if (!biasData || biasData.length !== 1) throw refuse('the linear layer has no single constant bias');
  const outputs = transposed ? weightDims[0] : weightDims[1];
  if (weightDims.length !== 2 || outputs !== 1) throw refuse(`the linear layer has ${outputs} outputs, not one logit`);

  const pool = valueSource(graph, pooled);
  const spatial = (axes: number[] | undefined) => axes?.length === 2 && axes.every((a) => a === 2 || a === 3 || a === -1 || a === -2);
  if (!pool || !(pool.opType === 'GlobalAveragePool' || (pool.opType === 'ReduceMean' && spatial(attr(pool, 'axes')?.ints))))
    throw refuse(`the linear layer reads ${pool?.opType ?? 'a graph input'}, not a global average pool of feature maps`);
  return {
    featureMaps: pool.inputs[0],
    weights: Float64Array.from(weight, (v) => alpha * v),
    bias: beta * biasData[0],
  };
}
