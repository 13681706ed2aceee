import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (code-point order), no whitespace, typed arrays as arrays, numbers
 * as JavaScript prints them (shortest text that reads back to the same double). The same value always
 * gives the same bytes, so a hash of the text identifies the content.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, '$'));
}

function sortKeys(value: unknown, where: string): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return sortKeys(Array.from(value as unknown as ArrayLike<number>), where);
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, `${where}[${i}]`));
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonical JSON cannot hold ${value} (at ${where})`);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, `${where}.${key}`);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
