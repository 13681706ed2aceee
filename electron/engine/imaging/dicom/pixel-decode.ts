import type { DataSet } from 'dicom-parser';
import { inflateRawSync, inflateSync } from 'node:zlib';
import path from 'node:path';
import { HilumError, describeError } from '../../core/errors.js';
import { decodeFileWithItk } from './codecs/itk-dicom.js';
import { readJpegFrameInfo } from './codecs/jpeg-markers.js';
import { decodeRle } from './codecs/rle.js';
import { loadCodec, runDecoder } from './codecs/wasm-codecs.js';
import { encapsulatedFrame } from './frames.js';
import type { DicomInstanceHeader, PixelFormat } from './instance.js';
import { TAG, TS, TRANSFER_SYNTAX_NAMES } from './tags.js';

/** Stored pixel values of one frame (before rescale), or HU directly when the decoder applied the rescale. */
export type DecodedFrame =
  { kind: 'stored'; samples: Int8Array | Uint8Array | Int16Array | Uint16Array; decoder: string } | { kind: 'hu'; values: Float64Array; decoder: string };

/** Bytes of one native (uncompressed) frame; BitsAllocated 1 frames are not byte-aligned and are handled by the SEG reader. */
export function nativeFrameBytes(format: PixelFormat): number {
  return format.rows * format.columns * format.samplesPerPixel * (format.bitsAllocated / 8);
}

/** Decodes frame `frameIndex` of a fully parsed file. */
export async function decodeFrame(ds: DataSet, header: DicomInstanceHeader, frameIndex: number): Promise<DecodedFrame> {
  const ts = header.transferSyntaxUid;
  const label = path.basename(header.filePath);
  const format = header.format;
  if (format.bitsAllocated !== 8 && format.bitsAllocated !== 16)
    throw new HilumError({
      code: 'UNSUPPORTED_PIXEL_FORMAT',
      message: `${label}: ${format.bitsAllocated}-bit pixels are not supported for CT volumes`,
    });
  if (ts === TS.ImplicitLittle || ts === TS.ExplicitLittle || ts === TS.DeflatedExplicitLittle || ts === TS.ExplicitBig) {
    const pixel = ds.elements[TAG.PixelData];
    const frameBytes = nativeFrameBytes(format);
    const start = pixel.dataOffset + frameIndex * frameBytes;
    const bytes = ds.byteArray as Uint8Array;
    if (pixel.length < (frameIndex + 1) * frameBytes || start + frameBytes > bytes.length)
      throw truncated(label, Math.min(pixel.length, bytes.length - pixel.dataOffset), header.numberOfFrames * frameBytes);
    const copy = bytes.slice(start, start + frameBytes);
    if (ts === TS.ExplicitBig && format.bitsAllocated === 16) swap16(copy);
    return { kind: 'stored', samples: viewSamples(copy, format), decoder: 'native' };
  }
  const encoded = encapsulatedFrame(ds, frameIndex, header.numberOfFrames, label);
  try {
    return await decodeEncapsulated(encoded, header, ts);
  } catch (error) {
    if (error instanceof NeedsWholeFileDecoder) throw error;
    if (error instanceof HilumError)
      throw error.message.startsWith(label)
        ? error
        : new HilumError({
            ...error.toJSON(),
            message: `${label}: ${error.message}`,
            hint: error.hint ?? 'The file may be damaged; copy it again from the source.',
          });
    throw new HilumError({
      code: 'DECODE_FAILED',
      message: `${label}: ${TRANSFER_SYNTAX_NAMES[ts] ?? ts} pixel data could not be decoded (${describeError(error)})`,
      hint: 'The file may be damaged; copy it again from the source.',
      cause: error,
    });
  }
}

async function decodeEncapsulated(encoded: Uint8Array, header: DicomInstanceHeader, ts: string): Promise<DecodedFrame> {
  const format = header.format;
  switch (ts) {
    case TS.Rle:
      return {
        kind: 'stored',
        samples: viewSamples(decodeRle(encoded, format.rows, format.columns, format.bitsAllocated, format.samplesPerPixel), format),
        decoder: 'rle',
      };
    case TS.DeflatedImageFrame:
      return { kind: 'stored', samples: viewSamples(inflateFrame(encoded), format), decoder: 'zlib' };
    case TS.Jpeg2000Lossless:
    case TS.Jpeg2000:
    case TS.Jpeg2000Part2Lossless:
    case TS.Jpeg2000Part2: {
      const { J2KDecoder } = await loadCodec('openjpeg');
      return wasmResult(runDecoder(J2KDecoder, encoded), format, 'openjpeg');
    }
    case TS.HtJ2kLossless:
    case TS.HtJ2kLosslessRpcl:
    case TS.HtJ2k: {
      const { HTJ2KDecoder } = await loadCodec('openjph');
      return wasmResult(runDecoder(HTJ2KDecoder, encoded), format, 'openjph');
    }
    case TS.JpegLsLossless:
    case TS.JpegLsNearLossless: {
      const { JpegLSDecoder } = await loadCodec('charls');
      return wasmResult(runDecoder(JpegLSDecoder, encoded), format, 'charls');
    }
    case TS.JpegBaseline:
    case TS.JpegExtended:
    case TS.JpegSpectralSelection:
    case TS.JpegFullProgression:
    case TS.JpegLossless:
    case TS.JpegLosslessSV1:
      return decodeJpeg(encoded, header);
    default:
      throw new HilumError({
        code: 'UNSUPPORTED_TRANSFER_SYNTAX',
        message: `${path.basename(header.filePath)}: transfer syntax ${ts} is not supported`,
        hint: 'Export the series uncompressed or with a lossless JPEG 2000 / JPEG-LS / RLE syntax.',
        data: { transferSyntaxUid: ts },
      });
  }
}

/**
 * The JPEG family is routed by what the code stream says, not only by its UID: lossless (SOF3)
 * streams go to jpeg-lossless-decoder-js, 8-bit DCT streams to libjpeg-turbo, and 12-bit DCT
 * streams to itk-wasm (the only decoder here that reproduces DCMTK's values for them).
 */
async function decodeJpeg(encoded: Uint8Array, header: DicomInstanceHeader): Promise<DecodedFrame> {
  const info = readJpegFrameInfo(encoded);
  if (!info) throw new HilumError({ code: 'CORRUPT_PIXEL_DATA', message: `${path.basename(header.filePath)}: JPEG frame has no start-of-frame marker` });
  if (info.lossless) {
    const { Decoder } = await import('jpeg-lossless-decoder-js');
    const padded = padBeforeEndOfImage(encoded);
    const out = new Decoder().decode(padded.buffer, 0, padded.length, header.format.bitsAllocated / 8);
    return {
      kind: 'stored',
      samples: viewSamples(new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice(), header.format),
      decoder: 'jpeg-lossless-decoder-js',
    };
  }
  if (info.precision <= 8) {
    const { JPEGDecoder } = await loadCodec('libjpeg-turbo-8bit');
    return wasmResult(runDecoder(JPEGDecoder, encoded), header.format, 'libjpeg-turbo');
  }
  throw new NeedsWholeFileDecoder();
}

/**
 * jpeg-lossless-decoder-js 2.1.2 drops the last sample when the entropy-coded data ends exactly
 * where its bit reader meets the EOI marker (seen on the SV1 fixture: the last pixel came out 0).
 * Four zero bytes before EOI let it finish the last unit; it stops at the image size, and zero
 * bits always decode (the first canonical Huffman code is all zeros), so the padding is never used.
 */
function padBeforeEndOfImage(encoded: Uint8Array): Uint8Array {
  let end = encoded.length;
  while (end >= 2 && !(encoded[end - 2] === 0xff && encoded[end - 1] === 0xd9)) end--;
  if (end < 2) end = encoded.length + 2; // no EOI: append one
  const out = new Uint8Array(end + 4);
  out.set(encoded.subarray(0, end - 2));
  out[end + 2] = 0xff;
  out[end + 3] = 0xd9;
  return out;
}

/** Signals that a frame can only be decoded together with its whole file (itk-wasm). */
export class NeedsWholeFileDecoder extends Error {
  constructor() {
    super('frame needs the whole-file decoder');
  }
}

/** Decodes every frame of a file through itk-wasm (HU, rescale applied). */
export async function decodeWholeFile(header: DicomInstanceHeader): Promise<DecodedFrame[]> {
  const frames = await decodeFileWithItk(header);
  return frames.map((values) => ({ kind: 'hu', values, decoder: 'itk-wasm' }));
}

function wasmResult(result: { bytes: Uint8Array; info: EmscriptenCodecFrameInfo }, format: PixelFormat, decoder: string): DecodedFrame {
  const { info, bytes } = result;
  if (info.width !== format.columns || info.height !== format.rows)
    throw new HilumError({
      code: 'DECODE_FAILED',
      message: `decoded frame is ${info.width}×${info.height}, the header says ${format.columns}×${format.rows}`,
    });
  if (info.bitsPerSample <= 8 && format.bitsAllocated === 16) {
    // An 8-bit code stream inside a 16-bit container: widen.
    const wide = new Uint16Array(bytes.length);
    wide.set(bytes);
    return { kind: 'stored', samples: format.pixelRepresentation ? new Int16Array(wide.buffer) : wide, decoder };
  }
  return { kind: 'stored', samples: viewSamples(bytes, format), decoder };
}

/** Deflated Image Frame Compression: each frame is a deflate stream (raw, or with a zlib wrapper). */
function inflateFrame(encoded: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(encoded));
  } catch {
    return new Uint8Array(inflateSync(encoded));
  }
}

function viewSamples(bytes: Uint8Array, format: PixelFormat): Int8Array | Uint8Array | Int16Array | Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  if (format.bitsAllocated === 16) {
    const n = Math.floor(aligned.byteLength / 2);
    return format.pixelRepresentation ? new Int16Array(aligned.buffer, aligned.byteOffset, n) : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  }
  return format.pixelRepresentation ? new Int8Array(aligned.buffer, aligned.byteOffset, aligned.byteLength) : aligned;
}

function swap16(bytes: Uint8Array): void {
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const t = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = t;
  }
}

export function truncated(label: string, haveBytes: number, needBytes: number): HilumError {
  return new HilumError({
    code: 'TRUNCATED_FILE',
    message: `${label} is truncated: its pixel data holds ${Math.max(0, haveBytes)} bytes, ${needBytes} expected`,
    hint: 'Copy the file again from the source (CD, PACS export); it was cut short.',
    data: { file: label, haveBytes, needBytes },
  });
}
