import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { readDicomFile } from './parse.js';
import type { DicomInstanceHeader } from './instance.js';
import { type FrameStatistics, paddingRange, writeFrameHu } from './hu.js';
import { type DecodedFrame, NeedsWholeFileDecoder, decodeFrame, decodeWholeFile, nativeFrameBytes, truncated } from './pixel-decode.js';
import { TS } from './tags.js';

export type VoxelType = 'int16' | 'float32';

/** Decode the listed frames of one file into slots (slices) of a shared volume buffer. */
export interface DecodeFileTask {
  header: DicomInstanceHeader;
  frames: { frameIndex: number; slot: number }[];
  /** Null buffer: decode for statistics only. */
  target: { buffer: SharedArrayBuffer | null; type: VoxelType; sliceVoxels: number };
}

export interface DecodeFileResult {
  stats: FrameStatistics[];
  decoders: string[];
}

/** Decodes a file's frames as HU into the target (or a scratch buffer), returning per-frame statistics. */
export async function decodeFileFrames(task: DecodeFileTask): Promise<DecodeFileResult> {
  const { header, target } = task;
  const n = target.sliceVoxels;
  const volume = target.buffer ? (target.type === 'int16' ? new Int16Array(target.buffer) : new Float32Array(target.buffer)) : null;
  const scratch = volume ? null : target.type === 'int16' ? new Int16Array(n) : new Float32Array(n);
  const destination = (slot: number) => (volume ? { array: volume, offset: slot * n } : { array: scratch as Int16Array | Float32Array, offset: 0 });
  const padding = paddingRange(header.pixelPaddingValue, header.pixelPaddingRangeLimit);
  const stats: FrameStatistics[] = [];
  const decoders = new Set<string>();

  const frames = nativeLittleEndian(header) ? readNativeFrames(header, task) : await decodeParsedFrames(header, task);
  task.frames.forEach(({ frameIndex, slot }, i) => {
    const geometry = header.frames[frameIndex];
    const { array, offset } = destination(slot);
    decoders.add(frames[i].decoder);
    stats.push(writeFrameHu(frames[i], header.format, { slope: geometry.rescaleSlope, intercept: geometry.rescaleIntercept, padding }, array, offset, n));
  });
  return { stats, decoders: [...decoders] };
}

function nativeLittleEndian(h: DicomInstanceHeader): boolean {
  return (
    h.nativePixelData !== null &&
    (h.transferSyntaxUid === TS.ImplicitLittle || h.transferSyntaxUid === TS.ExplicitLittle) &&
    (h.format.bitsAllocated === 16 || h.format.bitsAllocated === 8)
  );
}

/** Uncompressed little-endian frames are read straight from their byte range: no parse, no copy of the file. */
function readNativeFrames(header: DicomInstanceHeader, task: DecodeFileTask): DecodedFrame[] {
  const frameBytes = nativeFrameBytes(header.format);
  const { byteOffset, byteLength } = header.nativePixelData as { byteOffset: number; byteLength: number };
  const fd = openSync(header.filePath, 'r');
  try {
    const size = fstatSync(fd).size;
    const need = header.numberOfFrames * frameBytes;
    const have = Math.min(byteLength, size - byteOffset);
    if (have < need) throw truncated(path.basename(header.filePath), have, need);
    return task.frames.map(({ frameIndex }) => {
      const bytes = new Uint8Array(frameBytes);
      readSync(fd, bytes, 0, frameBytes, byteOffset + frameIndex * frameBytes);
      const f = header.format;
      const samples =
        f.bitsAllocated === 16
          ? f.pixelRepresentation
            ? new Int16Array(bytes.buffer)
            : new Uint16Array(bytes.buffer)
          : f.pixelRepresentation
            ? new Int8Array(bytes.buffer)
            : bytes;
      return { kind: 'stored', samples, decoder: 'native' } as DecodedFrame;
    });
  } finally {
    closeSync(fd);
  }
}

async function decodeParsedFrames(header: DicomInstanceHeader, task: DecodeFileTask): Promise<DecodedFrame[]> {
  const ds = readDicomFile(header.filePath);
  const out: DecodedFrame[] = [];
  for (const { frameIndex } of task.frames) {
    try {
      out.push(await decodeFrame(ds, header, frameIndex));
    } catch (error) {
      if (!(error instanceof NeedsWholeFileDecoder)) throw error;
      const all = await decodeWholeFile(header);
      return task.frames.map(({ frameIndex: f }) => all[f]);
    }
  }
  return out;
}
