/**
 * The key images of the per-patient report, as small PNGs: the largest axial tumour section in a
 * lung and a mediastinal window, cropped to a fixed field around the nodule, the whole axial slice
 * for orientation, three multiplanar views through the tumour centroid, and the 2.5D slices the
 * deep model saw. The tumour mask is drawn as an outline (never a fill) so the tissue under it
 * stays visible.
 *
 * Every view is resampled in patient (LPS) space on square pixels, so the physical aspect ratio is
 * right whatever the voxel spacing and slice thickness; the display convention is radiological
 * (patient right on image left, anterior up on axial, superior up on coronal and sagittal).
 */
import { PNG } from 'pngjs';
import { HilumError } from '../core/errors.js';
import type { BagConfig } from '../deep/bag-config.js';
import type { SliceBag } from '../deep/sampler.js';
import { gridsMatch, indexToWorld, indexToWorldMatrix } from '../imaging/grid.js';
import { type Vec3, invert, mulVec, sub } from '../imaging/vec.js';
import type { LabelMap, Volume } from '../imaging/volume.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';
import { camAtPixel } from '../deep/cam-projection.js';
import type { ExplanationRecord } from '../signatures/prediction-record.js';
import { type Rgb, camScaleOf, camTint } from './cam-images.js';

export interface KeyImage {
  png: Buffer;
  widthPx: number;
  heightPx: number;
  /** Physical size of the field shown (mm). */
  widthMm: number;
  heightMm: number;
}

export interface BagThumbnail extends KeyImage {
  plane: string;
  offset: number;
  usedOffset: number;
  /** Distance (mm, along the patient's z) from the largest-section slice of the bag. */
  offsetMm: number;
}

export interface KeyImages {
  /** Largest axial tumour section, lung window (W1500/L−600), `cropFieldMm` square around the nodule. */
  lungCrop: KeyImage;
  /** The same section and field, mediastinal window (W350/L40). */
  mediastinalCrop: KeyImage;
  /** The whole axial slice (lung window) with the outline and a box marking the crop field. */
  fullSlice: KeyImage;
  /** The whole axial slice in the mediastinal window, with the same marks. */
  fullSliceMediastinal: KeyImage;
  /** Multiplanar views through the tumour centroid (lung window), `mprFieldMm` square. */
  axial: KeyImage;
  coronal: KeyImage;
  sagittal: KeyImage;
  /** The 2.5D bag slices (first channel), in bag order; empty when no bag was given. */
  bag: BagThumbnail[];
  /** The same slices with their class-activation maps over them (when the record has maps), and the colour scale's end ±M (log-odds per cell). */
  camBag: BagThumbnail[];
  camMaxAbs: number | null;
  cropFieldMm: number;
  mprFieldMm: number;
  /** Grid index k of the largest axial tumour section, and the tumour centroid (LPS mm). */
  largestSliceIndex: number;
  centroidLps: Vec3;
}

export interface KeyImageOptions {
  /** Side of the close-up field (mm). Default 80. */
  cropFieldMm?: number;
  /** Side of the multiplanar views' field (mm). Default 100. */
  mprFieldMm?: number;
  /** Size of the close-ups (px). Default 320. */
  cropSizePx?: number;
  /** Longest side of the full-slice view and side of the MPR views (px). Default 256. */
  viewSizePx?: number;
  /** Side of the bag thumbnails (px). Default 112. */
  thumbnailPx?: number;
  /** The bag's configuration, to undo its channel normalisation exactly; without it the thumbnails are auto-levelled. */
  bagConfig?: Pick<BagConfig, 'channelMean' | 'channelStd'>;
  /** The record's class-activation maps of the same bag: drawn over a second set of thumbnails. */
  cam?: ExplanationRecord['cam'];
}

export const LUNG_WINDOW = { width: 1500, level: -600 } as const;
export const MEDIASTINAL_WINDOW = { width: 350, level: 40 } as const;

/** Outline and crop-box colours: saturated yellow and cyan, clear on every grey. */
const OUTLINE: Rgb = [255, 214, 0];
const BOX: Rgb = [0, 200, 255];
const OUTSIDE_HU = -1024;

interface Plane {
  centre: Vec3;
  colDir: Vec3;
  rowDir: Vec3;
  widthPx: number;
  heightPx: number;
  pixelMm: number;
}

interface Resliced {
  hu: Float32Array;
  inside: Uint8Array;
  plane: Plane;
}

/** Patient-axis view directions: columns and rows (LPS). */
const AXIAL_DIRS = { colDir: [1, 0, 0] as Vec3, rowDir: [0, 1, 0] as Vec3 };
const CORONAL_DIRS = { colDir: [1, 0, 0] as Vec3, rowDir: [0, 0, -1] as Vec3 };
const SAGITTAL_DIRS = { colDir: [0, 1, 0] as Vec3, rowDir: [0, 0, -1] as Vec3 };

/**
 * Renders the report's key images of a CT and its tumour mask (same grid), and, when given, the
 * thumbnails of the 2.5D bag the backbone was fed.
 */
export function renderKeyImages(ct: Volume, mask: LabelMap, bag?: SliceBag, options: KeyImageOptions = {}): KeyImages {
  if (!gridsMatch(ct, mask))
    throw new HilumError({ code: 'MASK_GEOMETRY_MISMATCH', message: 'the tumour mask does not lie on the CT grid; key images cannot be drawn' });
  const cropFieldMm = options.cropFieldMm ?? 80;
  const mprFieldMm = options.mprFieldMm ?? 100;
  const cropPx = options.cropSizePx ?? 320;
  const viewPx = options.viewSizePx ?? 256;
  const thumbPx = options.thumbnailPx ?? 112;
  const cam = options.cam ?? null;

  const [nx, ny, nz] = mask.dims;
  const perSlice = new Float64Array(nz);
  const sliceSum = Array.from({ length: nz }, () => [0, 0]);
  let si = 0;
  let sj = 0;
  let sk = 0;
  let count = 0;
  let o = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        if (mask.voxels[o] === 0) continue;
        perSlice[k]++;
        sliceSum[k][0] += i;
        sliceSum[k][1] += j;
        si += i;
        sj += j;
        sk += k;
        count++;
      }
  if (count === 0) throw new HilumError({ code: 'MASK_EMPTY', message: 'the tumour mask is empty; key images cannot be drawn' });
  let largest = 0;
  for (let k = 1; k < nz; k++) if (perSlice[k] > perSlice[largest]) largest = k;
  const centroidLps = indexToWorld(ct, [si / count, sj / count, sk / count]);
  const sliceCentre = indexToWorld(ct, [sliceSum[largest][0] / perSlice[largest], sliceSum[largest][1] / perSlice[largest], largest]);

  const crop = reslice(ct, mask, { centre: sliceCentre, ...AXIAL_DIRS, widthPx: cropPx, heightPx: cropPx, pixelMm: cropFieldMm / cropPx });
  const lungCrop = toImage(crop, LUNG_WINDOW);
  const mediastinalCrop = toImage(crop, MEDIASTINAL_WINDOW);

  // The whole slice: the grid's extent in x and y, at the largest section's height.
  const corners: Vec3[] = [];
  for (const k of [0, nz - 1]) for (const j of [0, ny - 1]) for (const i of [0, nx - 1]) corners.push(indexToWorld(ct, [i, j, k]));
  const lo = [0, 1].map((a) => arrayMin(corners.map((c) => c[a])) - ct.spacingMm[a] / 2);
  const hi = [0, 1].map((a) => arrayMax(corners.map((c) => c[a])) + ct.spacingMm[a] / 2);
  const extent = [hi[0] - lo[0], hi[1] - lo[1]];
  const fullPixel = Math.max(extent[0], extent[1]) / viewPx;
  const full = reslice(ct, mask, {
    centre: [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, sliceCentre[2]],
    ...AXIAL_DIRS,
    widthPx: Math.max(1, Math.round(extent[0] / fullPixel)),
    heightPx: Math.max(1, Math.round(extent[1] / fullPixel)),
    pixelMm: fullPixel,
  });
  const fullSlice = toImage(full, LUNG_WINDOW, { centre: sliceCentre, sideMm: cropFieldMm });
  const fullSliceMediastinal = toImage(full, MEDIASTINAL_WINDOW, { centre: sliceCentre, sideMm: cropFieldMm });

  const mpr = (dirs: { colDir: Vec3; rowDir: Vec3 }) =>
    toImage(reslice(ct, mask, { centre: centroidLps, ...dirs, widthPx: viewPx, heightPx: viewPx, pixelMm: mprFieldMm / viewPx }), LUNG_WINDOW);

  return {
    lungCrop,
    mediastinalCrop,
    fullSlice,
    fullSliceMediastinal,
    axial: mpr(AXIAL_DIRS),
    coronal: mpr(CORONAL_DIRS),
    sagittal: mpr(SAGITTAL_DIRS),
    bag: bag ? bagThumbnails(bag, thumbPx, options.bagConfig) : [],
    camBag: bag && cam ? bagThumbnails(bag, thumbPx, options.bagConfig, camOverlay(cam)) : [],
    camMaxAbs: bag && cam ? camScaleOf(cam) : null,
    cropFieldMm,
    mprFieldMm,
    largestSliceIndex: largest,
    centroidLps,
  };
}

/** Samples the CT (trilinear) and the mask (trilinear fraction ≥ 0.5) on a plane. */
function reslice(ct: Volume, mask: LabelMap, plane: Plane): Resliced {
  const inv = invert(indexToWorldMatrix(ct));
  const [nx, ny, nz] = ct.dims;
  const { widthPx: w, heightPx: h, pixelMm, centre, colDir, rowDir } = plane;
  const hu = new Float32Array(w * h);
  const inside = new Uint8Array(w * h);
  const base = sub(centre, ct.originLps);
  const stepCol = mulVec(inv, colDir.map((d) => d * pixelMm) as Vec3);
  const stepRow = mulVec(inv, rowDir.map((d) => d * pixelMm) as Vec3);
  const start = mulVec(inv, base);
  const c0 = (w - 1) / 2;
  const r0 = (h - 1) / 2;
  const vox = ct.voxels;
  const mv = mask.voxels;
  const sxy = nx * ny;
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const x = start[0] + (c - c0) * stepCol[0] + (r - r0) * stepRow[0];
      const y = start[1] + (c - c0) * stepCol[1] + (r - r0) * stepRow[1];
      const z = start[2] + (c - c0) * stepCol[2] + (r - r0) * stepRow[2];
      const p = r * w + c;
      if (x < -0.5 || y < -0.5 || z < -0.5 || x > nx - 0.5 || y > ny - 0.5 || z > nz - 0.5) {
        hu[p] = OUTSIDE_HU;
        continue;
      }
      const xc = Math.min(Math.max(x, 0), nx - 1);
      const yc = Math.min(Math.max(y, 0), ny - 1);
      const zc = Math.min(Math.max(z, 0), nz - 1);
      const i0 = Math.min(Math.floor(xc), nx - 2 < 0 ? 0 : nx - 2);
      const j0 = Math.min(Math.floor(yc), ny - 2 < 0 ? 0 : ny - 2);
      const k0 = Math.min(Math.floor(zc), nz - 2 < 0 ? 0 : nz - 2);
      const fx = nx > 1 ? xc - i0 : 0;
      const fy = ny > 1 ? yc - j0 : 0;
      const fz = nz > 1 ? zc - k0 : 0;
      const di = nx > 1 ? 1 : 0;
      const dj = ny > 1 ? nx : 0;
      const dk = nz > 1 ? sxy : 0;
      const o = i0 + nx * j0 + sxy * k0;
      const w000 = (1 - fx) * (1 - fy) * (1 - fz);
      const w100 = fx * (1 - fy) * (1 - fz);
      const w010 = (1 - fx) * fy * (1 - fz);
      const w110 = fx * fy * (1 - fz);
      const w001 = (1 - fx) * (1 - fy) * fz;
      const w101 = fx * (1 - fy) * fz;
      const w011 = (1 - fx) * fy * fz;
      const w111 = fx * fy * fz;
      hu[p] =
        vox[o] * w000 +
        vox[o + di] * w100 +
        vox[o + dj] * w010 +
        vox[o + di + dj] * w110 +
        vox[o + dk] * w001 +
        vox[o + di + dk] * w101 +
        vox[o + dj + dk] * w011 +
        vox[o + di + dj + dk] * w111;
      const m =
        (mv[o] ? w000 : 0) +
        (mv[o + di] ? w100 : 0) +
        (mv[o + dj] ? w010 : 0) +
        (mv[o + di + dj] ? w110 : 0) +
        (mv[o + dk] ? w001 : 0) +
        (mv[o + di + dk] ? w101 : 0) +
        (mv[o + dj + dk] ? w011 : 0) +
        (mv[o + di + dj + dk] ? w111 : 0);
      inside[p] = m >= 0.5 ? 1 : 0;
    }
  return { hu, inside, plane };
}

/** Windows a resliced plane to grey, draws the mask outline (2 px: the boundary pixels on both sides) and optionally a box. */
function toImage(s: Resliced, window: { width: number; level: number }, box?: { centre: Vec3; sideMm: number }): KeyImage {
  const { widthPx: w, heightPx: h, pixelMm } = s.plane;
  const rgba = Buffer.alloc(w * h * 4);
  const lo = window.level - window.width / 2;
  for (let p = 0; p < w * h; p++) {
    const g = Math.round(Math.min(1, Math.max(0, (s.hu[p] - lo) / window.width)) * 255);
    rgba[p * 4] = g;
    rgba[p * 4 + 1] = g;
    rgba[p * 4 + 2] = g;
    rgba[p * 4 + 3] = 255;
  }
  const paint = (c: number, r: number, rgb: Rgb) => {
    if (c < 0 || r < 0 || c >= w || r >= h) return;
    const q = (r * w + c) * 4;
    rgba[q] = rgb[0];
    rgba[q + 1] = rgb[1];
    rgba[q + 2] = rgb[2];
  };
  if (box) {
    // Box corners in pixel coordinates on this (axial) plane.
    const c0 = (w - 1) / 2;
    const r0 = (h - 1) / 2;
    const dc = (box.centre[0] - s.plane.centre[0]) / pixelMm;
    const dr = (box.centre[1] - s.plane.centre[1]) / pixelMm;
    const half = box.sideMm / 2 / pixelMm;
    const left = Math.round(c0 + dc - half);
    const right = Math.round(c0 + dc + half);
    const top = Math.round(r0 + dr - half);
    const bottom = Math.round(r0 + dr + half);
    for (let c = left; c <= right; c++) {
      paint(c, top, BOX);
      paint(c, bottom, BOX);
    }
    for (let r = top; r <= bottom; r++) {
      paint(left, r, BOX);
      paint(right, r, BOX);
    }
  }
  const at = (c: number, r: number) => (c < 0 || r < 0 || c >= w || r >= h ? 0 : s.inside[r * w + c]);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const v = at(c, r);
      if (at(c - 1, r) !== v || at(c + 1, r) !== v || at(c, r - 1) !== v || at(c, r + 1) !== v) paint(c, r, OUTLINE);
    }
  return { png: encodePng(rgba, w, h), widthPx: w, heightPx: h, widthMm: w * pixelMm, heightMm: h * pixelMm };
}

/** Slice s's map at crop pixel (u, v), as a colour over the grey (cam-images.ts). */
type Overlay = (s: number, u: number, v: number) => { rgb: Rgb; alpha: number } | null;

function camOverlay(cam: NonNullable<ExplanationRecord['cam']>): Overlay {
  const maxAbs = camScaleOf(cam);
  return (s, u, v) => {
    const slice = cam.slices[s];
    return slice ? camTint(camAtPixel(slice.values, cam.height, cam.width, cam.sizePx, u, v), maxAbs) : null;
  };
}

/** Grey thumbnails of the bag's first channel, enlarged (bilinear) to `size` px; with `overlay`, its colours blended over. */
function bagThumbnails(bag: SliceBag, size: number, config?: Pick<BagConfig, 'channelMean' | 'channelStd'>, overlay?: Overlay): BagThumbnail[] {
  const [n, channels, rows, cols] = bag.shape;
  const plane = rows * cols;
  let lo = 0;
  let hi = 1;
  let mean = 0;
  let std = 1;
  if (config) {
    mean = config.channelMean[0];
    std = config.channelStd[0];
  } else {
    // Auto-level over the whole bag so the slices stay comparable with one another.
    lo = Infinity;
    hi = -Infinity;
    for (let s = 0; s < n; s++)
      for (let p = 0; p < plane; p++) {
        const x = bag.data[s * channels * plane + p];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    if (!(hi > lo)) hi = lo + 1;
  }
  const grey = (x: number) => (config ? x * std + mean : (x - lo) / (hi - lo));
  const zero = bag.slices.find((s) => s.plane === 'axial' && s.offset === 0) ?? bag.slices[0];
  return bag.slices.slice(0, n).map((slice, s) => {
    const off = s * channels * plane;
    const rgba = Buffer.alloc(size * size * 4);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        const y = Math.min(rows - 1, Math.max(0, ((r + 0.5) * rows) / size - 0.5));
        const x = Math.min(cols - 1, Math.max(0, ((c + 0.5) * cols) / size - 0.5));
        const y0 = Math.min(Math.floor(y), rows - 1);
        const x0 = Math.min(Math.floor(x), cols - 1);
        const y1 = Math.min(y0 + 1, rows - 1);
        const x1 = Math.min(x0 + 1, cols - 1);
        const fy = y - y0;
        const fx = x - x0;
        const d = bag.data;
        const v =
          (1 - fy) * ((1 - fx) * d[off + y0 * cols + x0] + fx * d[off + y0 * cols + x1]) +
          fy * ((1 - fx) * d[off + y1 * cols + x0] + fx * d[off + y1 * cols + x1]);
        const g = Math.round(Math.min(1, Math.max(0, grey(v))) * 255);
        const q = (r * size + c) * 4;
        const tint = overlay?.(s, ((c + 0.5) * cols) / size - 0.5, ((r + 0.5) * rows) / size - 0.5);
        for (let ch = 0; ch < 3; ch++) rgba[q + ch] = tint ? Math.round(g * (1 - tint.alpha) + tint.rgb[ch] * tint.alpha) : g;
        rgba[q + 3] = 255;
      }
    return {
      png: encodePng(rgba, size, size),
      widthPx: size,
      heightPx: size,
      widthMm: bag.cropSideMm,
      heightMm: bag.cropSideMm,
      plane: slice.plane,
      offset: slice.offset,
      usedOffset: slice.usedOffset,
      offsetMm: slice.plane === 'axial' ? Math.round((slice.centreLps[2] - zero.centreLps[2]) * 10) / 10 : 0,
    };
  });
}

function encodePng(rgba: Buffer, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  rgba.copy(png.data);
  return PNG.sync.write(png, { colorType: 2 });
}
