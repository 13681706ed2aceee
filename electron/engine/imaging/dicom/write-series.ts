import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../../core/errors.js';
import { indexToWorld } from '../grid.js';
import { column } from '../vec.js';
import type { Volume } from '../volume.js';
import { loadCodec } from './codecs/wasm-codecs.js';
import { SOP_CLASS, TS } from './tags.js';
import { newUid } from './uid.js';
import { decimalString, dicomDateTime, writeDataset } from './write-dataset.js';

export type SeriesEncoding = 'explicit-little' | 'jpeg2000-lossless' | 'htj2k-lossless';

export interface SeriesWriteOptions {
  encoding?: SeriesEncoding;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  /** SOP Instance UID of slice k; default: new UIDs. */
  sopInstanceUid?: (k: number) => string;
  seriesDescription?: string;
  seriesNumber?: number;
  patientId?: string;
  patientName?: string;
  studyDate?: Date;
  /** More attributes (dcmjs keywords) for every slice, e.g. ConvolutionKernel. */
  extra?: Record<string, unknown>;
  /** Per-slice attribute overrides (after everything else). */
  perSlice?: (k: number) => Record<string, unknown>;
  onProgress?: (done: number, total: number) => void;
}

/** RescaleIntercept of written series: stored = HU + 1024 keeps air at 0 like most scanners. */
const WRITE_INTERCEPT = -1024;

/**
 * Writes a HU volume as a classic single-frame CT series (one file per slice, signed 16-bit,
 * RescaleIntercept −1024), uncompressed or lossless JPEG 2000 / HTJ2K. Used for synthetic cases
 * (phantoms, benchmarks, tests). Float voxels are rounded to whole HU.
 */
export async function writeCtSeries(volume: Volume, folder: string, options: SeriesWriteOptions = {}): Promise<string[]> {
  const [nx, ny, nz] = volume.dims;
  const encoding = options.encoding ?? 'explicit-little';
  mkdirSync(folder, { recursive: true });
  const study = options.studyInstanceUid ?? newUid();
  const series = options.seriesInstanceUid ?? newUid();
  const frameOfReference = options.frameOfReferenceUid ?? newUid();
  const { date, time } = dicomDateTime(options.studyDate ?? new Date(2026, 0, 1, 9, 0, 0));
  const rowDir = column(volume.direction, 0);
  const colDir = column(volume.direction, 1);
  const slice = nx * ny;
  const files: string[] = [];
  const transferSyntax = encoding === 'explicit-little' ? TS.ExplicitLittle : encoding === 'jpeg2000-lossless' ? TS.Jpeg2000Lossless : TS.HtJ2kLossless;
  for (let k = 0; k < nz; k++) {
    const stored = new Int16Array(slice);
    for (let p = 0; p < slice; p++) {
      const v = Math.round(volume.voxels[k * slice + p]) - WRITE_INTERCEPT;
      if (v < -32768 || v > 32767) throw new HilumError({ code: 'VALUE_OUT_OF_RANGE', message: `HU ${v + WRITE_INTERCEPT} cannot be stored in a 16-bit CT` });
      stored[p] = v;
    }
    const pixelData = encoding === 'explicit-little' ? stored.buffer : await encodeLossless(stored, nx, ny, encoding);
    const sop = options.sopInstanceUid?.(k) ?? newUid();
    const position = indexToWorld(volume, [0, 0, k]);
    const dataset: Record<string, unknown> = {
      SpecificCharacterSet: 'ISO_IR 192',
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SOPClassUID: SOP_CLASS.CTImage,
      SOPInstanceUID: sop,
      StudyDate: date,
      SeriesDate: date,
      ContentDate: date,
      StudyTime: time,
      SeriesTime: time,
      ContentTime: time,
      AccessionNumber: '',
      Modality: 'CT',
      Manufacturer: 'Hilum',
      ReferringPhysicianName: '',
      StudyDescription: 'Hilum synthetic study',
      SeriesDescription: options.seriesDescription ?? 'Hilum synthetic CT',
      PatientName: options.patientName ?? 'SYNTHETIC^PHANTOM',
      PatientID: options.patientId ?? 'SYNTHETIC',
      PatientBirthDate: '',
      PatientSex: 'O',
      SliceThickness: decimalString(volume.spacingMm[2]),
      KVP: 120,
      PatientPosition: 'HFS',
      StudyInstanceUID: study,
      SeriesInstanceUID: series,
      StudyID: '1',
      SeriesNumber: options.seriesNumber ?? 1,
      InstanceNumber: k + 1,
      ImagePositionPatient: position.map(decimalString),
      ImageOrientationPatient: [...rowDir, ...colDir].map(decimalString),
      FrameOfReferenceUID: frameOfReference,
      PositionReferenceIndicator: '',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: ny,
      Columns: nx,
      PixelSpacing: [volume.spacingMm[1], volume.spacingMm[0]].map(decimalString),
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: WRITE_INTERCEPT,
      RescaleSlope: 1,
      RescaleType: 'HU',
      WindowCenter: -600,
      WindowWidth: 1500,
      ...options.extra,
      ...options.perSlice?.(k),
      PixelData: [pixelData],
      _vrMap: { PixelData: encoding === 'explicit-little' ? 'OW' : 'OB' },
    };
    const file = path.join(folder, `IM${String(k + 1).padStart(5, '0')}.dcm`);
    writeDataset(file, dataset, transferSyntax);
    files.push(file);
    options.onProgress?.(k + 1, nz);
  }
  return files;
}

async function encodeLossless(stored: Int16Array, width: number, height: number, encoding: SeriesEncoding): Promise<ArrayBuffer> {
  const codec = await loadCodec(encoding === 'jpeg2000-lossless' ? 'openjpeg' : 'openjph');
  const encoder = encoding === 'jpeg2000-lossless' ? new codec.J2KEncoder() : new codec.HTJ2KEncoder();
  try {
    const info = { width, height, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false };
    encoder.getDecodedBuffer(info).set(new Uint8Array(stored.buffer));
    // The default 5 wavelet decompositions need ≥ 32 pixels a side; small images get fewer.
    encoder.setDecompositions?.(Math.max(0, Math.min(5, Math.floor(Math.log2(Math.min(width, height))) - 1)));
    encoder.encode();
    const encoded = encoder.getEncodedBuffer().slice();
    return encoded.buffer;
  } finally {
    encoder.delete();
  }
}
