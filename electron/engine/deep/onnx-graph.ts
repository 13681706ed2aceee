/**
 * A minimal reader (and one narrow writer) for the ONNX model file: just enough of the protobuf wire
 * format (varints and length-delimited fields; https://protobuf.dev/programming-guides/encoding/) and
 * of onnx.proto (ModelProto.graph = 7; GraphProto node = 1, initializer = 5, output = 12;
 * NodeProto input = 1, output = 2, op_type = 4, attribute = 5; TensorProto dims = 1,
 * data_type = 2, float_data = 4, name = 8, raw_data = 9; AttributeProto name = 1, f = 2, i = 3,
 * ints = 8) to find the backbone's head and its float weights, and to list an intermediate tensor as
 * an extra graph output. Hilum never changes the model file: the output is added to a copy in memory.
 */
import { HilumError } from '../core/errors.js';

interface Field {
  field: number;
  wire: number;
  /** Varint value (wire 0) or the payload's bounds (wire 2). */
  value: number;
  start: number;
  end: number;
  /** Bounds of the whole field (tag included) in the buffer. */
  from: number;
  to: number;
}

function malformed(what: string): HilumError {
  return new HilumError({ code: 'ONNX_MALFORMED', message: `the ONNX model could not be read: ${what}` });
}

function readVarint(buf: Uint8Array, at: number): [number, number] {
  let result = 0;
  let scale = 1;
  for (let p = at; p < buf.length; p++) {
    const b = buf[p];
    result += (b & 0x7f) * scale;
    scale *= 128;
    if (!(b & 0x80)) return [result, p + 1];
  }
  throw malformed('a varint runs past the end');
}

/** The fields of one message, in file order. */
function fields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const out: Field[] = [];
  let p = start;
  while (p < end) {
    const from = p;
    const [tag, q] = readVarint(buf, p);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    p = q;
    if (wire === 0) {
      const [v, r] = readVarint(buf, p);
      out.push({ field, wire, value: v, start: p, end: r, from, to: r });
      p = r;
    } else if (wire === 2) {
      const [len, r] = readVarint(buf, p);
      if (r + len > end) throw malformed('a field runs past the end of its message');
      out.push({ field, wire, value: len, start: r, end: r + len, from, to: r + len });
      p = r + len;
    } else if (wire === 5) {
      out.push({ field, wire, value: 0, start: p, end: p + 4, from, to: p + 4 });
      p += 4;
    } else if (wire === 1) {
      out.push({ field, wire, value: 0, start: p, end: p + 8, from, to: p + 8 });
      p += 8;
    } else throw malformed(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = new TextDecoder();
const str = (buf: Uint8Array, f: Field) => text.decode(buf.subarray(f.start, f.end));

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  ints?: number[];
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  /** Only float32 (data_type 1) tensors are decoded; others are null. */
  data: Float32Array | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxInitializer>;
  outputs: string[];
}

function readAttribute(buf: Uint8Array, f: Field): OnnxAttribute {
  const a: OnnxAttribute = { name: '' };
  for (const g of fields(buf, f.start, f.end)) {
    if (g.field === 1) a.name = str(buf, g);
    else if (g.field === 2 && g.wire === 5) a.f = new DataView(buf.buffer, buf.byteOffset + g.start, 4).getFloat32(0, true);
    else if (g.field === 3 && g.wire === 0) a.i = g.value;
    else if (g.field === 8) {
      a.ints ??= [];
      if (g.wire === 0) a.ints.push(g.value);
      else for (let p = g.start; p < g.end;) [a.ints[a.ints.length], p] = readVarint(buf, p);
    }
  }
  return a;
}

function readTensor(buf: Uint8Array, f: Field): OnnxInitializer {
  let name = '';
  const dims: number[] = [];
  let type = 0;
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  for (const g of fields(buf, f.start, f.end)) {
    if (g.field === 8) name = str(buf, g);
    else if (g.field === 2 && g.wire === 0) type = g.value;
    else if (g.field === 9) raw = buf.subarray(g.start, g.end);
    else if (g.field === 1) {
      if (g.wire === 0) dims.push(g.value);
      else for (let p = g.start; p < g.end;) [dims[dims.length], p] = readVarint(buf, p);
    } else if (g.field === 4) {
      const view = new DataView(buf.buffer, buf.byteOffset + g.start, g.end - g.start);
      if (g.wire === 5) floats.push(view.getFloat32(0, true));
      else for (let p = 0; p + 4 <= view.byteLength; p += 4) floats.push(view.getFloat32(p, true));
    }
  }
  let data: Float32Array | null = null;
  if (type === 1) {
    if (raw) {
      data = new Float32Array(raw.length / 4);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let k = 0; k < data.length; k++) data[k] = view.getFloat32(4 * k, true);
    } else data = Float32Array.from(floats);
  }
  return { name, dims, data };
}

function graphField(buf: Uint8Array): Field {
  const graph = fields(buf).find((f) => f.field === 7 && f.wire === 2);
  if (!graph) throw malformed('the file holds no graph');
  return graph;
}

/** The graph's nodes (in order), float initializers and output names. */
export function readOnnxGraph(model: Uint8Array): OnnxGraph {
  const g = graphField(model);
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxInitializer>();
  const outputs: string[] = [];
  for (const f of fields(model, g.start, g.end)) {
    if (f.field === 1 && f.wire === 2) {
      const node: OnnxNode = { opType: '', inputs: [], outputs: [], attributes: [] };
      for (const h of fields(model, f.start, f.end)) {
        if (h.field === 1) node.inputs.push(str(model, h));
        else if (h.field === 2) node.outputs.push(str(model, h));
        else if (h.field === 4) node.opType = str(model, h);
        else if (h.field === 5) node.attributes.push(readAttribute(model, h));
      }
      nodes.push(node);
    } else if (f.field === 5 && f.wire === 2) {
      const t = readTensor(model, f);
      initializers.set(t.name, t);
    } else if (f.field === 12 && f.wire === 2) {
      const name = fields(model, f.start, f.end).find((h) => h.field === 1);
      if (name) outputs.push(str(model, name));
    }
  }
  return { nodes, initializers, outputs };
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varint(field * 8 + 2), ...varint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A copy of the model whose graph also lists `tensor` (an intermediate float32 tensor) as an output
 * (ValueInfoProto name = 1, type = 2 → TypeProto.tensor_type = 1 → elem_type = 1, FLOAT). Repeated
 * protobuf fields may be appended, so the graph's bytes are kept and the output added at its end.
 */
export function withExtraOutput(model: Uint8Array, tensor: string): Uint8Array {
  const g = graphField(model);
  const floatTensorType = lengthDelimited(1, new Uint8Array([8, 1]));
  const valueInfo = concat([lengthDelimited(1, new TextEncoder().encode(tensor)), lengthDelimited(2, floatTensorType)]);
  const graph = concat([model.subarray(g.start, g.end), lengthDelimited(12, valueInfo)]);
  return concat([model.subarray(0, g.from), lengthDelimited(7, graph), model.subarray(g.to)]);
}
