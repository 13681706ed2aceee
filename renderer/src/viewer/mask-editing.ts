/**
 * Brush editing of the open mask through `mask.edit`: paint/erase at a point (an axial disc or a
 * sphere, optionally limited to a HU range), island removal, undo and redo. A drag sends one request
 * at a time; points that arrive meanwhile collapse into the latest one, which is sent next.
 */
import { computed, ref, type Ref } from 'vue';
import { api } from '../api';
import type { ApiResponse } from '../../../electron/api/contract';
import type { Vec3 } from './types';

export type EditResult = ApiResponse<'mask.edit'>;
type Action = 'paint' | 'erase' | 'undo' | 'redo' | 'remove-islands';

export interface MaskEditingOptions {
  maskId: Ref<string | null>;
  /** A finished edit: its result and the mask's new bytes. */
  applied: (result: EditResult, mask: Uint8Array) => void;
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
  }

  async function send(action: Action, centreLps?: Vec3) {
    const id = maskId.value;
    if (!id) return;
    const client = await api();
    const brush = action === 'paint' || action === 'erase';
    const result = await client.call('mask.edit', {
      maskId: id,
      action,
      ...(brush ? { centreLps, radiusMm: radiusMm.value!, shape: sphere.value ? 'sphere' : 'disc' } : {}),
      ...(brush && huRange.value ? { huRange: huRange.value } : {}),
    });
    canUndo.value = result.canUndo;
    canRedo.value = result.canRedo;
    const bytes = await client.call('segment.mask', { maskId: result.maskId });
    // A newer mask (a new segmentation) replaced this one meanwhile: drop the answer.
    if (maskId.value !== id) return;
    applied(result, new Uint8Array(bytes));
  }

  type Step = { action: Action; at?: Vec3 };
  const queue: Step[] = [];

  /** Runs an edit now, or queues it while another is in flight (brush points of a drag collapse into the latest). */
  async function run(action: Action, at?: Vec3) {
    const last = queue.at(-1);
    if (at && last?.at && last.action === action) queue[queue.length - 1] = { action, at };
    else queue.push({ action, at });
    if (working.value) return;
    working.value = true;
    try {
      for (let step = queue.shift(); step; step = queue.shift()) await send(step.action, step.at);
    } catch (error) {
      queue.length = 0;
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
    brush: (action: 'paint' | 'erase', at: Vec3) => (brushValid.value ? run(action, at) : undefined),
    undo: () => (canUndo.value ? run('undo') : undefined),
    redo: () => (canRedo.value ? run('redo') : undefined),
    removeIslands: () => run('remove-islands'),
  };
}

export type MaskEditing = ReturnType<typeof useMaskEditing>;
