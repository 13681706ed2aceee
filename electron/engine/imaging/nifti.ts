import * as nifti from 'nifti-reader-js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Finding, HilumError, describeError } from '../core/errors.js';
import { type ImageGrid, describeGridDifferences, indexToWorldMatrix, voxelCount, withoutNegativeZero } from './grid.js';
import { type Mat3, type Vec3, fromColumns, isOrthonormal } from './vec.js';
import type { ScalarArray, ScalarImage } from './volume.js';

/**
 * NIfTI-1 and NIfTI-2 (.nii, .nii.gz). NIfTI world space is RAS; Hilum's is LPS, so
 * LPS = diag(−1, −1, 1) · RAS for both the matrix and the offset.
 *
 * Which transform is used (as nibabel's get_best_affine): the sform when sform_code > 0, else the
 * qform when qform_code > 0, else plain pixdim scaling with a warning (orientation unknown).
 * qform (NIfTI-1 "method 2"): a = √(1 − b² − c² − d²),
 *   R = [[a²+b²−c²−d², 2(bc−ad), 2(bd+ac)], [2(bc+ad), a²+c²−b²−d², 2(cd−ab)], [2(bd−ac), 2(cd+ab), a²+d²−b²−c²]],
 *   xyz = R · diag(dx, dy, qfac·dz) · ijk + qoffset.
 * Files written by Hilum also carry the geometry in double precision in a comment extension, so
 * Hilum → NIfTI → Hilum round-trips exactly; other tools read the standard sform/qform.
 */

export interface NiftiRead {
  image: ScalarImage;
  datatype: string;
  /** Which transform defined the geometry. */
  transform: 'sform' | 'qform' | 'pixdim' | 'hilum-extension';
  findings: Finding[];
}

const DATATYPES: Record<number, { name: string; ctor: new (buffer: ArrayBuffer) => ScalarArray; bytes: number }> = {
  2: { name: 'uint8', ctor: Uint8Array, bytes: 1 },
  4: { name: 'int16', ctor: Int16Array, bytes: 2 },
  8: { name: 'int32', ctor: Int32Array, bytes: 4 },
  16: { name: 'float32', ctor: Float32Array, bytes: 4 },
  64: { name: 'float64', ctor: Float64Array, bytes: 8 },
  256: { name: 'int8', ctor: Int8Array, bytes: 1 },
  512: { name: 'uint16', ctor: Uint16Array, bytes: 2 },
  768: { name: 'uint32', ctor: Uint32Array, bytes: 4 },
};

const RAS_TO_LPS: Vec3 = [-1, -1, 1];
const HILUM_EXTENSION_TAG = 'hilum-geometry ';
const NIFTI_ECODE_COMMENT = 6;

export function isNiftiPath(p: string): boolean {
  return /\.nii(\.gz)?$/i.test(p);
}

export function readNifti(filePath: string): NiftiRead {
  const label = path.basename(filePath);
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(readFileSync(filePath));
  } catch (error) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${filePath} cannot be read (${describeError(error)})` });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = new Uint8Array(gunzipSync(raw));
    } catch (error) {
      throw corrupt(label, `gzip stream is damaged (${describeError(error)})`);
    }
  }
  const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
  if (raw.length < 348 || !nifti.isNIFTI(buffer)) throw corrupt(label, 'no NIfTI header (sizeof_hdr is not 348/540 or the magic is not n+1/n+2)');
  let header: nifti.NIFTI1 | nifti.NIFTI2;
  try {
    header = nifti.readHeader(buffer) as nifti.NIFTI1 | nifti.NIFTI2;
  } catch (error) {
    throw corrupt(label, describeError(error));
  }
  const isV2 = header instanceof nifti.NIFTI2;
  const dims = header.dims;
  if (!(dims[0] >= 1 && dims[0] <= 7)) throw corrupt(label, `dim[0] = ${dims[0]} (must be 1–7)`);
  const size: Vec3 = [dims[1] || 1, dims[0] >= 2 ? dims[2] : 1, dims[0] >= 3 ? dims[3] : 1];
  if (size.some((n) => !(Number.isInteger(n) && n > 0))) throw corrupt(label, `invalid dimensions ${dims.slice(1, dims[0] + 1).join('×')}`);
  const extra = dims.slice(4, dims[0] + 1).filter((n) => n > 1);
  if (extra.length)
    throw new HilumError({
      code: 'NIFTI_NOT_3D',
      message: `${label} has ${dims[0]} dimensions (${dims.slice(1, dims[0] + 1).join('×')}); Hilum reads single 3D volumes`,
      hint: 'Split the file into 3D volumes first.',
    });
  const type = DATATYPES[header.datatypeCode];
  if (!type)
    throw new HilumError({
      code: 'NIFTI_UNSUPPORTED_TYPE',
      message: `${label} has NIfTI datatype ${header.datatypeCode} (${header.getDatatypeCodeString(header.datatypeCode)}), which Hilum does not read`,
    });
  const spacing = [1, 2, 3].map((a) => Math.abs(header.pixDims[a]) || 1) as Vec3;
  if (spacing.some((s) => !Number.isFinite(s) || s <= 0)) throw corrupt(label, `invalid voxel size ${header.pixDims.slice(1, 4).join(', ')}`);
  const n = voxelCount({ dims: size });
  const offset = header.vox_offset;
  if (!(offset >= (isV2 ? 544 : 348))) throw corrupt(label, `vox_offset ${offset} points inside the header`);
  if (raw.length < offset + n * type.bytes)
    throw new HilumError({
      code: 'TRUNCATED_FILE',
      message: `${label} is truncated: ${raw.length - offset} bytes of voxel data, ${n * type.bytes} expected for ${size.join('×')} ${type.name}`,
    });
  const bytes = raw.slice(offset, offset + n * type.bytes);
  if (!header.littleEndian) swapBytes(bytes, type.bytes);
  let voxels: ScalarArray = new type.ctor(bytes.buffer);
  const slope = header.scl_slope;
  const inter = header.scl_inter;
  if (Number.isFinite(slope) && slope !== 0 && !(slope === 1 && (inter === 0 || !Number.isFinite(inter)))) {
    const scaled = new Float32Array(n);
    for (let i = 0; i < n; i++) scaled[i] = voxels[i] * slope + (Number.isFinite(inter) ? inter : 0);
    voxels = scaled;
  }

  const findings: Finding[] = [];
  const view = new DataView(raw.buffer, raw.byteOffset, Math.min(raw.length, 544));
  const read = (o: number) => (isV2 ? view.getFloat64(o, header.littleEndian) : view.getFloat32(o, header.littleEndian));
  const sformRas = header.sform_code > 0 ? sformMatrix(read, isV2) : null;
  const qformRas = header.qform_code > 0 ? qformMatrix(header, spacing) : null;
  let transform: NiftiRead['transform'];
  let grid: ImageGrid;
  if (sformRas) {
    transform = 'sform';
    grid = gridFromRasAffine(size, sformRas);
    if (qformRas) {
      const q = gridFromRasAffine(size, qformRas);
      const differences = describeGridDifferences(grid, q, { positionMm: 0.1, spacingRelative: 1e-3, direction: 1e-3 });
      if (differences.length)
        findings.push({
          code: 'NIFTI_QFORM_SFORM_DISAGREE',
          severity: 'warning',
          message: `${label}: qform and sform disagree (${differences.join('; ')}); the sform was used`,
          hint: 'Tools differ in which one they trust; check the mask lies on the image in a viewer.',
        });
    }
  } else if (qformRas) {
    transform = 'qform';
    grid = gridFromRasAffine(size, qformRas);
  } else {
    transform = 'pixdim';
    grid = { dims: size, spacingMm: spacing, originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    findings.push({
      code: 'NIFTI_NO_ORIENTATION',
      severity: 'warning',
      message: `${label} has neither sform nor qform: its position and orientation in the patient are unknown`,
      hint: 'It can only be matched to a CT by size; re-export it with its orientation.',
    });
  }
  const exact = hilumExtensionGrid(header.extensions ?? [], raw);
  if (
    exact &&
    exact.dims.every((d, a) => d === grid.dims[a]) &&
    describeGridDifferences(grid, exact, { positionMm: 1e-3, spacingRelative: 1e-5, direction: 1e-5 }).length === 0
  ) {
    grid = exact;
    transform = 'hilum-extension';
  }
  return { image: { ...grid, voxels }, datatype: type.name, transform, findings };
}

function sformMatrix(read: (offset: number) => number, isV2: boolean): number[][] {
  const base = isV2 ? 400 : 280;
  const step = isV2 ? 8 : 4;
  return [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => read(base + (r * 4 + c) * step)));
}

function qformMatrix(h: nifti.NIFTI1 | nifti.NIFTI2, spacing: Vec3): number[][] {
  const b = h.quatern_b;
  const c = h.quatern_c;
  const d = h.quatern_d;
  let a = 1 - (b * b + c * c + d * d);
  a = a < 1e-7 ? 0 : Math.sqrt(a);
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const qfac = h.pixDims[0] < 0 ? -1 : 1;
  const scaleBy: Vec3 = [spacing[0], spacing[1], qfac * spacing[2]];
  const offset = [h.qoffset_x, h.qoffset_y, h.qoffset_z];
  return [0, 1, 2].map((r) => [R[r][0] * scaleBy[0], R[r][1] * scaleBy[1], R[r][2] * scaleBy[2], offset[r]]);
}

/** Grid from a 3×4 RAS affine (rows), converted to LPS. */
function gridFromRasAffine(dims: Vec3, m: number[][]): ImageGrid {
  const col = (c: number): Vec3 => [RAS_TO_LPS[0] * m[0][c], RAS_TO_LPS[1] * m[1][c], RAS_TO_LPS[2] * m[2][c]];
  const axes = [col(0), col(1), col(2)];
  const spacing = axes.map((v) => Math.hypot(...v)) as Vec3;
  if (spacing.some((s) => !(s > 0) || !Number.isFinite(s)))
    throw new HilumError({ code: 'NIFTI_CORRUPT_HEADER', message: `NIfTI affine has a zero or invalid axis (${JSON.stringify(m)})` });
  const unit = axes.map((v, i) => v.map((x) => x / spacing[i]) as Vec3);
  return { dims, spacingMm: spacing, originLps: withoutNegativeZero(col(3)), direction: withoutNegativeZero(fromColumns(unit[0], unit[1], unit[2])) };
}

function hilumExtensionGrid(extensions: nifti.NIFTIEXTENSION[], _raw: Uint8Array): ImageGrid | null {
  for (const ext of extensions) {
    if (ext.ecode !== NIFTI_ECODE_COMMENT) continue;
    const text = new TextDecoder().decode(new Uint8Array(ext.edata)).replace(/\0+$/, '');
    if (!text.startsWith(HILUM_EXTENSION_TAG)) continue;
    try {
      const g = JSON.parse(text.slice(HILUM_EXTENSION_TAG.length)) as ImageGrid;
      if (g.dims?.length === 3 && g.spacingMm?.length === 3 && g.originLps?.length === 3 && g.direction?.length === 9) return g;
    } catch {
      // not ours after all
    }
  }
  return null;
}

export interface NiftiWriteOptions {
  /** gzip the file; default: when the path ends in .gz */
  gzip?: boolean;
  description?: string;
}

const WRITE_TYPES = new Map<Function, number>([
  [Uint8Array, 2],
  [Int16Array, 4],
  [Int32Array, 8],
  [Float32Array, 16],
  [Float64Array, 64],
  [Int8Array, 256],
  [Uint16Array, 512],
  [Uint32Array, 768],
]);

/** Writes a NIfTI-1 file (sform and, when the direction is orthonormal, qform; both RAS). */
export function writeNifti(filePath: string, image: ScalarImage, options: NiftiWriteOptions = {}): void {
  writeFileSync(filePath, encodeNifti(image, { ...options, gzip: options.gzip ?? /\.gz$/i.test(filePath) }));
}

/** The bytes of a NIfTI-1 file of `image` (gzip-compressed when `options.gzip`). */
export function encodeNifti(image: ScalarImage, options: NiftiWriteOptions = {}): Uint8Array {
  const code = WRITE_TYPES.get(image.voxels.constructor);
  if (code === undefined) throw new HilumError({ code: 'NIFTI_UNSUPPORTED_TYPE', message: `cannot write ${image.voxels.constructor.name} voxels to NIfTI` });
  if (image.voxels.length !== voxelCount(image)) throw new HilumError({ code: 'VOXEL_COUNT_MISMATCH', message: 'voxel count does not match the image size' });
  const extensionText = new TextEncoder().encode(
    HILUM_EXTENSION_TAG + JSON.stringify({ dims: image.dims, spacingMm: image.spacingMm, originLps: image.originLps, direction: image.direction }),
  );
  const esize = Math.ceil((extensionText.length + 8) / 16) * 16;
  const voxOffset = 352 + esize;
  const dataBytes = image.voxels.byteLength;
  const out = new Uint8Array(voxOffset + dataBytes);
  const v = new DataView(out.buffer);
  const bytesPer = image.voxels.BYTES_PER_ELEMENT;
  v.setInt32(0, 348, true);
  v.setInt8(38, 114); // regular = 'r'
  const dims = [3, image.dims[0], image.dims[1], image.dims[2], 1, 1, 1, 1];
  dims.forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
  v.setInt16(70, code, true);
  v.setInt16(72, bytesPer * 8, true);
  const ras = rasAffine(image);
  const quaternion = isOrthonormal(image.direction) ? rasQuaternion(image.direction) : null;
  const pixdim = [quaternion ? quaternion.qfac : 1, ...image.spacingMm, 1, 1, 1, 1];
  pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, true));
  v.setFloat32(108, voxOffset, true);
  v.setFloat32(112, 1, true); // scl_slope
  v.setFloat32(116, 0, true); // scl_inter
  v.setUint8(123, 2 | 8); // xyzt_units: mm, s
  const description = new TextEncoder().encode((options.description ?? 'Hilum').slice(0, 79));
  out.set(description, 148);
  v.setInt16(252, quaternion ? 1 : 0, true); // qform_code: scanner anatomical
  v.setInt16(254, 1, true); // sform_code: scanner anatomical
  if (quaternion) {
    v.setFloat32(256, quaternion.b, true);
    v.setFloat32(260, quaternion.c, true);
    v.setFloat32(264, quaternion.d, true);
    v.setFloat32(268, ras[0][3], true);
    v.setFloat32(272, ras[1][3], true);
    v.setFloat32(276, ras[2][3], true);
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + (r * 4 + c) * 4, ras[r][c], true);
  out.set(new TextEncoder().encode('n+1\0'), 344);
  out[348] = 1; // extension present
  v.setInt32(352, esize, true);
  v.setInt32(356, NIFTI_ECODE_COMMENT, true);
  out.set(extensionText, 360);
  out.set(new Uint8Array(image.voxels.buffer, image.voxels.byteOffset, dataBytes), voxOffset);
  return options.gzip ? gzipSync(out, { level: 6 }) : out;
}

/** 3×4 RAS affine (rows) of a grid. */
function rasAffine(grid: ImageGrid): number[][] {
  const m = indexToWorldMatrix(grid);
  return [0, 1, 2].map((r) => [RAS_TO_LPS[r] * m[3 * r], RAS_TO_LPS[r] * m[3 * r + 1], RAS_TO_LPS[r] * m[3 * r + 2], RAS_TO_LPS[r] * grid.originLps[r]]);
}

/** Quaternion (b, c, d) and qfac of an orthonormal LPS direction, expressed in RAS (NIfTI-1 nifti_mat44_to_quatern). */
function rasQuaternion(direction: Mat3): { b: number; c: number; d: number; qfac: number } {
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => RAS_TO_LPS[r] * direction[3 * r + c]));
  let qfac = 1;
  const det =
    R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  if (det < 0) {
    qfac = -1;
    for (let r = 0; r < 3; r++) R[r][2] = -R[r][2];
  }
  let a = R[0][0] + R[1][1] + R[2][2] + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (R[2][1] - R[1][2])) / a;
    c = (0.25 * (R[0][2] - R[2][0])) / a;
    d = (0.25 * (R[1][0] - R[0][1])) / a;
  } else {
    const xd = 1 + R[0][0] - (R[1][1] + R[2][2]);
    const yd = 1 + R[1][1] - (R[0][0] + R[2][2]);
    const zd = 1 + R[2][2] - (R[0][0] + R[1][1]);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (R[0][1] + R[1][0])) / b;
      d = (0.25 * (R[0][2] + R[2][0])) / b;
      a = (0.25 * (R[2][1] - R[1][2])) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (R[0][1] + R[1][0])) / c;
      d = (0.25 * (R[1][2] + R[2][1])) / c;
      a = (0.25 * (R[0][2] - R[2][0])) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (R[0][2] + R[2][0])) / d;
      c = (0.25 * (R[1][2] + R[2][1])) / d;
      a = (0.25 * (R[1][0] - R[0][1])) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac };
}

function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i + width <= bytes.length; i += width)
    for (let a = 0, b = width - 1; a < b; a++, b--) {
      const t = bytes[i + a];
      bytes[i + a] = bytes[i + b];
      bytes[i + b] = t;
    }
}

function corrupt(label: string, detail: string): HilumError {
  return new HilumError({
    code: 'NIFTI_CORRUPT_HEADER',
    message: `${label} is not a readable NIfTI file: ${detail}`,
    hint: 'The file may be damaged or not NIfTI at all; export it again.',
  });
}
