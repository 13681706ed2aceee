/** The scale bar of a 2D view: the longest round length that fits the space it may take. */

/** Lengths a scale bar may show (mm): round numbers a reader takes in at a glance. */
export const SCALE_BAR_LENGTHS_MM = [1, 2, 5, 10, 20, 50, 100, 200];

/**
 * The longest length of SCALE_BAR_LENGTHS_MM whose bar is at most `maxPx` CSS pixels long at
 * `mmPerPx` (millimetres per CSS pixel); the shortest one when none fits. Its length in pixels
 * is `mm / mmPerPx`.
 */
export function chooseScaleBar(mmPerPx: number, maxPx: number): { mm: number; px: number } {
  let mm = SCALE_BAR_LENGTHS_MM[0];
  for (const length of SCALE_BAR_LENGTHS_MM) if (length / mmPerPx <= maxPx) mm = length;
  return { mm, px: mm / mmPerPx };
}
