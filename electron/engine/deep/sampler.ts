import { HilumError, type Finding } from '../core/errors.js';
import { type ImageGrid, describeGridDifferences, gridsMatch, indexToWorld, subGrid } from '../imaging/grid.js';
import { resampleImage } from '../imaging/resample.js';
import type { Mat3, Vec3 } from '../imaging/vec.js';
import { type LabelMap, type Volume, labelBoundingBox } from '../imaging/volume.js';
import { labelComponents } from '../segmentation/components.js';
import { type BagConfig, bagChannels, slicePlanes } from './bag-config.js';
import { arrayMax } from '../core/array-extent.js';

export type SlicePlane = 'axial' | 'coronal' | 'sagittal';

export interface BagSlice {
  plane: SlicePlane;
  /** Requested axial offset from the largest slice (grid steps); 0 for the extra planes. */
  offset: number;
  /** Offset actually used: clamped to the tumour's extent when it is thinner than the offsets reach. */
  usedOffset: number;
  clamped: boolean;
  /** Centre of the crop (LPS mm). */
  centreLps: Vec3;
}

/** A 2.5D bag: slices × channels × rows × columns, row-major, ready for the backbone. */
export interface SliceBag {
  slices: BagSlice[];
  shape: [number, number, number, number];
  data: Float32Array;
  cropSideMm: number;
  /** Tumour area on the largest axial slice of the isotropic grid (mm²), and how many such slices hold tumour. */
  largestAreaMm2: number;
  tumourSlices: number;
  /** Connected pieces in the mask, and which (by size, 0 = largest) was used. */
  components: number;
  componentUsed: number;
  findings: Finding[];
}

export interface SampleOptions {
  /** Which connected piece of the mask (0 = largest, 1 = second largest, …). Default 0. */
  component?: number;
}

/**
 * The grid a bag slice was resampled on: sizePx × sizePx pixels of cropSideMm / sizePx mm, centred
 * on the slice's centre, its columns and rows along the plane's in-plane axes (one slice thick).
 * Maps on the slice's pixels go back to patient space (LPS mm) through it.
 */
export function bagSliceGrid(slice: Pick<BagSlice, 'plane' | 'centreLps'>, cropSideMm: number, config: Pick<BagConfig, 'sizePx' | 'spacingMm'>): ImageGrid {
  const size = config.sizePx;
  const pixel = cropSideMm / size;
  const direction = PLANE_DIRECTION[slice.plane];
  const centre = slice.centreLps;
  // Origin: the first pixel's centre, half a crop back along the two in-plane axes.
  const originLps = [0, 1, 2].map((a) => centre[a] - (direction[a * 3] + direction[a * 3 + 1]) * (cropSideMm / 2 - pixel / 2)) as Vec3;
  return { dims: [size, size, 1], spacingMm: [pixel, pixel, config.spacingMm], originLps, direction };
}

/** Outside the scanned volume is air. */
const OUTSIDE_HU = -1024;
const AXIAL: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
/** Coronal view: columns run to the patient's left, rows downwards (inferior), looking from the front. */
const CORONAL: Mat3 = [1, 0, 0, 0, 0, 1, 0, -1, 0];
/** Sagittal view: columns run posterior, rows downwards. */
const SAGITTAL: Mat3 = [0, 0, 1, 1, 0, 0, 0, -1, 0];
const PLANE_DIRECTION: Record<SlicePlane, Mat3> = { axial: AXIAL, coronal: CORONAL, sagittal: SAGITTAL };

/**
 * Cuts the 2.5D bag of the method: on an isotropic grid (config.spacingMm) aligned with the
 * patient axes, the axial slice with the largest tumour cross-section and the slices at the given
 * offsets from it (clamped to the tumour's extent, and recorded, when the tumour is thinner, unless
 * config.offsetsBeyondTumour asks for the tissue above and below it),
 * plus optional coronal/sagittal planes through the tumour's centroid. Every slice is a square crop
 * centred on the tumour, its largest in-plane extent plus the margin on each side, resampled
 * (trilinear) to sizePx × sizePx, then mapped through each HU window to a normalised channel;
 * with config.sliceChannels, the planes at those offsets along the slice's normal are read too and
 * stacked plane-major (plane q, window w → channel q·windows + w).
 */
export function sampleBag(ct: Volume, mask: LabelMap, config: BagConfig, options: SampleOptions = {}): SliceBag {
  if (!gridsMatch(ct, mask))
    throw new HilumError({
      code: 'MASK_GEOMETRY_MISMATCH',
      message: `the mask does not lie on the CT's grid: ${describeGridDifferences(ct, mask).join('; ')}`,
    });
  const findings: Finding[] = [];
  const { tumour, components, used } = chooseComponent(mask, options.component ?? 0);
  if (components > 1)
    findings.push({
      code: 'MASK_SEVERAL_COMPONENTS',
      severity: 'warning',
      message: `the mask has ${components} separate pieces; the bag was cut from piece ${used + 1} (by size, largest first)`,
    });

  // The tumour on an isotropic, patient-aligned grid over its bounding box.
  const iso = isotropicGrid(tumour, config.spacingMm);
  const onIso = resampleImage(tumour, iso, { interpolator: 'nearest', outputType: 'uint8' }).voxels;
  const [ix, iy, iz] = iso.dims;
  const areas = new Float64Array(iz);
  const extent = { lo: [Infinity, Infinity, Infinity], hi: [-Infinity, -Infinity, -Infinity] };
  const sum = [0, 0, 0];
  let count = 0;
  for (let k = 0, o = 0; k < iz; k++)
    for (let j = 0; j < iy; j++)
      for (let i = 0; i < ix; i++, o++) {
        if (!onIso[o]) continue;
        areas[k]++;
        const p = indexToWorld(iso, [i, j, k]);
        for (let a = 0; a < 3; a++) {
          extent.lo[a] = Math.min(extent.lo[a], p[a]);
          extent.hi[a] = Math.max(extent.hi[a], p[a]);
          sum[a] += p[a];
        }
        count++;
      }
  if (count === 0) throw new HilumError({ code: 'MASK_TOO_SMALL', message: 'the tumour vanishes on the isotropic bag grid (smaller than one grid voxel)' });
  const tumourPlanes = [...areas.keys()].filter((k) => areas[k] > 0);
  const first = tumourPlanes[0];
  const last = tumourPlanes[tumourPlanes.length - 1];
  // The largest slice; among equals, the one nearest the middle of the tumour.
  let largest = first;
  for (const k of tumourPlanes)
    if (areas[k] > areas[largest] || (areas[k] === areas[largest] && Math.abs(k - (first + last) / 2) < Math.abs(largest - (first + last) / 2))) largest = k;
  const centroid = sum.map((v) => v / count) as Vec3;
  const s = config.spacingMm;
  const widest = arrayMax([0, 1, 2].map((a) => extent.hi[a] - extent.lo[a] + s));
  const cropSideMm = Math.max(config.minCropMm, widest + 2 * config.cropMarginMm);

  const slices: BagSlice[] = [];
  for (const offset of config.offsets) {
    const inside = Math.min(last, Math.max(first, largest + offset));
    const k = config.offsetsBeyondTumour ? largest + offset : inside;
    // A slice beyond the tumour is centred above (below) the centroid of the tumour's nearest slice.
    const centre = planeCentroid(onIso, iso, inside);
    const centreLps: Vec3 = [centre[0], centre[1], centre[2] + (k - inside) * s];
    slices.push({ plane: 'axial', offset, usedOffset: k - largest, clamped: k !== largest + offset, centreLps });
  }
  for (const plane of config.planes) {
    slices.push({ plane, offset: 0, usedOffset: 0, clamped: false, centreLps: centroid });
  }
  const clamped = slices.filter((sl) => sl.clamped).length;
  if (clamped)
    findings.push({
      code: 'BAG_OFFSETS_CLAMPED',
      severity: 'info',
      message: `the tumour spans ${tumourPlanes.length} slices of ${s} mm; ${clamped} offset(s) reaching beyond it were clamped to its edge`,
    });

  const n = slices.length;
  const planes = slicePlanes(config);
  const windows = config.windows.length;
  const channels = bagChannels(config);
  const size = config.sizePx;
  const data = new Float32Array(n * channels * size * size);
  slices.forEach((slice, v) => {
    const sliceGrid = bagSliceGrid(slice, cropSideMm, config);
    const normal: Vec3 = [sliceGrid.direction[2], sliceGrid.direction[5], sliceGrid.direction[8]];
    planes.forEach((d, q) => {
      // A neighbouring plane: the slice's grid moved d grid steps along its normal.
      const grid = d === 0 ? sliceGrid : { ...sliceGrid, originLps: sliceGrid.originLps.map((x, a) => x + d * s * normal[a]) as Vec3 };
      const hu = resampleImage(ct, grid, { interpolator: 'linear', defaultValue: OUTSIDE_HU }).voxels;
      config.windows.forEach(([lo, hi], w) => {
        const c = q * windows + w;
        const base = (v * channels + c) * size * size;
        const mean = config.channelMean[w];
        const std = config.channelStd[w];
        for (let p = 0; p < size * size; p++) {
          const x = Math.min(1, Math.max(0, (hu[p] - lo) / (hi - lo)));
          data[base + p] = (x - mean) / std;
        }
      });
    });
  });
  return {
    slices,
    shape: [n, channels, size, size],
    data,
    cropSideMm,
    largestAreaMm2: areas[largest] * s * s,
    tumourSlices: tumourPlanes.length,
    components,
    componentUsed: used,
    findings,
  };
}

/**
 * The requested connected piece (26-connected, by size) as its own mask, on the grid of the mask's
 * bounding box (so the rest of the bag's work costs the tumour's size, not the image's).
 */
function chooseComponent(mask: LabelMap, rank: number): { tumour: LabelMap; components: number; used: number } {
  const [nx, ny] = mask.dims;
  const box = labelBoundingBox(mask);
  if (!box) throw new HilumError({ code: 'EMPTY_MASK', message: 'the mask is empty: no voxel is labelled', hint: 'Segment the nodule first.' });
  const { minIjk: lo, maxIjk: hi } = box;
  const grid = subGrid(mask, lo, hi);
  const [cx, cy, cz] = grid.dims;
  const binary = new Uint8Array(cx * cy * cz);
  for (let k = 0, q = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) for (let i = 0; i < cx; i++, q++) binary[q] = mask.voxels[lo[0] + i + nx * (lo[1] + j + ny * (lo[2] + k))] ? 1 : 0;
  const { labels, sizes } = labelComponents(binary, grid.dims, 26);
  const order = sizes
    .map((size, label) => ({ size, label }))
    .slice(1)
    .sort((a, b) => b.size - a.size);
  if (rank < 0 || rank >= order.length)
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `the mask has ${order.length} piece(s); piece ${rank + 1} was asked for` });
  const keep = order[rank].label;
  const voxels = new Uint8Array(binary.length);
  for (let q = 0; q < voxels.length; q++) voxels[q] = labels[q] === keep ? 1 : 0;
  return { tumour: { ...grid, voxels }, components: order.length, used: rank };
}

/** An isotropic grid with patient-aligned axes covering the mask's voxels (corners included). */
function isotropicGrid(mask: LabelMap, spacingMm: number): ImageGrid {
  const box = labelBoundingBox(mask);
  if (!box) throw new HilumError({ code: 'EMPTY_MASK', message: 'the mask is empty: no voxel is labelled' });
  const { minIjk: lo, maxIjk: hi } = box;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const ci of [lo[0] - 0.5, hi[0] + 0.5])
    for (const cj of [lo[1] - 0.5, hi[1] + 0.5])
      for (const ck of [lo[2] - 0.5, hi[2] + 0.5]) {
        const p = indexToWorld(mask, [ci, cj, ck]);
        for (let a = 0; a < 3; a++) {
          min[a] = Math.min(min[a], p[a]);
          max[a] = Math.max(max[a], p[a]);
        }
      }
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.ceil((max[a] - min[a]) / spacingMm))) as Vec3;
  const originLps = [0, 1, 2].map((a) => (min[a] + max[a]) / 2 - ((dims[a] - 1) * spacingMm) / 2) as Vec3;
  return { dims, spacingMm: [spacingMm, spacingMm, spacingMm], originLps, direction: AXIAL };
}

/** The tumour's centroid within one axial plane of the isotropic grid (LPS mm). */
function planeCentroid(onIso: ArrayLike<number>, iso: ImageGrid, k: number): Vec3 {
  const [ix, iy] = iso.dims;
  let si = 0;
  let sj = 0;
  let n = 0;
  for (let j = 0; j < iy; j++)
    for (let i = 0; i < ix; i++)
      if (onIso[i + ix * (j + iy * k)]) {
        si += i;
        sj += j;
        n++;
      }
  return indexToWorld(iso, [si / n, sj / n, k]);
}
