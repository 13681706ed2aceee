import { parseCsv } from '../../../electron/engine/core/csv.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../helpers.js';
import { readNrrd } from '../../../electron/engine/imaging/nrrd.js';
import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';
import type { SettingsMap } from '../../../electron/engine/radiomics/settings.js';

/** Reference data copied into test/fixtures/radiomics (see its README). */
export const RADIOMICS_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'radiomics');

export function radiomicsFixture(...parts: string[]): string {
  return path.join(RADIOMICS_FIXTURES, ...parts);
}

/** A CSV fixture as rows of fields (the engine's RFC 4180 parser). */
export function readCsv(file: string): string[][] {
  return parseCsv(readFileSync(file, 'utf8'));
}

/** Parses the Python literals PyRadiomics writes (dicts, lists, tuples, strings, numbers, None/True/False). */
export function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      while (text[i] !== '}') {
        const key = String(value());
        ws();
        i++; // ':'
        out[key] = value();
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return out;
    }
    if (ch === '[' || ch === '(') {
      const close = ch === '[' ? ']' : ')';
      i++;
      const out: unknown[] = [];
      ws();
      while (text[i] !== close) {
        out.push(value());
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return out;
    }
    if (ch === "'" || ch === '"') {
      const quote = ch;
      i++;
      let s = '';
      while (text[i] !== quote) s += text[i++];
      i++;
      return s;
    }
    const m = /^(None|True|False|[-+0-9.eE]+)/.exec(text.slice(i));
    if (!m) throw new Error(`cannot parse Python literal at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    if (m[0] === 'None') return null;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    return Number(m[0]);
  };
  return value();
}

export interface BaselineConfiguration {
  /** Column name, e.g. brain1_resampling. */
  name: string;
  testCase: string;
  settings: SettingsMap;
  /** Feature classes whose baseline file has this column. */
  classes: string[];
}

const BASELINE_CLASSES = ['firstorder', 'glcm', 'gldm', 'glrlm', 'glszm', 'ngtdm', 'shape', 'shape2D'];

/** Every column of PyRadiomics' baseline tables, with the settings its diagnostics row records. */
export function baselineConfigurations(): BaselineConfiguration[] {
  const byName = new Map<string, BaselineConfiguration>();
  for (const cls of BASELINE_CLASSES) {
    const rows = readCsv(radiomicsFixture('pyradiomics', 'data', 'baseline', `baseline_${cls}.csv`));
    const header = rows[0];
    const get = (rowName: string) => rows.find((r) => r[0] === rowName) as string[];
    const cases = get('diagnostics_Configuration_TestCase');
    const settings = get('diagnostics_Configuration_Settings');
    for (let c = 1; c < header.length; c++) {
      const name = header[c];
      const entry = byName.get(name) ?? { name, testCase: cases[c], settings: parsePythonLiteral(settings[c]) as SettingsMap, classes: [] };
      entry.classes.push(cls);
      byName.set(name, entry);
    }
  }
  return [...byName.values()];
}

/** PyRadiomics 3.1's values for the baseline configurations: configuration → feature → value. */
export function pyradiomics31Values(): Map<string, Map<string, number>> {
  const rows = readCsv(radiomicsFixture('pyradiomics-3.1', 'upstream_tests_values_brain_breast.csv'));
  const header = rows[0];
  const out = new Map<string, Map<string, number>>();
  for (const row of rows.slice(1)) {
    const values = new Map<string, number>();
    for (let c = 1; c < header.length; c++) if (row[c] !== 'N/A') values.set(header[c], Number(row[c]));
    out.set(row[0], values);
  }
  return out;
}

/** A two-column PyRadiomics output (name,value): diagnostics as text, features as numbers. */
export function readNameValueCsv(file: string): Map<string, string> {
  return new Map(
    readCsv(file)
      .slice(1)
      .map((r) => [r[0], r[1]] as [string, string]),
  );
}

const imageCache = new Map<string, ScalarImage>();

/** A PyRadiomics test case image or label (brain1, brain2, breast1). */
export function testCaseImage(testCase: string, kind: 'image' | 'label'): ScalarImage {
  const key = `${testCase}_${kind}`;
  let image = imageCache.get(key);
  if (!image) {
    image = readNrrd(radiomicsFixture('pyradiomics', 'data', `${key}.nrrd`)).image;
    imageCache.set(key, image);
  }
  return image;
}

/** |value/reference − 1|, or |value| when the reference is 0 (PyRadiomics' rule), NaN-aware. */
export function relativeDeviation(value: number, reference: number): number {
  if (Number.isNaN(value) || Number.isNaN(reference)) return Number.isNaN(value) && Number.isNaN(reference) ? 0 : Infinity;
  if (reference === 0) return Math.abs(value);
  return Math.abs(value / reference - 1);
}

/**
 * The IBSI CT phantom rebuilt at full size from its fixture crop (see the fixture README): the crop
 * is placed back into its 204×201×60 grid, the rest filled with air, so that PyRadiomics' resampling
 * grid (which depends on the ROI's index in the full image) is the one of the original phantom.
 */
export function ibsiCtPhantom(): { image: ScalarImage; mask: ScalarImage } {
  const dir = radiomicsFixture('ibsi', 'ct-phantom');
  const meta = JSON.parse(readFileSync(path.join(dir, 'crop.json'), 'utf8')) as {
    fullDims: [number, number, number];
    fullOriginLps: [number, number, number];
    offset: [number, number, number];
    fillHu: number;
  };
  const embed = (file: string, fill: number): ScalarImage => {
    const crop = readNrrd(path.join(dir, file)).image;
    const [nx, ny, nz] = meta.fullDims;
    const [cx, cy, cz] = crop.dims;
    const Ctor = crop.voxels.constructor as new (n: number) => ScalarImage['voxels'];
    const voxels = new Ctor(nx * ny * nz).fill(fill);
    for (let z = 0; z < cz; z++)
      for (let y = 0; y < cy; y++) {
        const dst = meta.offset[0] + nx * (y + meta.offset[1] + ny * (z + meta.offset[2]));
        voxels.set(crop.voxels.subarray(cx * (y + cy * z), cx * (y + cy * z) + cx) as never, dst);
      }
    return { dims: meta.fullDims, spacingMm: crop.spacingMm, originLps: meta.fullOriginLps, direction: crop.direction, voxels };
  };
  return { image: embed('phantom-crop.nrrd', meta.fillHu), mask: embed('gtv-crop.nrrd', 0) };
}

/** IBSI's pass rule: within the tolerance, or equal to the 3-significant-digit reference after rounding. */
export function ibsiPasses(value: number, reference: number, tolerance: number): boolean {
  return Math.abs(value - reference) <= tolerance || Number(value.toPrecision(3)) === reference;
}
