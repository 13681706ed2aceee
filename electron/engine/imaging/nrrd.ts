import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError, describeError } from '../core/errors.js';
import { type ImageGrid, indexToWorldMatrix, voxelCount, withoutNegativeZero } from './grid.js';
import { type Vec3, fromColumns } from './vec.js';
import type { ScalarArray, ScalarImage } from './volume.js';

/**
 * NRRD (teem's Nearly Raw Raster Data, format version ≤ 5): a text header, a blank line, then raw,
 * gzip or ASCII data, attached or in a detached data file. Geometry comes from 'space directions'
 * and 'space origin' in the named space (LPS, RAS or LAS; converted to LPS). No npm package reads
 * gzip NRRD, so this is a small reader of Hilum's own.
 */

type TypeInfo = { ctor: new (buffer: ArrayBuffer) => ScalarArray; bytes: number; name: string };
const T = {
  int8: { ctor: Int8Array, bytes: 1, name: 'int8' },
  uint8: { ctor: Uint8Array, bytes: 1, name: 'uint8' },
  int16: { ctor: Int16Array, bytes: 2, name: 'int16' },
  uint16: { ctor: Uint16Array, bytes: 2, name: 'uint16' },
  int32: { ctor: Int32Array, bytes: 4, name: 'int32' },
  uint32: { ctor: Uint32Array, bytes: 4, name: 'uint32' },
  float: { ctor: Float32Array, bytes: 4, name: 'float' },
  double: { ctor: Float64Array, bytes: 8, name: 'double' },
} satisfies Record<string, TypeInfo>;

const TYPE_NAMES: Record<string, TypeInfo> = {
  'signed char': T.int8,
  int8: T.int8,
  int8_t: T.int8,
  uchar: T.uint8,
  'unsigned char': T.uint8,
  uint8: T.uint8,
  uint8_t: T.uint8,
  short: T.int16,
  'short int': T.int16,
  'signed short': T.int16,
  'signed short int': T.int16,
  int16: T.int16,
  int16_t: T.int16,
  ushort: T.uint16,
  'unsigned short': T.uint16,
  'unsigned short int': T.uint16,
  uint16: T.uint16,
  uint16_t: T.uint16,
  int: T.int32,
  'signed int': T.int32,
  int32: T.int32,
  int32_t: T.int32,
  uint: T.uint32,
  'unsigned int': T.uint32,
  uint32: T.uint32,
  uint32_t: T.uint32,
  float: T.float,
  double: T.double,
};

/** Sign flips from a named NRRD space to LPS. */
const SPACE_TO_LPS: Record<string, Vec3> = {
  'left-posterior-superior': [1, 1, 1],
  lps: [1, 1, 1],
  'right-anterior-superior': [-1, -1, 1],
  ras: [-1, -1, 1],
  'left-anterior-superior': [1, -1, 1],
  las: [1, -1, 1],
};

export function isNrrdPath(p: string): boolean {
  return /\.(nrrd|nhdr)$/i.test(p);
}

export interface NrrdRead {
  image: ScalarImage;
  type: string;
  fields: Record<string, string>;
}

export function readNrrd(filePath: string): NrrdRead {
  const label = path.basename(filePath);
  let raw: Buffer;
  try {
    raw = readFileSync(filePath);
  } catch (error) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${filePath} cannot be read (${describeError(error)})` });
  }
  if (raw.subarray(0, 4).toString('latin1') !== 'NRRD') throw bad(label, "it does not start with 'NRRD'");
  const headerEnd = findBlankLine(raw);
  const headerText = raw.subarray(0, headerEnd < 0 ? raw.length : headerEnd).toString('latin1');
  const fields: Record<string, string> = {};
  for (const line of headerText.split(/\r?\n/).slice(1)) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([^:]+):=?\s?(.*)$/.exec(line);
    if (m) fields[m[1].trim().toLowerCase()] = m[2].trim();
  }
  const dimension = Number(fields.dimension);
  const sizes = (fields.sizes ?? '').split(/\s+/).map(Number);
  if (!(dimension >= 1 && dimension <= 3) || sizes.length !== dimension || sizes.some((n) => !(Number.isInteger(n) && n > 0)))
    throw bad(label, `unsupported dimension/sizes '${fields.dimension}' / '${fields.sizes}' (Hilum reads scalar images up to 3D)`);
  const type = TYPE_NAMES[(fields.type ?? '').toLowerCase()];
  if (!type) throw bad(label, `unsupported type '${fields.type}'`);
  const dims = [sizes[0], sizes[1] ?? 1, sizes[2] ?? 1] as Vec3;
  const n = voxelCount({ dims });
  const encoding = (fields.encoding ?? 'raw').toLowerCase();

  let data: Buffer;
  if (fields['data file'] || fields.datafile) {
    const file = (fields['data file'] ?? fields.datafile).split(/\s+/)[0];
    try {
      data = readFileSync(path.resolve(path.dirname(filePath), file));
    } catch (error) {
      throw bad(label, `detached data file '${file}' cannot be read (${describeError(error)})`);
    }
  } else {
    if (headerEnd < 0) throw bad(label, 'the header has no blank line before the data');
    data = raw.subarray(headerEnd);
  }
  const skip = Number(fields['byte skip'] ?? 0);
  let bytes: Uint8Array;
  if (encoding === 'raw') bytes = data.subarray(skip >= 0 ? skip : data.length - n * type.bytes);
  else if (encoding === 'gzip' || encoding === 'gz') {
    try {
      bytes = gunzipSync(data).subarray(Math.max(0, skip));
    } catch (error) {
      throw bad(label, `its gzip data is damaged (${describeError(error)})`);
    }
  } else if (encoding === 'ascii' || encoding === 'text' || encoding === 'txt') {
    const values = data
      .toString('latin1')
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if (values.length < n) throw truncatedData(label, values.length, n);
    const arr = new type.ctor(new ArrayBuffer(n * type.bytes));
    for (let i = 0; i < n; i++) arr[i] = values[i];
    return { image: { ...gridOf(fields, dims, label), voxels: arr }, type: type.name, fields };
  } else throw bad(label, `unsupported encoding '${fields.encoding}'`);
  if (bytes.length < n * type.bytes) throw truncatedData(label, Math.floor(bytes.length / type.bytes), n);
  const copy = new Uint8Array(n * type.bytes);
  copy.set(bytes.subarray(0, n * type.bytes));
  if ((fields.endian ?? 'little').toLowerCase() === 'big' && type.bytes > 1) swap(copy, type.bytes);
  return { image: { ...gridOf(fields, dims, label), voxels: new type.ctor(copy.buffer) }, type: type.name, fields };
}

function gridOf(fields: Record<string, string>, dims: Vec3, label: string): ImageGrid {
  const space = (fields.space ?? '').toLowerCase();
  const flip = SPACE_TO_LPS[space];
  if (fields.space && !flip) throw bad(label, `unsupported space '${fields.space}'`);
  const directions = fields['space directions'];
  if (!flip || !directions) {
    const spacings = (fields.spacings ?? '').split(/\s+/).map(Number);
    return {
      dims,
      spacingMm: [0, 1, 2].map((a) => (spacings[a] > 0 ? spacings[a] : 1)) as Vec3,
      originLps: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    };
  }
  const vectors = [...directions.matchAll(/\(([^)]*)\)|none/g)].filter((m) => m[1] !== undefined).map((m) => m[1].split(',').map(Number));
  if (vectors.length < 3 && dims[2] > 1) throw bad(label, `'space directions' lists ${vectors.length} vectors`);
  while (vectors.length < 3) vectors.push(vectors.length === 2 ? [0, 0, 1] : [0, 1, 0]);
  const axes = vectors.map((v) => [v[0] * flip[0], v[1] * flip[1], v[2] * flip[2]] as Vec3);
  const spacing = axes.map((v) => Math.hypot(...v)) as Vec3;
  if (spacing.some((s) => !(s > 0))) throw bad(label, `'space directions' has a zero or invalid vector`);
  const unit = axes.map((v, i) => v.map((x) => x / spacing[i]) as Vec3);
  const originMatch = /\(([^)]*)\)/.exec(fields['space origin'] ?? '');
  const o = originMatch ? originMatch[1].split(',').map(Number) : [0, 0, 0];
  return {
    dims,
    spacingMm: spacing,
    originLps: withoutNegativeZero([o[0] * flip[0], o[1] * flip[1], o[2] * flip[2]] as Vec3),
    direction: withoutNegativeZero(fromColumns(unit[0], unit[1], unit[2])),
  };
}

const WRITE_TYPES = new Map<Function, string>([
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [Float32Array, 'float'],
  [Float64Array, 'double'],
]);

/** Writes an attached NRRD in LPS space; numbers are written in full (shortest round-trip) precision. */
export function writeNrrd(filePath: string, image: ScalarImage, options: { gzip?: boolean } = {}): void {
  const type = WRITE_TYPES.get(image.voxels.constructor);
  if (!type) throw new HilumError({ code: 'NRRD_UNSUPPORTED_TYPE', message: `cannot write ${image.voxels.constructor.name} voxels to NRRD` });
  const m = indexToWorldMatrix(image);
  const vector = (c: number) => `(${m[c]},${m[3 + c]},${m[6 + c]})`;
  const gzip = options.gzip ?? true;
  const header = [
    'NRRD0004',
    '# written by Hilum',
    `type: ${type}`,
    'dimension: 3',
    'space: left-posterior-superior',
    `sizes: ${image.dims.join(' ')}`,
    `space directions: ${vector(0)} ${vector(1)} ${vector(2)}`,
    'kinds: domain domain domain',
    'endian: little',
    `encoding: ${gzip ? 'gzip' : 'raw'}`,
    `space origin: (${image.originLps.join(',')})`,
    '',
    '',
  ].join('\n');
  const bytes = new Uint8Array(image.voxels.buffer, image.voxels.byteOffset, image.voxels.byteLength);
  writeFileSync(filePath, Buffer.concat([Buffer.from(header, 'latin1'), gzip ? gzipSync(bytes, { level: 6 }) : Buffer.from(bytes)]));
}

function findBlankLine(raw: Buffer): number {
  for (let i = 0; i + 1 < raw.length && i < 65536; i++) {
    if (raw[i] === 0x0a && raw[i + 1] === 0x0a) return i + 2;
    if (raw[i] === 0x0a && raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

function swap(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width)
    for (let a = 0, b = width - 1; a < b; a++, b--) {
      const t = bytes[i + a];
      bytes[i + a] = bytes[i + b];
      bytes[i + b] = t;
    }
}

function bad(label: string, detail: string): HilumError {
  return new HilumError({ code: 'NRRD_INVALID', message: `${label} is not a readable NRRD file: ${detail}` });
}

function truncatedData(label: string, have: number, need: number): HilumError {
  return new HilumError({ code: 'TRUNCATED_FILE', message: `${label} is truncated: ${have} of ${need} voxels present` });
}
