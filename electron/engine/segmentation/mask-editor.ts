import { HilumError } from '../core/errors.js';
import type { Vec3 } from '../imaging/vec.js';
import type { LabelMap, Volume } from '../imaging/volume.js';
import { offsetsBox, sweepBrush, type VoxelBox } from './brush-sweep.js';
import { labelComponents } from './components.js';

export type { VoxelBox } from './brush-sweep.js';

/** One edit, stored as the voxels it changed and their values before and after (a mask diff). */
export interface MaskEdit {
  label: string;
  indices: Int32Array;
  before: Uint8Array;
  after: Uint8Array;
  /** The brush stroke (one mouse drag) this edit belongs to; later dabs of the same stroke merge into it. */
  stroke?: string;
}

export interface BrushOptions {
  /** Paint (1) or erase (0). */
  value: 0 | 1;
  radiusMm: number;
  /** 'sphere' paints in 3-D; 'disc' only in the axial slice of the centre. */
  shape: 'sphere' | 'disc';
  /** Only voxels whose HU lies in this range change (needs the CT). */
  huRange?: [number, number];
  /**
   * The stroke (one mouse drag) this dab belongs to: consecutive dabs with the same stroke form one
   * undo step, which restores every voxel the stroke changed to its value before the stroke.
   */
  stroke?: string;
}

/**
 * The editing primitives a segmentation UI needs, on a 0/1 mask: brush paint/erase in a sphere or
 * an axial disc, optionally limited to a HU range, island removal, and undo/redo. Every change is a
 * diff (indices, before, after), so history costs memory in proportion to what was edited. Brush dabs
 * of one stroke (same stroke ID, one after another) share one diff: one undo step per mouse drag. A
 * brush request may be a whole polyline (`brushPath`), swept exactly so a fast drag has no gaps; every
 * operation leaves the box of what it changed in `lastChangedBox`.
 */
export class MaskEditor {
  private readonly undoStack: MaskEdit[] = [];
  private readonly redoStack: MaskEdit[] = [];
  /**
   * The inclusive voxel box of what the latest operation (brush, island removal, replace, undo, redo)
   * changed — exactly the bounds of the voxels whose value differs before and after it — or null when
   * it changed nothing. A viewer re-reads only this box after an edit.
   */
  lastChangedBox: VoxelBox | null = null;

  constructor(
    readonly mask: LabelMap,
    private readonly ct: Volume | null = null,
    private readonly historyLimit = 200,
  ) {
    if (ct && ct.voxels.length !== mask.voxels.length)
      throw new HilumError({ code: 'MASK_GEOMETRY_MISMATCH', message: 'the mask and the CT have different sizes' });
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /**
   * Paints or erases a ball (or an axial disc) centred on a voxel (rounded to the nearest voxel);
   * returns the number of voxels changed.
   */
  brush(centreVoxel: Vec3, options: BrushOptions): number {
    return this.brushPath([centreVoxel.map(Math.round) as Vec3], options);
  }

  /**
   * Paints or erases along a polyline of continuous voxel indices (a mouse drag): the brush swept
   * exactly along every segment (a capsule for a sphere, a swept axial disc for a disc — see
   * `sweepBrush`), so a fast drag leaves a continuous line, however far apart its points are. The
   * HU range applies as for one dab, and with a `stroke` ID the whole path joins the stroke's one
   * undo step. Returns the number of voxels changed.
   */
  brushPath(pathVoxels: readonly Vec3[], options: BrushOptions): number {
    if (!(options.radiusMm > 0)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `brush radius must be positive, got ${options.radiusMm}` });
    if (options.huRange && !this.ct) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'threshold-limited painting needs the CT' });
    if (!pathVoxels.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'a brush path needs at least one point' });
    if (pathVoxels.some((p) => !p.every(Number.isFinite)))
      throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'a brush path point is not a finite position' });
    const changed: number[] = [];
    const voxels = this.mask.voxels;
    const hu = options.huRange && this.ct ? this.ct.voxels : null;
    const [lo, hi] = options.huRange ?? [0, 0];
    sweepBrush(pathVoxels, this.mask.dims, this.mask.spacingMm, options.radiusMm, options.shape, (o) => {
      if (voxels[o] === options.value) return;
      if (hu && (hu[o] < lo || hu[o] > hi)) return;
      changed.push(o);
    });
    const label = `${options.value ? 'paint' : 'erase'} ${options.shape}`;
    const last = this.undoStack.at(-1);
    // The stroke's entry must be the latest and nothing undone since (a redo stack means it was undone).
    if (options.stroke !== undefined && last?.stroke === options.stroke && !this.redoStack.length) return this.extend(last, changed, options.value);
    // A dab that changes nothing records nothing; the stroke's entry starts with its first change.
    return this.record(label, changed, new Uint8Array(changed.length).fill(options.value), options.stroke);
  }

  /** Removes every connected piece (26-connected) except the largest, or except the one holding `keepVoxel`. */
  removeIslands(keepVoxel?: Vec3): number {
    const { labels, sizes } = labelComponents(this.mask.voxels, this.mask.dims, 26);
    let keep = 0;
    if (keepVoxel) {
      const [nx, ny] = this.mask.dims;
      keep = labels[keepVoxel[0] + nx * (keepVoxel[1] + ny * keepVoxel[2])];
      if (!keep) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'the point to keep is not in the mask' });
    } else for (let l = 1; l < sizes.length; l++) if (sizes[l] > (sizes[keep] ?? 0)) keep = l;
    const changed: number[] = [];
    for (let o = 0; o < labels.length; o++) if (labels[o] && labels[o] !== keep) changed.push(o);
    return this.apply('remove islands', changed, 0);
  }

  /** Replaces the whole mask (a new automatic segmentation), as one undoable step. */
  replaceWith(voxels: Uint8Array, label = 'replace'): number {
    if (voxels.length !== this.mask.voxels.length) throw new HilumError({ code: 'MASK_GEOMETRY_MISMATCH', message: 'the new mask has another size' });
    const indices: number[] = [];
    const after: number[] = [];
    for (let o = 0; o < voxels.length; o++)
      if ((voxels[o] ? 1 : 0) !== this.mask.voxels[o]) {
        indices.push(o);
        after.push(voxels[o] ? 1 : 0);
      }
    return this.record(label, indices, Uint8Array.from(after));
  }

  undo(): MaskEdit | null {
    const edit = this.undoStack.pop();
    this.lastChangedBox = edit ? this.boxOf(edit) : null;
    if (!edit) return null;
    for (let n = 0; n < edit.indices.length; n++) this.mask.voxels[edit.indices[n]] = edit.before[n];
    this.redoStack.push(edit);
    return edit;
  }

  redo(): MaskEdit | null {
    const edit = this.redoStack.pop();
    this.lastChangedBox = edit ? this.boxOf(edit) : null;
    if (!edit) return null;
    for (let n = 0; n < edit.indices.length; n++) this.mask.voxels[edit.indices[n]] = edit.after[n];
    this.undoStack.push(edit);
    return edit;
  }

  private apply(label: string, indices: number[], value: 0 | 1): number {
    return this.record(label, indices, new Uint8Array(indices.length).fill(value));
  }

  /**
   * Adds one dab to the stroke's entry: voxels new to the stroke keep their value from before the
   * stroke; voxels it already touched only get their new final value.
   */
  private extend(edit: MaskEdit, indices: number[], value: 0 | 1): number {
    this.lastChangedBox = offsetsBox(indices, this.mask.dims);
    if (!indices.length) return 0;
    const position = new Map<number, number>();
    for (let n = 0; n < edit.indices.length; n++) position.set(edit.indices[n], n);
    const after = Array.from(edit.after);
    const all = Array.from(edit.indices);
    const before = Array.from(edit.before);
    for (const o of indices) {
      const at = position.get(o);
      if (at === undefined) {
        position.set(o, all.length);
        all.push(o);
        before.push(this.mask.voxels[o]);
        after.push(value);
      } else after[at] = value;
      this.mask.voxels[o] = value;
    }
    edit.indices = Int32Array.from(all);
    edit.before = Uint8Array.from(before);
    edit.after = Uint8Array.from(after);
    return indices.length;
  }

  /** The box of the voxels an undo or redo of `edit` flips (a voxel the edit left as it was is not among them). */
  private boxOf(edit: MaskEdit): VoxelBox | null {
    return offsetsBox(edit.indices, this.mask.dims, (n) => edit.before[n] !== edit.after[n]);
  }

  private record(label: string, indices: number[], after: Uint8Array, stroke?: string): number {
    // Every index recorded differs from the mask's value (callers pass only voxels that change).
    this.lastChangedBox = offsetsBox(indices, this.mask.dims);
    if (!indices.length) return 0;
    const idx = Int32Array.from(indices);
    const before = new Uint8Array(idx.length);
    for (let n = 0; n < idx.length; n++) {
      before[n] = this.mask.voxels[idx[n]];
      this.mask.voxels[idx[n]] = after[n];
    }
    this.undoStack.push(stroke === undefined ? { label, indices: idx, before, after } : { label, indices: idx, before, after, stroke });
    if (this.undoStack.length > this.historyLimit) this.undoStack.shift();
    this.redoStack.length = 0;
    return idx.length;
  }
}
