import { HilumError } from '../core/errors.js';
import type { Vec3 } from '../imaging/vec.js';
import type { LabelMap, Volume } from '../imaging/volume.js';
import { labelComponents } from './components.js';

/** One edit, stored as the voxels it changed and their values before and after (a mask diff). */
export interface MaskEdit {
  label: string;
  indices: Int32Array;
  before: Uint8Array;
  after: Uint8Array;
}

export interface BrushOptions {
  /** Paint (1) or erase (0). */
  value: 0 | 1;
  radiusMm: number;
  /** 'sphere' paints in 3-D; 'disc' only in the axial slice of the centre. */
  shape: 'sphere' | 'disc';
  /** Only voxels whose HU lies in this range change (needs the CT). */
  huRange?: [number, number];
}

/**
 * The editing primitives a segmentation UI needs, on a 0/1 mask: brush paint/erase in a sphere or
 * an axial disc, optionally limited to a HU range, island removal, and undo/redo. Every change is a
 * diff (indices, before, after), so history costs memory in proportion to what was edited.
 */
export class MaskEditor {
  private readonly undoStack: MaskEdit[] = [];
  private readonly redoStack: MaskEdit[] = [];

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

  /** Paints or erases a ball (or an axial disc) centred on a voxel; returns the number of voxels changed. */
  brush(centreVoxel: Vec3, options: BrushOptions): number {
    if (!(options.radiusMm > 0)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `brush radius must be positive, got ${options.radiusMm}` });
    if (options.huRange && !this.ct) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'threshold-limited painting needs the CT' });
    const [nx, ny, nz] = this.mask.dims;
    const s = this.mask.spacingMm;
    const reach = s.map((v) => Math.ceil(options.radiusMm / v));
    const zReach = options.shape === 'disc' ? 0 : reach[2];
    const changed: number[] = [];
    const r2 = options.radiusMm * options.radiusMm;
    const [c0, c1, c2] = centreVoxel.map(Math.round);
    for (let k = Math.max(0, c2 - zReach); k <= Math.min(nz - 1, c2 + zReach); k++)
      for (let j = Math.max(0, c1 - reach[1]); j <= Math.min(ny - 1, c1 + reach[1]); j++)
        for (let i = Math.max(0, c0 - reach[0]); i <= Math.min(nx - 1, c0 + reach[0]); i++) {
          if (((i - c0) * s[0]) ** 2 + ((j - c1) * s[1]) ** 2 + ((k - c2) * s[2]) ** 2 > r2) continue;
          const o = i + nx * (j + ny * k);
          if (this.mask.voxels[o] === options.value) continue;
          if (options.huRange && this.ct) {
            const hu = this.ct.voxels[o];
            if (hu < options.huRange[0] || hu > options.huRange[1]) continue;
          }
          changed.push(o);
        }
    return this.apply(`${options.value ? 'paint' : 'erase'} ${options.shape}`, changed, options.value);
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
    if (!edit) return null;
    for (let n = 0; n < edit.indices.length; n++) this.mask.voxels[edit.indices[n]] = edit.before[n];
    this.redoStack.push(edit);
    return edit;
  }

  redo(): MaskEdit | null {
    const edit = this.redoStack.pop();
    if (!edit) return null;
    for (let n = 0; n < edit.indices.length; n++) this.mask.voxels[edit.indices[n]] = edit.after[n];
    this.undoStack.push(edit);
    return edit;
  }

  private apply(label: string, indices: number[], value: 0 | 1): number {
    return this.record(label, indices, new Uint8Array(indices.length).fill(value));
  }

  private record(label: string, indices: number[], after: Uint8Array): number {
    if (!indices.length) return 0;
    const idx = Int32Array.from(indices);
    const before = new Uint8Array(idx.length);
    for (let n = 0; n < idx.length; n++) {
      before[n] = this.mask.voxels[idx[n]];
      this.mask.voxels[idx[n]] = after[n];
    }
    this.undoStack.push({ label, indices: idx, before, after });
    if (this.undoStack.length > this.historyLimit) this.undoStack.shift();
    this.redoStack.length = 0;
    return idx.length;
  }
}
