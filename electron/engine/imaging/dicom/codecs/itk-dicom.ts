import { HilumError, describeError } from '../../../core/errors.js';
import type { DicomInstanceHeader } from '../instance.js';
import { type Vec3, cross, dot, normalize, sub, norm } from '../../vec.js';

/**
 * Decodes a whole file with itk-wasm (DCMTK/GDCM compiled to WebAssembly). Used only for
 * 12-bit lossy JPEG (processes 2/4, 6/8, 10/12), which no JavaScript decoder reproduces
 * correctly. itk-wasm blocks its thread, so this runs only inside decode workers. It returns
 * HU (rescale applied) per frame, in the file's frame order; itk-wasm sorts frames along the
 * normal itself, so its slices are mapped back to frames by position.
 */
export async function decodeFileWithItk(header: DicomInstanceHeader): Promise<Float64Array[]> {
  const { readImageDicomFileSeriesNode } = await import('@itk-wasm/dicom');
  let image;
  try {
    const result = await readImageDicomFileSeriesNode({ inputImages: [header.filePath], singleSortedSeries: true });
    image = result.outputImage;
  } catch (error) {
    throw new HilumError({
      code: 'DECODE_FAILED',
      message: `${header.filePath}: the 12-bit JPEG pixel data could not be decoded (${describeError(error)})`,
      cause: error,
    });
  }
  const [width, height, depth] = [image.size[0], image.size[1], image.size[2] ?? 1];
  if (width !== header.format.columns || height !== header.format.rows || depth !== header.numberOfFrames)
    throw new HilumError({
      code: 'DECODE_FAILED',
      message: `${header.filePath}: decoder returned ${width}×${height}×${depth} pixels, the header says ${header.format.columns}×${header.format.rows}×${header.numberOfFrames}`,
    });
  const data = image.data as ArrayLike<number>;
  const perFrame = width * height;
  const slice = (k: number) => Float64Array.from({ length: perFrame }, (_, p) => data[k * perFrame + p]);
  if (depth === 1) return [slice(0)];

  // Map frames to itk's sorted slices by rank along the normal, and check the orientation of that order.
  const f0 = header.frames[0];
  if (!f0.rowDirection || !f0.columnDirection || header.frames.some((f) => !f.positionLps))
    throw new HilumError({ code: 'DECODE_FAILED', message: `${header.filePath}: frames without positions cannot be matched to decoded slices` });
  const normal = normalize(cross(f0.rowDirection, f0.columnDirection));
  const ranked = header.frames.map((f, i) => ({ i, d: dot(f.positionLps as Vec3, normal) })).sort((a, b) => a.d - b.d);
  const origin = [image.origin[0], image.origin[1], image.origin[2]] as Vec3;
  const firstPos = header.frames[ranked[0].i].positionLps as Vec3;
  const lastPos = header.frames[ranked[ranked.length - 1].i].positionLps as Vec3;
  let ascending: boolean;
  if (norm(sub(origin, firstPos)) < 0.05) ascending = true;
  else if (norm(sub(origin, lastPos)) < 0.05) ascending = false;
  else throw new HilumError({ code: 'DECODE_FAILED', message: `${header.filePath}: decoded slice order could not be matched to frame positions` });
  const out: Float64Array[] = new Array(depth);
  ranked.forEach((r, rank) => {
    out[r.i] = slice(ascending ? rank : depth - 1 - rank);
  });
  return out;
}
