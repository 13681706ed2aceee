import dicomParser, { type DataSet, type Element, type Fragment } from 'dicom-parser';
import { HilumError } from '../../core/errors.js';
import { TAG } from './tags.js';

/**
 * The compressed bytes of one frame of encapsulated pixel data (PS3.5 A.4). Frames are found, in
 * order of preference, through the Extended Offset Table, the Basic Offset Table, one fragment
 * per frame, or the code-stream start markers (JPEG SOI, JPEG 2000 SOC, RLE header) when the
 * offset table is empty and frames span several fragments.
 */
export function encapsulatedFrame(ds: DataSet, frameIndex: number, numberOfFrames: number, fileLabel: string): Uint8Array {
  const pixel = ds.elements[TAG.PixelData];
  if (!pixel?.encapsulatedPixelData || !pixel.fragments)
    throw new HilumError({ code: 'MALFORMED_DICOM', message: `${fileLabel}: pixel data is not encapsulated as its transfer syntax says` });
  const fragments = pixel.fragments;
  if (fragments.length === 0) throw new HilumError({ code: 'MISSING_PIXEL_DATA', message: `${fileLabel}: pixel data has no fragments` });
  if (numberOfFrames === 1) return concatFragments(ds, pixel, fragments);

  const extended = extendedOffsets(ds);
  if (extended) {
    const start = extended[frameIndex];
    const end = frameIndex + 1 < extended.length ? extended[frameIndex + 1] : Infinity;
    return concatFragments(
      ds,
      pixel,
      fragments.filter((f) => f.offset >= start && f.offset < end),
    );
  }
  if (pixel.basicOffsetTable && pixel.basicOffsetTable.length > 0) return toUint8(dicomParser.readEncapsulatedImageFrame(ds, pixel, frameIndex));
  if (fragments.length === numberOfFrames) return fragmentBytes(ds, fragments[frameIndex]);

  const starts = fragments
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => isFrameStart(fragmentBytes(ds, f)))
    .map(({ i }) => i);
  if (starts.length !== numberOfFrames)
    throw new HilumError({
      code: 'CORRUPT_PIXEL_DATA',
      message: `${fileLabel}: ${numberOfFrames} frames expected but ${starts.length} frame starts found among ${fragments.length} fragments`,
    });
  const end = frameIndex + 1 < starts.length ? starts[frameIndex + 1] : fragments.length;
  return concatFragments(ds, pixel, fragments.slice(starts[frameIndex], end));
}

function fragmentBytes(ds: DataSet, f: Fragment): Uint8Array {
  const bytes = ds.byteArray as Uint8Array;
  if (f.position + f.length > bytes.length)
    throw new HilumError({ code: 'TRUNCATED_FILE', message: `pixel data fragment runs past the end of the file (file truncated)` });
  return bytes.subarray(f.position, f.position + f.length);
}

function concatFragments(ds: DataSet, _pixel: Element, fragments: Fragment[]): Uint8Array {
  if (fragments.length === 1) return fragmentBytes(ds, fragments[0]);
  const total = fragments.reduce((s, f) => s + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of fragments) {
    out.set(fragmentBytes(ds, f), o);
    o += f.length;
  }
  return out;
}

function extendedOffsets(ds: DataSet): number[] | null {
  const el = ds.elements[TAG.ExtendedOffsetTable];
  if (!el || el.length < 8) return null;
  const bytes = ds.byteArray as Uint8Array;
  const view = new DataView(bytes.buffer, bytes.byteOffset + el.dataOffset, el.length);
  const out: number[] = [];
  for (let p = 0; p + 8 <= el.length; p += 8) out.push(Number(view.getBigUint64(p, true)));
  return out;
}

function isFrameStart(b: Uint8Array): boolean {
  if (b.length >= 2 && b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f)) return true; // JPEG SOI, J2K SOC
  if (b.length >= 8) {
    const segments = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
    const firstOffset = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    return segments >= 1 && segments <= 15 && firstOffset === 64; // RLE header
  }
  return false;
}

function toUint8(a: Uint8Array | Buffer): Uint8Array {
  return a instanceof Uint8Array ? a : new Uint8Array(a);
}
