import type { WindowLevel } from './types';

/** The CT windows a chest reader switches between. */
export const WINDOW_PRESETS = {
  lung: { label: 'Lung', width: 1500, level: -600 },
  mediastinum: { label: 'Mediastinum', width: 350, level: 40 },
  bone: { label: 'Bone', width: 2000, level: 300 },
} as const satisfies Record<string, WindowLevel & { label: string }>;

export type WindowPresetName = keyof typeof WINDOW_PRESETS;

export const DEFAULT_WINDOW: WindowLevel = { width: WINDOW_PRESETS.lung.width, level: WINDOW_PRESETS.lung.level };

/** Window/level after a drag of (dx, dy) CSS pixels: right widens the window, down raises the level. */
export function dragWindow(start: WindowLevel, dx: number, dy: number): WindowLevel {
  const gain = Math.max(1, start.width / 250);
  return { width: Math.max(1, Math.round(start.width + dx * gain)), level: Math.round(start.level + dy * gain) };
}

/** The preset a window equals, if any. */
export function presetOf(w: WindowLevel): WindowPresetName | null {
  for (const [name, p] of Object.entries(WINDOW_PRESETS)) if (p.width === w.width && p.level === w.level) return name as WindowPresetName;
  return null;
}
