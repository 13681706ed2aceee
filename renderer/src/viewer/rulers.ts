/**
 * The distance measurements of the open case: ruler lines drawn in the MPR views, each kept on the
 * plane and slice it was drawn on, with one selected at a time (Delete removes it).
 */
import { ref } from 'vue';
import { distanceMm } from './geometry';
import type { Plane, RulerMeasurement, Vec3 } from './types';

export function useRulers() {
  const rulers = ref<RulerMeasurement[]>([]);
  const selected = ref<string | null>(null);
  /** Bumped to make the views drop a line being drawn (Escape). */
  const cancelSeq = ref(0);
  let next = 1;

  function add(plane: Plane, slice: number, aLps: Vec3, bLps: Vec3): RulerMeasurement {
    const m: RulerMeasurement = { id: `m${next++}`, plane, slice, aLps, bLps, lengthMm: distanceMm(aLps, bLps) };
    rulers.value = [...rulers.value, m];
    selected.value = m.id;
    return m;
  }

  function remove(id: string) {
    rulers.value = rulers.value.filter((m) => m.id !== id);
    if (selected.value === id) selected.value = null;
  }

  /** Escape: drop the line being drawn and the selection. */
  function cancel() {
    cancelSeq.value++;
    selected.value = null;
  }

  function clear() {
    rulers.value = [];
    selected.value = null;
    cancelSeq.value++;
  }

  return { rulers, selected, cancelSeq, add, remove, cancel, clear, removeSelected: () => selected.value && remove(selected.value) };
}

export type Rulers = ReturnType<typeof useRulers>;
