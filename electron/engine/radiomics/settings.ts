import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HilumError } from '../core/errors.js';
import { FEATURE_CLASSES, type FeatureClassName, isFeatureClassName } from './feature-names.js';
import { WAVELET_FILTERS } from './filters/wavelet-filters.js';
import { PyInt, type PyValue } from './python-repr.js';

/**
 * PyRadiomics parameter files (YAML or JSON): `setting`, `imageType`, `featureClass`, `voxelSetting`.
 * They are validated as PyRadiomics validates them (radiomics/schemas/paramSchema.yaml and its check
 * functions): unknown sections, settings, image types, feature classes or feature names, wrong types
 * and out-of-range values are errors that name the file and the offending entry.
 */

export type SettingValue = number | string | boolean | null | number[];
/** Settings in insertion order (PyRadiomics prints them in that order in its diagnostics). */
export type SettingsMap = Record<string, SettingValue>;
/** The same settings as Python values (ints and floats told apart), for diagnostics and names. */
export type SettingsRepr = Record<string, PyValue>;

export const IMAGE_TYPES = ['Original', 'Wavelet', 'LoG', 'Square', 'SquareRoot', 'Logarithm', 'Exponential', 'Gradient', 'LBP2D', 'LBP3D'] as const;
export type ImageTypeName = (typeof IMAGE_TYPES)[number];

export interface ImageTypeRequest {
  name: ImageTypeName;
  /** Settings that apply to this image type only (they override `setting`). */
  setting: SettingsMap;
  settingRepr: SettingsRepr;
}

export interface FeatureClassRequest {
  name: FeatureClassName;
  /** null or empty: every non-deprecated feature of the class. */
  features: string[] | null;
}

/** A validated parameter set, in the order the file gave it. */
export interface ParameterSet {
  setting: SettingsMap;
  settingRepr: SettingsRepr;
  imageType: ImageTypeRequest[];
  featureClass: FeatureClassRequest[];
  voxelSetting: SettingsMap;
  voxelSettingRepr: SettingsRepr;
  /** Where the parameters came from (file name), for messages. */
  source: string;
}

/** PyRadiomics' extractor defaults, in its order (featureextractor._getDefaultSettings). */
export function defaultSettings(): SettingsMap {
  return {
    minimumROIDimensions: 2,
    minimumROISize: null,
    normalize: false,
    normalizeScale: 1,
    removeOutliers: null,
    resampledPixelSpacing: null,
    interpolator: 'sitkBSpline',
    preCrop: false,
    padDistance: 5,
    distances: [1],
    force2D: false,
    force2Ddimension: 0,
    resegmentRange: null,
    label: 1,
    additionalInfo: true,
  };
}

/** PyRadiomics' defaults as Python values (the integers are ints). */
export function defaultSettingsRepr(): SettingsRepr {
  return {
    minimumROIDimensions: new PyInt(2),
    minimumROISize: null,
    normalize: false,
    normalizeScale: new PyInt(1),
    removeOutliers: null,
    resampledPixelSpacing: null,
    interpolator: 'sitkBSpline',
    preCrop: false,
    padDistance: new PyInt(5),
    distances: [new PyInt(1)],
    force2D: false,
    force2Ddimension: new PyInt(0),
    resegmentRange: null,
    label: new PyInt(1),
    additionalInfo: true,
  };
}

/** The parameter set PyRadiomics uses without a file: Original image, all classes but shape2D. */
export function defaultParameterSet(): ParameterSet {
  return {
    setting: {},
    settingRepr: {},
    imageType: [{ name: 'Original', setting: {}, settingRepr: {} }],
    featureClass: (Object.keys(FEATURE_CLASSES) as FeatureClassName[]).filter((c) => c !== 'shape2D').map((name) => ({ name, features: null })),
    voxelSetting: {},
    voxelSettingRepr: {},
    source: 'defaults',
  };
}

type Rule =
  | { kind: 'int'; min?: number; max?: number; minEx?: number }
  | { kind: 'float'; min?: number; minEx?: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'seq-float'; min?: number }
  | { kind: 'seq-int'; minEx?: number }
  | { kind: 'interpolator' }
  | { kind: 'weighting' }
  | { kind: 'wavelet' };

/** The allowed settings and their rules, from PyRadiomics' paramSchema.yaml. */
const SETTING_RULES: Record<string, Rule> = {
  minimumROIDimensions: { kind: 'int', min: 1, max: 3 },
  minimumROISize: { kind: 'int', minEx: 0 },
  geometryTolerance: { kind: 'float', minEx: 0 },
  correctMask: { kind: 'bool' },
  additionalInfo: { kind: 'bool' },
  label: { kind: 'int', minEx: 0 },
  label_channel: { kind: 'int', min: 0 },
  binWidth: { kind: 'float', minEx: 0 },
  binCount: { kind: 'int', minEx: 0 },
  normalize: { kind: 'bool' },
  normalizeScale: { kind: 'float', minEx: 0 },
  removeOutliers: { kind: 'float', minEx: 0 },
  resampledPixelSpacing: { kind: 'seq-float', min: 0 },
  interpolator: { kind: 'interpolator' },
  padDistance: { kind: 'int', min: 0 },
  distances: { kind: 'seq-int', minEx: 0 },
  force2D: { kind: 'bool' },
  force2Ddimension: { kind: 'int', min: 0, max: 2 },
  resegmentRange: { kind: 'seq-float' },
  resegmentMode: { kind: 'enum', values: ['absolute', 'relative', 'sigma'] },
  resegmentShape: { kind: 'bool' },
  preCrop: { kind: 'bool' },
  sigma: { kind: 'seq-float', min: Number.MIN_VALUE },
  start_level: { kind: 'int', min: 0 },
  level: { kind: 'int', minEx: 0 },
  wavelet: { kind: 'wavelet' },
  gradientUseSpacing: { kind: 'bool' },
  lbp2DRadius: { kind: 'float', minEx: 0 },
  lbp2DSamples: { kind: 'int', min: 1 },
  lbp2DMethod: { kind: 'enum', values: ['default', 'ror', 'uniform', 'var'] },
  lbp3DLevels: { kind: 'int', min: 1 },
  lbp3DIcosphereRadius: { kind: 'float', minEx: 0 },
  lbp3DIcosphereSubdivision: { kind: 'int', min: 0 },
  voxelArrayShift: { kind: 'int' },
  symmetricalGLCM: { kind: 'bool' },
  weightingNorm: { kind: 'weighting' },
  gldm_a: { kind: 'int', min: 0 },
};

const VOXEL_SETTING_RULES: Record<string, Rule> = {
  kernelRadius: { kind: 'int', minEx: 0 },
  maskedKernel: { kind: 'bool' },
  initValue: { kind: 'float' },
  voxelBatch: { kind: 'int', minEx: 0 },
};

/** SimpleITK interpolator names and their enum values (1–10), as PyRadiomics' checkInterpolator accepts them. */
export const SITK_INTERPOLATORS = [
  'sitkNearestNeighbor',
  'sitkLinear',
  'sitkBSpline',
  'sitkGaussian',
  'sitkLabelGaussian',
  'sitkHammingWindowedSinc',
  'sitkCosineWindowedSinc',
  'sitkWelchWindowedSinc',
  'sitkLanczosWindowedSinc',
  'sitkBlackmanWindowedSinc',
] as const;

const WEIGHTING_NORMS = ['euclidean', 'manhattan', 'infinity', 'no_weighting'];

/** A whole number: a YAML integer (BigInt), or — unless `yamlIntegers` — any integral number. */
function isInteger(v: unknown, yamlIntegers: boolean): v is bigint | number {
  return typeof v === 'bigint' || (!yamlIntegers && typeof v === 'number' && Number.isInteger(v));
}
const SECTIONS = ['setting', 'imageType', 'featureClass', 'voxelSetting'];

/** Reads and validates a PyRadiomics parameter file (.yaml, .yml or .json). */
export function readParameterFile(filePath: string): ParameterSet {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch {
    throw new HilumError({ code: 'RADIOMICS_PARAMS_NOT_FOUND', message: `parameter file ${filePath} cannot be read` });
  }
  return parseParameters(text, path.basename(filePath));
}

/** Parses and validates parameter text (YAML; JSON is a subset of YAML). */
export function parseParameters(text: string, source = 'parameters'): ParameterSet {
  let raw: unknown;
  try {
    // Integers stay BigInt so that `2` and `2.0` can be told apart, as pykwalify's int/float types do.
    raw = parseYaml(text, { intAsBigInt: true });
  } catch (error) {
    throw invalid(source, `is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return validateParameters(raw ?? {}, source, { yamlIntegers: true });
}

/**
 * Validates an already parsed parameter object. From YAML parsed by `parseParameters`, integers
 * are BigInt and only they satisfy integer settings (as pykwalify: `2.0` is not an int); from a
 * plain object (JSON), any whole number does.
 */
export function validateParameters(raw: unknown, source = 'parameters', options: { yamlIntegers?: boolean } = {}): ParameterSet {
  const strict = options.yamlIntegers ?? false;
  if (!isPlainObject(raw)) throw invalid(source, 'must be a mapping with the sections setting, imageType, featureClass and voxelSetting');
  for (const key of Object.keys(raw))
    if (!SECTIONS.includes(key)) throw invalid(source, `has an unknown section '${key}'${suggest(key, SECTIONS)}; allowed: ${SECTIONS.join(', ')}`);

  const setting = validateSettingsMap(raw.setting, SETTING_RULES, source, 'setting', strict);
  const voxelSetting = validateSettingsMap(raw.voxelSetting, VOXEL_SETTING_RULES, source, 'voxelSetting', strict);

  const imageType: ImageTypeRequest[] = [];
  if (raw.imageType !== undefined) {
    if (!isPlainObject(raw.imageType)) throw invalid(source, 'imageType must be a mapping of image type names to settings');
    for (const [name, custom] of Object.entries(raw.imageType)) {
      if (!(IMAGE_TYPES as readonly string[]).includes(name))
        throw invalid(source, `imageType '${name}' is not recognized${suggest(name, IMAGE_TYPES)}; available: ${IMAGE_TYPES.join(', ')}`);
      if (custom !== null && !isPlainObject(custom)) throw invalid(source, `imageType '${name}' must map to a settings mapping ({} for none)`);
      const own = validateSettingsMap(custom, SETTING_RULES, source, `imageType.${name}`, strict);
      imageType.push({ name: name as ImageTypeName, setting: own.values, settingRepr: own.repr });
    }
  }

  const featureClass: FeatureClassRequest[] = [];
  if (raw.featureClass !== undefined) {
    if (!isPlainObject(raw.featureClass)) throw invalid(source, 'featureClass must be a mapping of feature class names to feature lists');
    for (const [name, features] of Object.entries(raw.featureClass)) {
      if (!isFeatureClassName(name))
        throw invalid(
          source,
          `feature class '${name}' is not recognized${suggest(name, Object.keys(FEATURE_CLASSES))}; available: ${Object.keys(FEATURE_CLASSES).join(', ')}`,
        );
      if (features !== null && !Array.isArray(features)) throw invalid(source, `featureClass '${name}' must be a list of feature names or empty`);
      const known = FEATURE_CLASSES[name].map((s) => s.name);
      const list = features === null ? null : features.map(String);
      for (const f of list ?? []) if (!known.includes(f)) throw invalid(source, `feature class '${name}' has no feature '${f}'${suggest(f, known)}`);
      featureClass.push({ name, features: list });
    }
  }

  const fallback = defaultParameterSet();
  return {
    setting: setting.values,
    settingRepr: setting.repr,
    voxelSetting: voxelSetting.values,
    voxelSettingRepr: voxelSetting.repr,
    imageType: imageType.length ? imageType : fallback.imageType,
    // An empty featureClass section enables every class, shape2D included (PyRadiomics' rule).
    featureClass: featureClass.length ? featureClass : (Object.keys(FEATURE_CLASSES) as FeatureClassName[]).map((name) => ({ name, features: null })),
    source,
  };
}

function validateSettingsMap(
  raw: unknown,
  rules: Record<string, Rule>,
  source: string,
  where: string,
  yamlIntegers: boolean,
): { values: SettingsMap; repr: SettingsRepr } {
  if (raw === undefined || raw === null) return { values: {}, repr: {} };
  if (!isPlainObject(raw)) throw invalid(source, `${where} must be a mapping of setting names to values`);
  const values: SettingsMap = {};
  const repr: SettingsRepr = {};
  for (const [key, value] of Object.entries(raw)) {
    const rule = rules[key];
    if (!rule) throw invalid(source, `${where}: '${key}' is not a PyRadiomics setting${suggest(key, Object.keys(rules))}`);
    values[key] = checkValue(value, rule, source, `${where}.${key}`, yamlIntegers);
    repr[key] = asPython(value, values[key]);
  }
  return { values, repr };
}

/** The Python value of a parsed YAML value: YAML integers (BigInt here) are ints, other numbers floats. */
function asPython(raw: unknown, checked: SettingValue): PyValue {
  if (checked === null) return null;
  if (Array.isArray(raw) && Array.isArray(checked)) return raw.map((r, i) => (typeof r === 'bigint' ? new PyInt(checked[i]) : checked[i]));
  if (typeof raw === 'bigint' && typeof checked === 'number') return new PyInt(checked);
  return checked as PyValue;
}

function checkValue(value: unknown, rule: Rule, source: string, where: string, yamlIntegers: boolean): SettingValue {
  // Every setting is optional, so an explicit null ("binWidth:" with nothing) means "not set".
  if (value === null || value === undefined) return null;
  const fail = (what: string) => invalid(source, `${where} ${what}, got ${describe(value)}`);
  switch (rule.kind) {
    case 'int': {
      if (!isInteger(value, yamlIntegers)) throw fail('must be a whole number');
      const n = Number(value);
      checkRange(n, rule, fail);
      return n;
    }
    case 'float': {
      // pykwalify accepts anything Python's float() reads, such as 'nan' or '1e-06' written as text.
      const n = typeof value === 'bigint' || typeof value === 'number' ? Number(value) : typeof value === 'string' ? pythonFloat(value) : null;
      if (n === null) throw fail('must be a number');
      if ((rule.min !== undefined || rule.minEx !== undefined) && !Number.isFinite(n)) throw fail('must be a finite number');
      checkRange(n, rule, fail);
      return n;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw fail('must be true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) throw fail(`must be one of ${rule.values.join(', ')}`);
      return value;
    case 'seq-float':
    case 'seq-int': {
      if (!Array.isArray(value)) throw fail('must be a list');
      return value.map((v, i) => {
        if (rule.kind === 'seq-int' && !isInteger(v, yamlIntegers)) throw invalid(source, `${where}[${i}] must be a whole number, got ${describe(v)}`);
        if (typeof v !== 'bigint' && typeof v !== 'number') throw invalid(source, `${where}[${i}] must be a number, got ${describe(v)}`);
        const n = Number(v);
        checkRange(n, rule, () => invalid(source, `${where}[${i}] is out of range, got ${describe(v)}`));
        return n;
      });
    }
    case 'interpolator':
      if (typeof value === 'string') {
        if (!(SITK_INTERPOLATORS as readonly string[]).includes(value)) throw fail(`must be one of ${SITK_INTERPOLATORS.join(', ')}`);
        return value;
      }
      if (isInteger(value, yamlIntegers) && Number(value) >= 1 && Number(value) <= 10) return SITK_INTERPOLATORS[Number(value) - 1];
      throw fail('must be a SimpleITK interpolator name or its number 1–10');
    case 'weighting':
      if (typeof value !== 'string' || !WEIGHTING_NORMS.includes(value)) throw fail(`must be one of ${WEIGHTING_NORMS.join(', ')} or empty`);
      return value;
    case 'wavelet':
      if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(WAVELET_FILTERS, value))
        throw fail(`must be a discrete wavelet Hilum provides (${Object.keys(WAVELET_FILTERS).join(', ')})`);
      return value;
  }
}

/** Python's float() of a string (decimal or exponent notation, nan, inf/infinity, signed), or null. */
function pythonFloat(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) ? Number(t) : null;
}

function checkRange(n: number, rule: { min?: number; max?: number; minEx?: number }, fail: (what: string) => HilumError): void {
  if (rule.min !== undefined && n < rule.min) throw fail(`must be ≥ ${rule.min === Number.MIN_VALUE ? 0 : rule.min}`);
  if (rule.max !== undefined && n > rule.max) throw fail(`must be ≤ ${rule.max}`);
  if (rule.minEx !== undefined && n <= rule.minEx) throw fail(`must be > ${rule.minEx}`);
}

function invalid(source: string, what: string): HilumError {
  return new HilumError({
    code: 'RADIOMICS_PARAMS_INVALID',
    message: `${source}: ${what}`,
    hint: 'Parameter files follow PyRadiomics (settings: https://pyradiomics.readthedocs.io/en/latest/customization.html); see docs/radiomics.md.',
  });
}

function suggest(key: string, allowed: readonly string[]): string {
  const lower = key.toLowerCase();
  const close = allowed.find((a) => a.toLowerCase() === lower) ?? allowed.find((a) => editDistance(a.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean '${close}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? String(value);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The settings of one extraction as PyRadiomics builds them: its defaults, updated with the file's
 * `setting` and `voxelSetting`, then with explicit overrides (such as a label given on the command line).
 */
export function extractionSettings(params: ParameterSet, overrides: SettingsMap = {}): SettingsMap {
  return { ...defaultSettings(), ...params.setting, ...params.voxelSetting, ...overrides };
}

/** The Python form of `extractionSettings` (for the Configuration_Settings diagnostic). */
export function extractionSettingsRepr(params: ParameterSet, overrides: SettingsRepr = {}): SettingsRepr {
  return { ...defaultSettingsRepr(), ...params.settingRepr, ...params.voxelSettingRepr, ...overrides };
}

/** Every setting the engine reads, with PyRadiomics' defaults filled in. */
export interface ResolvedSettings {
  minimumROIDimensions: number;
  minimumROISize: number | null;
  geometryTolerance: number | null;
  correctMask: boolean;
  additionalInfo: boolean;
  label: number;
  binWidth: number;
  binCount: number | null;
  normalize: boolean;
  normalizeScale: number;
  removeOutliers: number | null;
  resampledPixelSpacing: number[] | null;
  interpolator: string | null;
  padDistance: number;
  preCrop: boolean;
  distances: number[];
  force2D: boolean;
  force2Ddimension: number;
  resegmentRange: number[] | null;
  resegmentMode: 'absolute' | 'relative' | 'sigma';
  resegmentShape: boolean;
  sigma: number[];
  startLevel: number;
  level: number;
  wavelet: string;
  gradientUseSpacing: boolean;
  lbp2DRadius: number;
  lbp2DSamples: number;
  lbp2DMethod: 'default' | 'ror' | 'uniform' | 'var';
  lbp3DLevels: number;
  lbp3DIcosphereRadius: number;
  lbp3DIcosphereSubdivision: number;
  voxelArrayShift: number;
  symmetricalGLCM: boolean;
  weightingNorm: 'euclidean' | 'manhattan' | 'infinity' | 'no_weighting' | null;
  gldmA: number;
}

/** Fills in the class and filter defaults PyRadiomics applies where a setting is absent or empty. */
export function resolveSettings(s: SettingsMap): ResolvedSettings {
  const num = (key: string, fallback: number): number => (typeof s[key] === 'number' ? (s[key] as number) : fallback);
  const numOrNull = (key: string): number | null => (typeof s[key] === 'number' ? (s[key] as number) : null);
  const bool = (key: string, fallback: boolean): boolean => (typeof s[key] === 'boolean' ? (s[key] as boolean) : fallback);
  const list = (key: string): number[] | null => (Array.isArray(s[key]) ? (s[key] as number[]) : null);
  const str = (key: string): string | null => (typeof s[key] === 'string' ? (s[key] as string) : null);
  return {
    minimumROIDimensions: num('minimumROIDimensions', 2),
    minimumROISize: numOrNull('minimumROISize'),
    geometryTolerance: numOrNull('geometryTolerance'),
    correctMask: bool('correctMask', false),
    additionalInfo: bool('additionalInfo', true),
    label: num('label', 1),
    binWidth: num('binWidth', 25),
    binCount: numOrNull('binCount'),
    normalize: bool('normalize', false),
    normalizeScale: num('normalizeScale', 1),
    removeOutliers: numOrNull('removeOutliers'),
    resampledPixelSpacing: list('resampledPixelSpacing'),
    interpolator: str('interpolator'),
    padDistance: num('padDistance', 5),
    preCrop: bool('preCrop', false),
    distances: list('distances') ?? [1],
    force2D: bool('force2D', false),
    force2Ddimension: num('force2Ddimension', 0),
    resegmentRange: list('resegmentRange'),
    resegmentMode: (str('resegmentMode') ?? 'absolute') as ResolvedSettings['resegmentMode'],
    resegmentShape: bool('resegmentShape', false),
    sigma: list('sigma') ?? [],
    startLevel: num('start_level', 0),
    level: num('level', 1),
    wavelet: str('wavelet') ?? 'coif1',
    gradientUseSpacing: bool('gradientUseSpacing', true),
    lbp2DRadius: num('lbp2DRadius', 1),
    lbp2DSamples: num('lbp2DSamples', 8),
    lbp2DMethod: (str('lbp2DMethod') ?? 'uniform') as ResolvedSettings['lbp2DMethod'],
    lbp3DLevels: num('lbp3DLevels', 2),
    lbp3DIcosphereRadius: num('lbp3DIcosphereRadius', 1),
    lbp3DIcosphereSubdivision: num('lbp3DIcosphereSubdivision', 1),
    voxelArrayShift: num('voxelArrayShift', 0),
    symmetricalGLCM: bool('symmetricalGLCM', true),
    weightingNorm: str('weightingNorm') as ResolvedSettings['weightingNorm'],
    gldmA: num('gldm_a', 0),
  };
}
