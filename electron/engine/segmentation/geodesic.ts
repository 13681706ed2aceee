import type { Vec3 } from '../imaging/vec.js';

/**
 * Shortest-path distance (mm) from `from` to every voxel of a region, moving between
 * 26-neighbours inside it (Dijkstra with a binary heap, steps weighted by their Euclidean length).
 * Voxels the region does not reach get Infinity.
 */
export function geodesicDistance(region: Uint8Array, dims: Vec3, spacing: Vec3, from: number): Float64Array {
  const [nx, ny, nz] = dims;
  const dist = new Float64Array(region.length).fill(Infinity);
  if (!region[from]) return dist;
  // The 26 steps, as offsets and lengths in typed arrays (k slowest, i fastest).
  const di = new Int32Array(26);
  const dj = new Int32Array(26);
  const dk = new Int32Array(26);
  const w = new Float64Array(26);
  for (let s = 0, c = -1; c <= 1; c++)
    for (let b = -1; b <= 1; b++)
      for (let a = -1; a <= 1; a++)
        if (a || b || c) {
          di[s] = a;
          dj[s] = b;
          dk[s] = c;
          w[s++] = Math.hypot(a * spacing[0], b * spacing[1], c * spacing[2]);
        }
  const step = Int32Array.from(di, (a, s) => a + nx * (dj[s] + ny * dk[s]));
  const heap = new MinHeap();
  dist[from] = 0;
  heap.push(from, 0);
  while (heap.size) {
    const key = heap.topKey();
    const o = heap.pop();
    if (key > dist[o]) continue;
    const k = Math.floor(o / (nx * ny));
    const j = Math.floor((o - k * nx * ny) / nx);
    const i = o - k * nx * ny - j * nx;
    if (i > 0 && j > 0 && k > 0 && i < nx - 1 && j < ny - 1 && k < nz - 1) {
      // Every neighbour is inside the grid: index steps, in the same order.
      for (let s = 0; s < 26; s++) {
        const q = o + step[s];
        if (!region[q]) continue;
        const d = key + w[s];
        if (d < dist[q]) {
          dist[q] = d;
          heap.push(q, d);
        }
      }
      continue;
    }
    for (let s = 0; s < 26; s++) {
      const a = i + di[s];
      const b = j + dj[s];
      const c = k + dk[s];
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
      const q = a + nx * (b + ny * c);
      if (!region[q]) continue;
      const d = key + w[s];
      if (d < dist[q]) {
        dist[q] = d;
        heap.push(q, d);
      }
    }
  }
  return dist;
}

/** A binary min-heap of (index, key) pairs in typed arrays. */
export class MinHeap {
  private keys = new Float64Array(1024);
  private items = new Int32Array(1024);
  size = 0;

  push(index: number, key: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      const items = new Int32Array(this.size * 2);
      items.set(this.items);
      this.keys = keys;
      this.items = items;
    }
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[at] = this.keys[parent];
      this.items[at] = this.items[parent];
      at = parent;
    }
    this.keys[at] = key;
    this.items[at] = index;
  }

  /** The smallest key (the next pop's). */
  topKey(): number {
    return this.keys[0];
  }

  /** Removes the item with the smallest key and returns it. */
  pop(): number {
    const top = this.items[0];
    const lastKey = this.keys[--this.size];
    const lastItem = this.items[this.size];
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= lastKey) break;
      this.keys[at] = this.keys[child];
      this.items[at] = this.items[child];
      at = child;
    }
    this.keys[at] = lastKey;
    this.items[at] = lastItem;
    return top;
  }
}
