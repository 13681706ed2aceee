/**
 * Brush editing of the open mask through `mask.edit`: paint/erase along the pointer's path (an axial
 * disc or a sphere swept along it by the engine, optionally limited to a HU range), island removal,
 * undo and redo. One request is in flight at a time; every pointer position that arrives meanwhile
 * is kept, and they all go, in order, as the next request's `pathLps` (none dropped), which starts at
 * the last point already sent for the same drag, so the engine paints the segments between batches
 * too. Every request of one drag carries the drag's stroke ID: the engine keeps the drag as one undo
 * step. After each edit only the box it changed (`changedBox`) is read back (`segment.maskRegion`),
 * never the whole mask.
 */
import { computed, ref, type Ref } from 'vue';
import { api } from '../api';
import type { ApiResponse } from '../../../electron/api/contract';
import type { Vec3 } from './types';

export type EditResult = ApiResponse<'mask.edit'>;
type Action = 'paint' | 'erase' | 'undo' | 'redo' | 'remove-islands';

/** The voxels of the inclusive box `box` after an edit (x fastest, then y, then z). */
export interface MaskRegion {
  box: [Vec3, Vec3];
  bytes: Uint8Array;
}

/**
 * Writes the voxels of an inclusive index box (x fastest, then y, then z — as `segment.maskRegion`
 * answers them) into a whole mask on the grid `dims`, in place.
 */
export function writeRegion(mask: Uint8Array, dims: Vec3, box: [Vec3, Vec3], bytes: Uint8Array): void {
  const [nx, ny] = dims;
  const [lo, hi] = box;
  const size = hi.map((v, a) => v - lo[a] + 1);
  if (bytes.length !== size[0] * size[1] * size[2]) throw new Error(`the region holds ${bytes.length} voxels, its box ${size.join('×')}`);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++) {
      const from = size[0] * (j + size[1] * k);
      mask.set(bytes.subarray(from, from + size[0]), lo[0] + nx * (lo[1] + j + ny * (lo[2] + k)));
    }
}

/** The voxels of an inclusive index box of a whole mask on the grid `dims` (x fastest, then y, then z): `writeRegion`'s inverse. */
export function readRegion(mask: Uint8Array, dims: Vec3, box: [Vec3, Vec3]): Uint8Array {
  const [nx, ny] = dims;
  const [lo, hi] = box;
  const size = hi.map((v, a) => v - lo[a] + 1);
  const out = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++) {
      const from = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
      out.set(mask.subarray(from, from + size[0]), size[0] * (j + size[1] * k));
    }
  return out;
}

/** Sets every voxel of an inclusive index box of a whole mask on the grid `dims` to `value`, in place. */
export function fillRegion(mask: Uint8Array, dims: Vec3, box: [Vec3, Vec3], value: number): void {
  const [nx, ny] = dims;
  const [lo, hi] = box;
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) {
      const from = lo[0] + nx * (j + ny * k);
      mask.fill(value, from, from + hi[0] - lo[0] + 1);
    }
}

/** The smallest box holding both boxes (either may be null). */
export function unionBox(a: [Vec3, Vec3] | null, b: [Vec3, Vec3] | null): [Vec3, Vec3] | null {
  if (!a || !b) return a ?? b;
  return [a[0].map((v, x) => Math.min(v, b[0][x])) as Vec3, a[1].map((v, x) => Math.max(v, b[1][x])) as Vec3];
}

/** The most points one request carries (the contract allows 1000; one is the previous batch's last point). */
const MAX_BATCH = 999;

export interface MaskEditingOptions {
  maskId: Ref<string | null>;
  /** A finished edit: its result and the changed box's new voxels (null when nothing changed). */
  applied: (result: EditResult, region: MaskRegion | null) => void;
  failed: (error: unknown) => void;
}

export function useMaskEditing({ maskId, applied, failed }: MaskEditingOptions) {
  /** Brush size as typed (mm, 1–30), the HU limits as typed ('' = none), the shape. */
  const sizeMm = ref<number | string>(3);
  const huLow = ref<number | string>('');
  const huHigh = ref<number | string>('');
  const sphere = ref(false);
  const canUndo = ref(false);
  const canRedo = ref(false);
  const working = ref(false);
  /** The last point sent of the drag in progress: the next batch of the same stroke starts there. */
  let tail: { stroke: string; action: Action; at: Vec3 } | null = null;

  const radiusMm = computed(() => {
    const d = Number(sizeMm.value);
    return sizeMm.value !== '' && Number.isFinite(d) && d >= 1 && d <= 30 ? d : null;
  });
  const blank = (v: number | string) => v === '' || v === null || v === undefined;
  /** The HU range to limit the brush to; undefined when none is typed, null when the limits are invalid. */
  const huRange = computed<[number, number] | undefined | null>(() => {
    if (blank(huLow.value) && blank(huHigh.value)) return undefined;
    const lo = blank(huLow.value) ? -32768 : Number(huLow.value);
    const hi = blank(huHigh.value) ? 32767 : Number(huHigh.value);
    return Number.isFinite(lo) && Number.isFinite(hi) && lo < hi ? [lo, hi] : null;
  });
  const brushValid = computed(() => radiusMm.value !== null && huRange.value !== null);

  /** A new mask (segmentation or import) starts with nothing to undo. */
  function reset() {
    canUndo.value = false;
    canRedo.value = false;
    tail = null;
  }

  async function send(action: Action, points?: Vec3[], stroke?: string) {
    const id = maskId.value;
    if (!id) return;
    const client = await api();
    const brush = action === 'paint' || action === 'erase';
    let pathLps = points;
    if (brush && points?.length && stroke) {
      if (tail && tail.stroke === stroke && tail.action === action) pathLps = [tail.at, ...points];
      tail = { stroke, action, at: points[points.length - 1] };
    }
    const result = await client.call('mask.edit', {
      maskId: id,
      action,
      ...(brush ? { pathLps, radiusMm: radiusMm.value!, shape: sphere.value ? 'sphere' : 'disc' } : {}),
      ...(brush && huRange.value ? { huRange: huRange.value } : {}),
      ...(brush && stroke ? { stroke } : {}),
    });
    // The engine's share of the round trip, for the renderer bench (scripts/bench/renderer.mjs).
    performance.mark('hilum:edit-answered');
    canUndo.value = result.canUndo;
    canRedo.value = result.canRedo;
    const box = result.changedBox;
    const bytes = box ? await client.call('segment.maskRegion', { maskId: result.maskId, min: box.min, max: box.max }) : null;
    // A newer mask (a new segmentation) replaced this one meanwhile: drop the answer.
    if (maskId.value !== id) return;
    applied(result, box && bytes ? { box: [box.min, box.max], bytes: new Uint8Array(bytes) } : null);
  }

  type Step = { action: Action; points?: Vec3[]; stroke?: string };
  const queue: Step[] = [];

  /**
   * Runs an edit now, or queues it while another is in flight. Brush points of one drag that arrive
   * meanwhile gather into one queued step (up to MAX_BATCH points a request), all sent together.
   */
  async function run(action: Action, at?: Vec3, stroke?: string) {
    const last = queue.at(-1);
    if (at && last?.points && last.action === action && last.stroke === stroke && last.points.length < MAX_BATCH) last.points.push(at);
    else queue.push({ action, points: at ? [at] : undefined, stroke });
    if (working.value) return;
    working.value = true;
    try {
      for (let step = queue.shift(); step; step = queue.shift()) await send(step.action, step.points, step.stroke);
    } catch (error) {
      queue.length = 0;
      tail = null;
      failed(error);
    } finally {
      working.value = false;
    }
  }

  return {
    sizeMm,
    huLow,
    huHigh,
    sphere,
    canUndo,
    canRedo,
    working,
    radiusMm,
    brushValid,
    reset,
    /** A brush point (each pointer position of a drag); `stroke` names the drag it belongs to (one undo step per drag). */
    brush: (action: 'paint' | 'erase', at: Vec3, stroke?: string) => (brushValid.value ? run(action, at, stroke) : undefined),
    undo: () => (canUndo.value ? run('undo') : undefined),
    redo: () => (canRedo.value ? run('redo') : undefined),
    removeIslands: () => run('remove-islands'),
  };
}

export type MaskEditing = ReturnType<typeof useMaskEditing>;
