import type { DataSet } from 'dicom-parser';
import type { Vec3 } from '../vec.js';

/** Typed, forgiving readers over a dicom-parser DataSet: missing or empty values give undefined. */

export function str(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return undefined;
  const s = ds.string(tag);
  return s === undefined || s === '' ? undefined : s;
}

/** All backslash-separated values of a string element, trimmed. */
export function strs(ds: DataSet, tag: string): string[] {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return [];
  const raw = ds.text(tag) ?? '';
  return raw.split('\\').map((s) => s.trim());
}

/** All numeric values of a DS/IS element; undefined if any is not a finite number. */
export function decimals(ds: DataSet, tag: string): number[] | undefined {
  const parts = strs(ds, tag);
  if (parts.length === 0) return undefined;
  const values = parts.map((p) => Number(p));
  return values.every((v) => Number.isFinite(v)) && parts.every((p) => p !== '') ? values : undefined;
}

export function decimal(ds: DataSet, tag: string): number | undefined {
  return decimals(ds, tag)?.[0];
}

/** US value (binary). */
export function ushort(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  return ds.uint16(tag);
}

/** A US or SS value whose signedness depends on PixelRepresentation (implicit VR cannot tell). */
export function pixelValue(ds: DataSet, tag: string, signed: boolean): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  if (el.vr === 'SS') return ds.int16(tag);
  if (el.vr === 'US') return ds.uint16(tag);
  return signed ? ds.int16(tag) : ds.uint16(tag);
}

export function vec3(ds: DataSet, tag: string): Vec3 | undefined {
  const v = decimals(ds, tag);
  return v && v.length >= 3 ? [v[0], v[1], v[2]] : undefined;
}

/** Items of a sequence, or [] when absent. */
export function items(ds: DataSet | undefined, tag: string): DataSet[] {
  const el = ds?.elements[tag];
  if (!el?.items) return [];
  return el.items.map((i) => i.dataSet).filter((d): d is DataSet => d !== undefined);
}

/** The first item of a sequence. */
export function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return items(ds, tag)[0];
}

/** Looks for `tag` along a path of sequences: first in the per-frame item, then in the shared item. */
export function functionalGroupValue<T>(
  perFrame: DataSet | undefined,
  shared: DataSet | undefined,
  sequenceTag: string,
  read: (item: DataSet) => T | undefined,
): T | undefined {
  for (const group of [perFrame, shared]) {
    const item = firstItem(group, sequenceTag);
    if (item) {
      const v = read(item);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}
