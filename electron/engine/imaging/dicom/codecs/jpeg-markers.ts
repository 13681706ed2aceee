/** What a JPEG code stream's start-of-frame marker says (ITU T.81 B.2.2). */
export interface JpegFrameInfo {
  /** SOF marker number: 0 baseline, 1 extended, 2 progressive, 3 lossless, 0xf7 JPEG-LS … */
  process: number;
  precision: number;
  lossless: boolean;
}

/** Reads the first SOFn marker; null when there is none. */
export function readJpegFrameInfo(data: Uint8Array): JpegFrameInfo | null {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  let p = 2;
  while (p + 4 <= data.length) {
    if (data[p] !== 0xff) {
      p++;
      continue;
    }
    const marker = data[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    const length = (data[p + 2] << 8) | data[p + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof && p + 4 < data.length) {
      const process = marker === 0xf7 ? 0xf7 : marker - 0xc0;
      return { process, precision: data[p + 4], lossless: process === 3 || process === 7 || process === 11 || process === 15 };
    }
    p += 2 + length;
  }
  return null;
}
