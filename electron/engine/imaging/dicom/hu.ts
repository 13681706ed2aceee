import type { DecodedFrame } from './pixel-decode.js';
import type { PixelFormat } from './instance.js';

/**
 * HU given to pixel-padding voxels (PixelPaddingValue / PixelPaddingRangeLimit, PS3.3 C.7.5.1.1.2):
 * the conventional lowest CT number, marking "outside the reconstructed field of view".
 */
export const OUTSIDE_FOV_HU = -3024;

export interface RescaleParameters {
  slope: number;
  intercept: number;
  /** Stored-value padding range [low, high], inclusive; null when the file declares none. */
  padding: [number, number] | null;
}

export interface FrameStatistics {
  min: number;
  max: number;
  sum: number;
  count: number;
  paddingVoxels: number;
  /** True when a value did not fit an Int16 target exactly (the caller then reloads as Float32). */
  overflow: boolean;
}

/** Stored-value padding range of a file, or null. */
export function paddingRange(value: number | null, rangeLimit: number | null): [number, number] | null {
  if (value === null) return null;
  if (rangeLimit === null) return [value, value];
  return [Math.min(value, rangeLimit), Math.max(value, rangeLimit)];
}

/**
 * Writes one frame as HU into `target` at `offset`: stored values are masked to BitsStored (and
 * sign-extended when PixelRepresentation is 1), padding becomes OUTSIDE_FOV_HU, and the rest is
 * rescaled, HU = stored · RescaleSlope + RescaleIntercept. Returns the frame's statistics.
 */
export function writeFrameHu(
  frame: DecodedFrame,
  format: PixelFormat,
  rescale: RescaleParameters,
  target: Int16Array | Float32Array,
  offset: number,
  count: number,
): FrameStatistics {
  const stats: FrameStatistics = { min: Infinity, max: -Infinity, sum: 0, count, paddingVoxels: 0, overflow: false };
  const isInt16 = target instanceof Int16Array;
  if (frame.kind === 'hu') {
    const v = frame.values;
    for (let p = 0; p < count; p++) {
      const hu = v[p];
      if (isInt16 && (hu !== Math.round(hu) || hu < -32768 || hu > 32767)) stats.overflow = true;
      target[offset + p] = hu;
      accumulate(stats, isInt16 ? target[offset + p] : Math.fround(hu));
    }
    return stats;
  }
  const s = frame.samples;
  if (s.length < count) throw new RangeError(`decoded frame has ${s.length} samples, ${count} expected`);
  const container = s.BYTES_PER_ELEMENT * 8;
  const bits = Math.min(format.bitsStored, container);
  const signed = format.pixelRepresentation === 1;
  const shift = 32 - bits;
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const needsMask = bits < container;
  const { slope, intercept, padding } = rescale;
  const padLow = padding ? padding[0] : 1;
  const padHigh = padding ? padding[1] : 0;

  // Fast path: the common lossless CT case.
  if (!needsMask && !padding && slope === 1 && isInt16 && Number.isInteger(intercept)) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let p = 0; p < count; p++) {
      const hu = s[p] + intercept;
      if (hu < -32768 || hu > 32767) stats.overflow = true;
      target[offset + p] = hu;
      if (hu < min) min = hu;
      if (hu > max) max = hu;
      sum += hu;
    }
    stats.min = min;
    stats.max = max;
    stats.sum = sum;
    return stats;
  }

  for (let p = 0; p < count; p++) {
    let v = s[p];
    if (needsMask) v = signed ? ((v & mask) << shift) >> shift : v & mask;
    let hu: number;
    if (v >= padLow && v <= padHigh) {
      hu = OUTSIDE_FOV_HU;
      stats.paddingVoxels++;
    } else hu = v * slope + intercept;
    if (isInt16 && (hu !== Math.round(hu) || hu < -32768 || hu > 32767)) stats.overflow = true;
    target[offset + p] = hu;
    accumulate(stats, isInt16 ? target[offset + p] : Math.fround(hu));
  }
  return stats;
}

function accumulate(stats: FrameStatistics, value: number): void {
  if (value < stats.min) stats.min = value;
  if (value > stats.max) stats.max = value;
  stats.sum += value;
}

export function mergeStatistics(all: FrameStatistics[]): FrameStatistics {
  const out: FrameStatistics = { min: Infinity, max: -Infinity, sum: 0, count: 0, paddingVoxels: 0, overflow: false };
  for (const s of all) {
    out.min = Math.min(out.min, s.min);
    out.max = Math.max(out.max, s.max);
    out.sum += s.sum;
    out.count += s.count;
    out.paddingVoxels += s.paddingVoxels;
    out.overflow ||= s.overflow;
  }
  return out;
}
