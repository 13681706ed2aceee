import { describe, expect, it } from 'vitest';
import { indexToLps, planeLayout, screenToFocalPlane, zoomAboutPoint, type ViewFrame } from '../../renderer/src/viewer/geometry.js';
import { edgeLabels, orientationLabel } from '../../renderer/src/viewer/orientation.js';
import { chooseScaleBar } from '../../renderer/src/viewer/scale-bar.js';
import { noduleCentre } from '../../renderer/src/viewer/nodule-focus.js';
import type { Vec3, VolumeGeometry } from '../../renderer/src/viewer/types.js';

const axisAligned: VolumeGeometry = {
  dims: [512, 512, 100],
  spacingMm: [0.7, 0.7, 2.5],
  originLps: [-179, -179, -300],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
};

describe('orientation labels', () => {
  it('name LPS directions by the patient side they point to', () => {
    expect(orientationLabel([1, 0, 0])).toBe('L');
    expect(orientationLabel([-1, 0, 0])).toBe('R');
    expect(orientationLabel([0, 1, 0])).toBe('P');
    expect(orientationLabel([0, -1, 0])).toBe('A');
    expect(orientationLabel([0, 0, 1])).toBe('S');
    expect(orientationLabel([0, 0, -1])).toBe('I');
    // Oblique: the dominant side first, a large second component after it; a small one is left out.
    expect(orientationLabel([0.8, -0.6, 0])).toBe('LA');
    expect(orientationLabel([0.95, 0.3, 0])).toBe('L');
  });

  it('follow radiological convention on the three planes of an axis-aligned CT (patient right on screen left)', () => {
    const labels = (plane: 'axial' | 'coronal' | 'sagittal') => {
      const l = planeLayout(axisAligned, plane);
      return edgeLabels(l.right, l.viewUp);
    };
    expect(labels('axial')).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    expect(labels('coronal')).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
    expect(labels('sagittal')).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
  });

  it('follow the camera of a flipped or rotated grid', () => {
    // Rows stored right-to-left and slices head-to-feet: the views still show the patient in convention.
    const flipped: VolumeGeometry = { ...axisAligned, direction: [-1, 0, 0, 0, 1, 0, 0, 0, -1] };
    const l = planeLayout(flipped, 'axial');
    expect(edgeLabels(l.right, l.viewUp)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    // Rotated about the head–foot axis: the axial camera stays anatomical (the image turns on screen).
    const c = Math.cos((40 * Math.PI) / 180);
    const s = Math.sin((40 * Math.PI) / 180);
    const rotated = planeLayout({ ...axisAligned, direction: [c, -s, 0, s, c, 0, 0, 0, 1] }, 'axial');
    expect(edgeLabels(rotated.right, rotated.viewUp)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    // A gantry tilted 40° (slices tipped about the left–right axis): the axial view looks along the
    // tilted slice normal, so its top edge points anterior and up, its bottom posterior and down.
    const tilted = planeLayout({ ...axisAligned, direction: [1, 0, 0, 0, c, s, 0, -s, c] }, 'axial');
    expect(edgeLabels(tilted.right, tilted.viewUp)).toEqual({ left: 'R', right: 'L', top: 'AS', bottom: 'PI' });
  });
});

describe('scale bar', () => {
  it('takes the longest round length that fits', () => {
    // 0.7 mm per pixel, up to 100 px: 50 mm is 71 px, 100 mm would be 143 px.
    expect(chooseScaleBar(0.7, 100)).toEqual({ mm: 50, px: 50 / 0.7 });
    // Zoomed in to 0.1 mm per pixel: 10 mm is 100 px.
    expect(chooseScaleBar(0.1, 100).mm).toBe(10);
    expect(chooseScaleBar(0.1, 99).mm).toBe(5);
    // Zoomed far out: the longest; nothing fits: the shortest.
    expect(chooseScaleBar(5, 100).mm).toBe(200);
    expect(chooseScaleBar(5, 0.1).mm).toBe(1);
  });
});

describe('zoom about the cursor', () => {
  it('keeps the world point under the cursor where it was', () => {
    const layout = planeLayout(axisAligned, 'coronal');
    const frame: ViewFrame = { focalLps: [3, 10, -150], right: layout.right, viewUp: layout.viewUp, parallelScale: 180, width: 640, height: 360 };
    const [x, y] = [500, 80];
    const before = screenToFocalPlane(frame, x, y);
    const focal = zoomAboutPoint(frame, x, y, 60);
    const after = screenToFocalPlane({ ...frame, focalLps: focal, parallelScale: 60 }, x, y);
    for (let a = 0; a < 3; a++) expect(after[a]).toBeCloseTo(before[a], 9);
    // The view centre moved toward the cursor (it is not a zoom about the centre).
    expect(Math.hypot(focal[0] - frame.focalLps[0], focal[2] - frame.focalLps[2])).toBeGreaterThan(50);
    // At the centre of the view the focal point stays.
    expect(zoomAboutPoint(frame, 320, 180, 60)).toEqual(frame.focalLps);
  });
});

describe('nodule centre', () => {
  it('is the centre of the mask box, else the seed, else the expected centre', () => {
    const box: [Vec3, Vec3] = [
      [100, 200, 40],
      [120, 230, 50],
    ];
    expect(noduleCentre(axisAligned, { maskBox: box, seedLps: [1, 2, 3], expectedLps: [4, 5, 6] })).toEqual(indexToLps(axisAligned, [110, 215, 45]));
    expect(noduleCentre(axisAligned, { maskBox: null, seedLps: [1, 2, 3], expectedLps: [4, 5, 6] })).toEqual([1, 2, 3]);
    expect(noduleCentre(axisAligned, { expectedLps: [4, 5, 6] })).toEqual([4, 5, 6]);
    expect(noduleCentre(axisAligned, {})).toBeNull();
  });
});
