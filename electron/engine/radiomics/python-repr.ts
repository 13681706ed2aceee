/**
 * Python's repr() of the values PyRadiomics prints in its diagnostics (settings dictionaries,
 * spacing tuples, means), so that Hilum's diagnostics read like PyRadiomics' and names built from
 * numbers (log-sigma-1-0-mm-3D) come out the same.
 */

/** repr(float): shortest round-trip digits; exponent form below 1e-4 and from 1e16; always a '.0' or exponent. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expPart] = x.toExponential().split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** str(float) equals repr(float) in Python 3. */
export const pyStrFloat = pyFloat;

export type PyValue = number | string | boolean | null | PyInt | PyValue[] | { [key: string]: PyValue } | PyTuple;

/** An integer (printed without '.0'). */
export class PyInt {
  constructor(readonly value: number) {}
}

/** A tuple (printed with parentheses). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** repr() of a Python value built from JS values: numbers are floats unless wrapped in PyInt. */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof PyInt) return String(v.value);
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
  if (typeof v === 'number') return pyFloat(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `'${k}': ${pyRepr(x)}`)
    .join(', ')}}`;
}
