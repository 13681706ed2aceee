import type { DataSet } from 'dicom-parser';
import { readFileSync } from 'node:fs';
import { inflateRawSync, inflateSync } from 'node:zlib';
import path from 'node:path';
import { type Finding, HilumError, describeError } from '../../core/errors.js';
import { type ImageGrid, type GridTolerance, DEFAULT_GRID_TOLERANCE, gridFromAxes, worldToIndex } from '../grid.js';
import { type Vec3, column, cross, dot, maxAbsDiff, normalize, scale } from '../vec.js';
import type { LabelMap } from '../volume.js';
import { decimal, decimals, firstItem, functionalGroupValue, items, str, ushort, vec3 } from './dataset.js';
import { decodeRle } from './codecs/rle.js';
import { loadCodec, runDecoder } from './codecs/wasm-codecs.js';
import { encapsulatedFrame } from './frames.js';
import { parseDicomBytes } from './parse.js';
import { SOP_CLASS, TAG, TS, TRANSFER_SYNTAX_NAMES } from './tags.js';
import { arrayMax, arrayMin } from '../../core/array-extent.js';

export type SegmentationType = 'BINARY' | 'FRACTIONAL' | 'LABELMAP';

export interface SegmentInfo {
  number: number;
  label: string;
  description: string;
  algorithmType: string;
}

export interface SegFrame {
  positionLps: Vec3 | null;
  /** Segment this frame belongs to (BINARY/FRACTIONAL); null for label-map frames. */
  segmentNumber: number | null;
  referencedSopInstanceUid: string | null;
}

/** A DICOM Segmentation object, decoded: frame pixels are one byte per pixel (0/1, fractions 0…max, or labels). */
export interface DicomSeg {
  filePath: string;
  sopInstanceUid: string;
  seriesDescription: string;
  type: SegmentationType;
  fractionalType: string | null;
  maximumFractionalValue: number;
  segments: SegmentInfo[];
  rows: number;
  columns: number;
  rowDirection: Vec3;
  columnDirection: Vec3;
  /** [between rows, between columns] mm. */
  pixelSpacingMm: [number, number];
  sliceThicknessMm: number | null;
  spacingBetweenSlicesMm: number | null;
  frameOfReferenceUid: string;
  referencedSeriesUid: string;
  frames: SegFrame[];
  /** Pixel values of each frame, rows × columns, row-major. */
  pixels: (Uint8Array | Uint16Array)[];
  transferSyntaxUid: string;
}

/** Reads and decodes a DICOM-SEG (binary, fractional or label-map; native, RLE, deflated or JPEG 2000 frames). */
export async function readDicomSeg(filePath: string): Promise<DicomSeg> {
  const label = path.basename(filePath);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(filePath));
  } catch (error) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${filePath} cannot be read (${describeError(error)})` });
  }
  const ds = parseDicomBytes(bytes, label);
  const sopClass = str(ds, TAG.SOPClassUID) ?? str(ds, TAG.MediaStorageSOPClassUID);
  if (sopClass !== SOP_CLASS.Segmentation && sopClass !== SOP_CLASS.LabelMapSegmentation)
    throw new HilumError({ code: 'NOT_A_SEGMENTATION', message: `${label} is not a DICOM Segmentation (SOP class ${sopClass ?? 'missing'})` });
  const rows = ushort(ds, TAG.Rows) ?? 0;
  const columns = ushort(ds, TAG.Columns) ?? 0;
  const bitsAllocated = ushort(ds, TAG.BitsAllocated) ?? 1;
  const numberOfFrames = Math.round(decimal(ds, TAG.NumberOfFrames) ?? 1);
  const declaredType = (str(ds, TAG.SegmentationType) ?? 'BINARY').toUpperCase();
  const type: SegmentationType =
    sopClass === SOP_CLASS.LabelMapSegmentation || declaredType === 'LABELMAP' ? 'LABELMAP' : declaredType === 'FRACTIONAL' ? 'FRACTIONAL' : 'BINARY';
  const shared = firstItem(ds, TAG.SharedFunctionalGroupsSequence);
  const perFrame = items(ds, TAG.PerFrameFunctionalGroupsSequence);
  const orientation = functionalGroupValue(perFrame[0], shared, TAG.PlaneOrientationSequence, (i) => decimals(i, TAG.ImageOrientationPatient));
  const measures = firstItem(perFrame[0], TAG.PixelMeasuresSequence) ?? firstItem(shared, TAG.PixelMeasuresSequence);
  const spacing = measures ? decimals(measures, TAG.PixelSpacing) : undefined;
  if (!orientation || orientation.length < 6 || !spacing || spacing.length < 2)
    throw new HilumError({ code: 'MISSING_GEOMETRY', message: `${label} has no plane orientation or pixel spacing, so it cannot be placed on a CT` });
  const frames: SegFrame[] = [];
  for (let f = 0; f < numberOfFrames; f++) {
    const pf = perFrame[f];
    const source = firstItem(firstItem(pf, TAG.DerivationImageSequence), TAG.SourceImageSequence);
    frames.push({
      positionLps: functionalGroupValue(pf, shared, TAG.PlanePositionSequence, (i) => vec3(i, TAG.ImagePositionPatient)) ?? null,
      segmentNumber:
        type === 'LABELMAP'
          ? null
          : (functionalGroupValue(pf, shared, TAG.SegmentIdentificationSequence, (i) => ushort(i, TAG.ReferencedSegmentNumber)) ?? null),
      referencedSopInstanceUid: source ? (str(source, TAG.ReferencedSOPInstanceUID) ?? null) : null,
    });
  }
  const segments: SegmentInfo[] = items(ds, TAG.SegmentSequence).map((s) => ({
    number: ushort(s, TAG.SegmentNumber) ?? 0,
    label: str(s, TAG.SegmentLabel) ?? '',
    description: str(s, TAG.SegmentDescription) ?? '',
    algorithmType: str(s, 'x00620008') ?? '',
  }));
  const transferSyntaxUid = str(ds, TAG.TransferSyntaxUID) ?? TS.ImplicitLittle;
  const pixels = await decodeSegFrames(ds, { rows, columns, bitsAllocated, numberOfFrames, transferSyntaxUid, label });
  const referencedSeries = firstItem(ds, TAG.ReferencedSeriesSequence);
  return {
    filePath,
    sopInstanceUid: str(ds, TAG.SOPInstanceUID) ?? str(ds, TAG.MediaStorageSOPInstanceUID) ?? '',
    seriesDescription: str(ds, TAG.SeriesDescription) ?? '',
    type,
    fractionalType: str(ds, TAG.SegmentationFractionalType) ?? null,
    maximumFractionalValue: ushort(ds, TAG.MaximumFractionalValue) ?? 255,
    segments,
    rows,
    columns,
    rowDirection: [orientation[0], orientation[1], orientation[2]],
    columnDirection: [orientation[3], orientation[4], orientation[5]],
    pixelSpacingMm: [spacing[0], spacing[1]],
    sliceThicknessMm: measures ? (decimal(measures, TAG.SliceThickness) ?? null) : null,
    spacingBetweenSlicesMm: measures ? (decimal(measures, TAG.SpacingBetweenSlices) ?? null) : null,
    frameOfReferenceUid: str(ds, TAG.FrameOfReferenceUID) ?? '',
    referencedSeriesUid: referencedSeries ? (str(referencedSeries, TAG.SeriesInstanceUID) ?? '') : '',
    frames,
    pixels,
    transferSyntaxUid,
  };
}

interface FrameLayout {
  rows: number;
  columns: number;
  bitsAllocated: number;
  numberOfFrames: number;
  transferSyntaxUid: string;
  label: string;
}

async function decodeSegFrames(ds: DataSet, layout: FrameLayout): Promise<(Uint8Array | Uint16Array)[]> {
  const { rows, columns, bitsAllocated, numberOfFrames, transferSyntaxUid: ts, label } = layout;
  const n = rows * columns;
  const pixel = ds.elements[TAG.PixelData];
  if (!pixel) throw new HilumError({ code: 'MISSING_PIXEL_DATA', message: `${label} has no pixel data` });
  const all = ds.byteArray as Uint8Array;
  const out: (Uint8Array | Uint16Array)[] = [];
  if (!pixel.encapsulatedPixelData) {
    const needBytes = bitsAllocated === 1 ? Math.ceil((n * numberOfFrames) / 8) : n * numberOfFrames * (bitsAllocated / 8);
    if (pixel.length < needBytes || pixel.dataOffset + needBytes > all.length)
      throw new HilumError({
        code: 'TRUNCATED_FILE',
        message: `${label} is truncated: ${Math.min(pixel.length, all.length - pixel.dataOffset)} bytes of pixel data, ${needBytes} expected`,
      });
    const data = all.subarray(pixel.dataOffset, pixel.dataOffset + needBytes);
    for (let f = 0; f < numberOfFrames; f++) {
      if (bitsAllocated === 1) out.push(unpackBits(data, f * n, n));
      else if (bitsAllocated === 8) out.push(data.slice(f * n, (f + 1) * n));
      else out.push(new Uint16Array(data.slice(f * n * 2, (f + 1) * n * 2).buffer));
    }
    return out;
  }
  for (let f = 0; f < numberOfFrames; f++) {
    const encoded = encapsulatedFrame(ds, f, numberOfFrames, label);
    let frame: Uint8Array;
    let packed = bitsAllocated === 1;
    if (ts === TS.Rle) frame = decodeRle(encoded, rows, columns, bitsAllocated, 1);
    else if (ts === TS.DeflatedImageFrame) frame = inflate(encoded);
    else if (ts === TS.Jpeg2000Lossless || ts === TS.Jpeg2000 || ts === TS.HtJ2kLossless || ts === TS.HtJ2kLosslessRpcl || ts === TS.HtJ2k) {
      const codec = ts.startsWith('1.2.840.10008.1.2.4.20') ? await loadCodec('openjph') : await loadCodec('openjpeg');
      const { bytes, info } = runDecoder(ts.startsWith('1.2.840.10008.1.2.4.20') ? codec.HTJ2KDecoder : codec.J2KDecoder, encoded);
      frame = bytes;
      packed = false; // JPEG 2000 codes one sample per pixel even for 1-bit data
      if (info.bitsPerSample > 8) {
        out.push(new Uint16Array(bytes.buffer, bytes.byteOffset, n).slice());
        continue;
      }
    } else
      throw new HilumError({
        code: 'UNSUPPORTED_TRANSFER_SYNTAX',
        message: `${label}: segmentation frames in ${TRANSFER_SYNTAX_NAMES[ts] ?? ts} are not supported`,
      });
    if (packed) out.push(unpackBits(frame, 0, n));
    else if (bitsAllocated === 16 && !ts.startsWith('1.2.840.10008.1.2.4.')) out.push(new Uint16Array(frame.slice(0, n * 2).buffer));
    else out.push(frame.subarray(0, n));
  }
  return out;
}

/** 1-bit pixels, least significant bit first, starting at any bit offset (frames need not be byte-aligned). */
function unpackBits(data: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const bit = bitOffset + p;
    out[p] = (data[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}

function inflate(encoded: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(encoded));
  } catch {
    return new Uint8Array(inflateSync(encoded));
  }
}

/** The grid a SEG spans by itself: its frame plane, from the lowest to the highest frame position. */
export function segOwnGrid(seg: DicomSeg): ImageGrid {
  const normal = normalize(cross(seg.rowDirection, seg.columnDirection));
  const positions = seg.frames.map((f) => f.positionLps).filter((p): p is Vec3 => p !== null);
  if (positions.length === 0) throw new HilumError({ code: 'MISSING_GEOMETRY', message: `${path.basename(seg.filePath)} has no frame positions` });
  const along = [...new Set(positions.map((p) => Math.round(dot(p, normal) * 1000) / 1000))].sort((a, b) => a - b);
  const steps = along.slice(1).map((d, i) => d - along[i]);
  const step = steps.length ? arrayMin(steps) : (seg.spacingBetweenSlicesMm ?? seg.sliceThicknessMm ?? 1);
  const firstPosition = positions.reduce((best, p) => (dot(p, normal) < dot(best, normal) ? p : best));
  const count = Math.round((along[along.length - 1] - along[0]) / step) + 1;
  return gridFromAxes([seg.columns, seg.rows, count], firstPosition, [
    scale(normalize(seg.rowDirection), seg.pixelSpacingMm[1]),
    scale(normalize(seg.columnDirection), seg.pixelSpacingMm[0]),
    scale(normal, step),
  ]);
}

export interface SegOnGrid {
  /** One mask per requested segment (0/1), on the target grid. */
  masks: Map<number, LabelMap>;
  findings: Finding[];
}

/**
 * Places the SEG's frames on a target grid (normally the CT's): every frame must lie on a slice
 * of the grid with the grid's in-plane orientation and spacing, within tolerance; a frame that
 * does not is an error (nothing is resampled). Fractional frames are thresholded at
 * `fractionalThreshold` of the maximum fractional value.
 */
export function segToMasks(
  seg: DicomSeg,
  grid: ImageGrid,
  options: { segments?: number[]; fractionalThreshold?: number; tolerance?: GridTolerance } = {},
): SegOnGrid {
  const tol = options.tolerance ?? DEFAULT_GRID_TOLERANCE;
  const label = path.basename(seg.filePath);
  const findings: Finding[] = [];
  const rowDir = normalize(seg.rowDirection);
  const colDir = normalize(seg.columnDirection);
  if (maxAbsDiff(rowDir, column(grid.direction, 0)) > tol.direction || maxAbsDiff(colDir, column(grid.direction, 1)) > tol.direction)
    throw new HilumError({
      code: 'MASK_GEOMETRY_MISMATCH',
      message: `${label}: frame orientation (${[...rowDir, ...colDir].map((v) => v.toFixed(4)).join(', ')}) differs from the image's`,
      hint: 'The segmentation was made on another series; open that series.',
    });
  const spacingOk =
    Math.abs(seg.pixelSpacingMm[1] - grid.spacingMm[0]) <= tol.spacingRelative * grid.spacingMm[0] &&
    Math.abs(seg.pixelSpacingMm[0] - grid.spacingMm[1]) <= tol.spacingRelative * grid.spacingMm[1];
  if (!spacingOk)
    throw new HilumError({
      code: 'MASK_GEOMETRY_MISMATCH',
      message: `${label}: pixel spacing ${seg.pixelSpacingMm.join('×')} mm differs from the image's ${grid.spacingMm[1]}×${grid.spacingMm[0]} mm`,
      hint: 'The segmentation was made on another series; open that series.',
    });
  const wanted = options.segments ?? (seg.type === 'LABELMAP' ? labelValues(seg) : seg.segments.map((s) => s.number));
  const masks = new Map<number, LabelMap>();
  const [nx, ny, nz] = grid.dims;
  for (const s of wanted) masks.set(s, { ...copyGridOf(grid), voxels: new Uint8Array(nx * ny * nz) });
  const threshold = (options.fractionalThreshold ?? 0.5) * seg.maximumFractionalValue;
  seg.frames.forEach((frame, f) => {
    if (!frame.positionLps) throw new HilumError({ code: 'MISSING_GEOMETRY', message: `${label}: frame ${f + 1} has no position` });
    const idx = worldToIndex(grid, frame.positionLps);
    const [i0, j0, k] = idx.map((x) => Math.round(x));
    const off = arrayMax(idx.map((x, a) => Math.abs(x - Math.round(x)) * grid.spacingMm[a]));
    if (off > tol.positionMm * 10 || k < 0 || k >= nz || i0 < 0 || j0 < 0 || i0 + seg.columns > nx || j0 + seg.rows > ny)
      throw new HilumError({
        code: 'MASK_GEOMETRY_MISMATCH',
        message: `${label}: frame ${f + 1} at (${frame.positionLps.map((v) => v.toFixed(2)).join(', ')}) does not lie on a slice of the image (nearest slice ${k + 1} of ${nz}, ${off.toFixed(3)} mm off)`,
        hint: 'The segmentation was made on another series or reconstruction.',
      });
    const px = seg.pixels[f];
    const plane = nx * ny;
    for (const [segment, mask] of masks) {
      if (seg.type !== 'LABELMAP' && frame.segmentNumber !== segment) continue;
      const v = mask.voxels;
      for (let j = 0; j < seg.rows; j++)
        for (let i = 0; i < seg.columns; i++) {
          const value = px[j * seg.columns + i];
          const on = seg.type === 'LABELMAP' ? value === segment : seg.type === 'FRACTIONAL' ? value >= threshold && value > 0 : value !== 0;
          if (on) v[k * plane + (j0 + j) * nx + (i0 + i)] = 1;
        }
    }
  });
  return { masks, findings };
}

/** Segment numbers that occur in a label-map SEG's pixels (0 is background). */
function labelValues(seg: DicomSeg): number[] {
  const seen = new Set<number>();
  for (const px of seg.pixels) for (let i = 0; i < px.length; i++) if (px[i]) seen.add(px[i]);
  const declared = seg.segments.map((s) => s.number);
  return [...seen].filter((v) => declared.length === 0 || declared.includes(v)).sort((a, b) => a - b);
}

function copyGridOf(grid: ImageGrid): ImageGrid {
  return { dims: [...grid.dims], spacingMm: [...grid.spacingMm], originLps: [...grid.originLps], direction: [...grid.direction] };
}

/** Voxels set per segment. */
export function countMaskVoxels(masks: Map<number, LabelMap>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [s, m] of masks) {
    let c = 0;
    for (let i = 0; i < m.voxels.length; i++) c += m.voxels[i];
    out.set(s, c);
  }
  return out;
}
