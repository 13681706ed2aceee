import { describe, expect, it } from 'vitest';
import { MIN_BOX_MM, boxFromRectangle } from '../../renderer/src/viewer/segment-box.js';

describe('the box of a rectangle dragged in segment mode', () => {
  it('spans the rectangle in its plane and half its larger side each way along the normal, centred on its centre', () => {
    // Axial rectangle (same z): 60 × 40 mm → ±30 mm in z.
    const axial = boxFromRectangle([10, 20, -50], [70, -20, -50]);
    expect(axial).toEqual({ aLps: [10, 20, -80], bLps: [70, -20, -20], seedLps: [40, 0, -50] });
    // Coronal rectangle (same y): 20 × 50 mm → ±25 mm in y.
    const coronal = boxFromRectangle([0, 5, 0], [20, 5, 50]);
    expect(coronal).toEqual({ aLps: [0, -20, 0], bLps: [20, 30, 50], seedLps: [10, 5, 25] });
    // Sagittal (same x).
    expect(boxFromRectangle([3, 0, 0], [3, 30, 30])?.seedLps).toEqual([3, 15, 15]);
  });

  it('a drag shorter than the smallest box on a side is no box (it is taken as a click)', () => {
    expect(boxFromRectangle([0, 0, 0], [MIN_BOX_MM - 1, 40, 0])).toBeNull();
    expect(boxFromRectangle([0, 0, 0], [MIN_BOX_MM, MIN_BOX_MM, 0])).not.toBeNull();
  });
});
