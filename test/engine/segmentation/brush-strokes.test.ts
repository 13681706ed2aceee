import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { LabelMap } from '../../../electron/engine/imaging/volume.js';
import { MaskEditor } from '../../../electron/engine/segmentation/index.js';

const IDENTITY: LabelMap['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function emptyMask(dims: Vec3, spacingMm: Vec3): LabelMap {
  return { dims, spacingMm, originLps: [0, 0, 0], direction: IDENTITY, voxels: new Uint8Array(dims[0] * dims[1] * dims[2]) };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** A mask with something in it already, so a stroke both adds voxels and repaints existing ones. */
function startedEditor(): MaskEditor {
  const editor = new MaskEditor(emptyMask([32, 32, 10], [0.8, 0.8, 1.5]));
  editor.brush([16, 16, 5], { value: 1, radiusMm: 3, shape: 'sphere' });
  return editor;
}

/** Five overlapping dabs along a line, as a mouse drag sends them; the last two erase over the first. */
function strokeDabs(editor: MaskEditor, stroke: string | undefined, y = 10) {
  const dabs: [Vec3, 0 | 1][] = [
    [[8, y, 5], 1],
    [[10, y, 5], 1],
    [[12, y, 5], 1],
    [[11, y, 5], 0],
    [[14, y + 4, 5], 1],
  ];
  return dabs.map(([at, value]) => editor.brush(at, { value, radiusMm: 2.5, shape: 'disc', stroke }));
}

describe('brush strokes: one undo step per mouse drag', () => {
  it('a 5-dab stroke is undone by one undo byte for byte, and redone to the post-stroke mask byte for byte', () => {
    const editor = startedEditor();
    const beforeStroke = Uint8Array.from(editor.mask.voxels);
    const changed = strokeDabs(editor, 'drag-1');
    expect(changed.every((n) => n > 0)).toBe(true);
    const afterStroke = Uint8Array.from(editor.mask.voxels);
    expect(same(afterStroke, beforeStroke)).toBe(false);

    const undone = editor.undo();
    expect(undone?.stroke).toBe('drag-1');
    expect(same(editor.mask.voxels, beforeStroke)).toBe(true);
    // The step before the stroke (the first sphere) is still there: the stroke took exactly one step.
    expect(editor.canUndo).toBe(true);
    expect(editor.redo()).not.toBeNull();
    expect(same(editor.mask.voxels, afterStroke)).toBe(true);
    expect(editor.canRedo).toBe(false);
  });

  it('two strokes need two undos; edits without a stroke ID stay one step each', () => {
    const editor = startedEditor();
    const snapshots = [Uint8Array.from(editor.mask.voxels)];
    strokeDabs(editor, 'a', 8);
    snapshots.push(Uint8Array.from(editor.mask.voxels));
    strokeDabs(editor, 'b', 22);
    snapshots.push(Uint8Array.from(editor.mask.voxels));
    expect(editor.undo()?.stroke).toBe('b');
    expect(same(editor.mask.voxels, snapshots[1])).toBe(true);
    expect(editor.undo()?.stroke).toBe('a');
    expect(same(editor.mask.voxels, snapshots[0])).toBe(true);
    expect(editor.undo()?.label).toBe('paint sphere');
    expect(editor.canUndo).toBe(false);

    const plain = startedEditor();
    const steps = strokeDabs(plain, undefined).filter((n) => n > 0).length;
    let undos = 0;
    while (plain.undo()) undos++;
    expect(undos).toBe(steps + 1);
  });

  it('a stroke that resumes after an undo, or after another edit, starts a new step', () => {
    const editor = startedEditor();
    const base = Uint8Array.from(editor.mask.voxels);
    editor.brush([8, 8, 5], { value: 1, radiusMm: 2, shape: 'disc', stroke: 's' });
    editor.undo();
    expect(same(editor.mask.voxels, base)).toBe(true);
    editor.brush([20, 20, 5], { value: 1, radiusMm: 2, shape: 'disc', stroke: 's' });
    const afterLate = Uint8Array.from(editor.mask.voxels);
    expect(editor.brush([4, 26, 5], { value: 1, radiusMm: 2, shape: 'disc' })).toBeGreaterThan(0);
    editor.brush([25, 8, 5], { value: 1, radiusMm: 2, shape: 'disc', stroke: 's' });
    editor.undo();
    editor.undo();
    expect(same(editor.mask.voxels, afterLate)).toBe(true);
    editor.undo();
    expect(same(editor.mask.voxels, base)).toBe(true);
  });

  it('a dab that changes nothing records nothing; the stroke starts with its first change', () => {
    const editor = new MaskEditor(emptyMask([20, 20, 4], [1, 1, 1]));
    expect(editor.brush([5, 5, 2], { value: 0, radiusMm: 2, shape: 'disc', stroke: 'x' })).toBe(0);
    expect(editor.canUndo).toBe(false);
    editor.brush([5, 5, 2], { value: 1, radiusMm: 2, shape: 'disc', stroke: 'x' });
    editor.brush([8, 5, 2], { value: 1, radiusMm: 2, shape: 'disc', stroke: 'x' });
    editor.undo();
    expect(editor.mask.voxels.every((v) => v === 0)).toBe(true);
    expect(editor.canUndo).toBe(false);
  });
});
