/**
 * Patient orientation letters for directions in LPS (DICOM patient coordinates: +x toward the
 * patient's left, +y posterior, +z superior), as 3D Slicer and OHIF print them at the edges of a view.
 */
// The `.js` suffix lets the unit tests (NodeNext) compile this file as the bundler does.
import type { Vec3 } from './types.js';

/** The letter of each LPS axis, for the negative and the positive direction. */
const LETTERS: [string, string][] = [
  ['R', 'L'],
  ['A', 'P'],
  ['I', 'S'],
];

/**
 * A component counts toward the label when it is at least this share of the largest one: an
 * oblique direction reads "LA" (mostly left, partly anterior), as in Slicer.
 */
const OBLIQUE_SHARE = 0.5;

/** The orientation label of a direction: its dominant letter first, then any large second component (at most two). */
export function orientationLabel(dir: Vec3): string {
  const order = [0, 1, 2].sort((a, b) => Math.abs(dir[b]) - Math.abs(dir[a]));
  const largest = Math.abs(dir[order[0]]);
  if (largest === 0) return '';
  return order
    .slice(0, 2)
    .filter((a, n) => n === 0 || Math.abs(dir[a]) >= OBLIQUE_SHARE * largest)
    .map((a) => LETTERS[a][dir[a] > 0 ? 1 : 0])
    .join('');
}

export interface EdgeLabels {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

/** The letters at a view's four edges, from the screen's right and up directions in LPS (the camera the view really uses). */
export function edgeLabels(right: Vec3, up: Vec3): EdgeLabels {
  const neg = (v: Vec3): Vec3 => [-v[0], -v[1], -v[2]];
  return { left: orientationLabel(neg(right)), right: orientationLabel(right), top: orientationLabel(up), bottom: orientationLabel(neg(up)) };
}
