import { HilumError } from '../../../core/errors.js';

/**
 * DICOM RLE Lossless (PS3.5 Annex G). A frame is a 64-byte header (segment count, then up to 15
 * segment offsets) followed by PackBits-coded segments: each byte plane of each sample is one
 * segment, most significant byte first. Returns the frame as little-endian, pixel-interleaved
 * bytes (bit-packed for 1-bit data), as native pixel data would hold it.
 */
export function decodeRle(frame: Uint8Array, rows: number, columns: number, bitsAllocated: number, samplesPerPixel: number): Uint8Array {
  if (frame.length < 64) throw rleError('frame shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const pixels = rows * columns;
  const bytesPerSample = bitsAllocated === 1 ? 1 : bitsAllocated / 8;
  const expectedSegments = bitsAllocated === 1 ? 1 : bytesPerSample * samplesPerPixel;
  if (segments !== expectedSegments) throw rleError(`${segments} segments, expected ${expectedSegments}`);
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(frame.length);
  const segmentLength = bitsAllocated === 1 ? Math.ceil(pixels / 8) : pixels;
  const out = new Uint8Array(bitsAllocated === 1 ? segmentLength : pixels * bytesPerSample * samplesPerPixel);
  const plane = new Uint8Array(segmentLength);
  for (let s = 0; s < segments; s++) {
    unpackBits(frame.subarray(offsets[s], offsets[s + 1]), plane);
    if (bitsAllocated === 1) {
      out.set(plane);
      continue;
    }
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // segment 0 is the most significant byte
    const stride = bytesPerSample * samplesPerPixel;
    const base = sample * bytesPerSample + byteInSample;
    for (let p = 0; p < pixels; p++) out[p * stride + base] = plane[p];
  }
  return out;
}

/** PackBits: n ≥ 0 copies n + 1 literal bytes, −127 ≤ n ≤ −1 repeats the next byte 1 − n times, −128 is a no-op. */
function unpackBits(input: Uint8Array, out: Uint8Array): void {
  let i = 0;
  let o = 0;
  while (i < input.length && o < out.length) {
    const n = (input[i++] << 24) >> 24;
    if (n >= 0) {
      const end = Math.min(i + n + 1, input.length);
      while (i < end && o < out.length) out[o++] = input[i++];
    } else if (n !== -128) {
      const value = input[i++];
      for (let r = 0; r < 1 - n && o < out.length; r++) out[o++] = value;
    }
  }
  if (o < out.length) throw rleError(`segment decodes to ${o} bytes, expected ${out.length}`);
}

function rleError(detail: string): HilumError {
  return new HilumError({ code: 'CORRUPT_PIXEL_DATA', message: `RLE pixel data is damaged: ${detail}` });
}
