import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../../electron/engine/signatures/bundle.js';
import { checkClinicalInput, parseClinicalFile } from '../../../electron/engine/signatures/clinical-input.js';
import { predictionInterval } from '../../../electron/engine/signatures/logistic-signature.js';
import { ROOT, errorOf } from '../../helpers.js';

const bundle = readBundle(path.join(ROOT, 'models', 'hilum-demo.bundle.json'));
const enc = bundle.signatures.clinicalEncoding;
const measured = { diameter_mm: 23.26, solid_diameter_mm: 11.9, ctr: 0.5106 };

function file(values: Record<string, unknown>) {
  return parseClinicalFile({
    patient: { pseudonym: 'P-1' },
    values: {
      age_years: 64,
      sex: 'male',
      smoker: true,
      cea_ng_ml: { value: 5.2, unit: 'ng/mL' },
      cyfra_ng_ml: 2.1,
      location: 'peripheral',
      lobulation: 'yes',
      spiculation: 'no',
      pleural_indentation: false,
      vacuole: 0,
      air_bronchogram: 1,
      vascular_convergence: 'no',
      ...values,
    },
  });
}

/** Removes the fields given as undefined (a field left out of the file). */
function withoutUndefined(values: Record<string, unknown>) {
  const f = file(Object.fromEntries(Object.entries(values).filter(([, x]) => x !== undefined)));
  for (const [k, x] of Object.entries(values)) if (x === undefined) delete f.values[k];
  return f;
}

describe('bedside clinical input', () => {
  it('parses values with units, takes diameter and CTR from the segmentation and keeps what was measured apart', () => {
    const checked = checkClinicalInput(enc, file({ cea_ng_ml: { value: 5.2, unit: 'µg/L' } }), measured);
    expect(checked.values).toMatchObject({ age_years: 64, sex: 1, smoker: 1, cea_ng_ml: 5.2, location: 0, diameter_mm: 23.3, ctr: 0.511, vacuole: 0 });
    expect(checked.encoded).toMatchObject({ sex: 1, location: 0, diameter_mm: 23.3 });
    const bySource = Object.fromEntries(checked.inputs.map((i) => [i.field, i.source]));
    expect(bySource).toMatchObject({ diameter_mm: 'measured', ctr: 'measured', cea_ng_ml: 'entered', age_years: 'entered' });
    expect(checked.inputs.find((i) => i.field === 'location')?.display).toBe('peripheral');
  });

  it('converts exact unit equivalents (cm → mm, % → fraction) and warns when an entered size disagrees with the measurement', () => {
    const checked = checkClinicalInput(enc, file({ diameter_mm: { value: 3.1, unit: 'cm' }, ctr: { value: 50, unit: '%' } }), measured);
    expect(checked.values.diameter_mm).toBeCloseTo(31, 12);
    expect(checked.values.ctr).toBeCloseTo(0.5, 12);
    expect(checked.warnings.map((w) => w.code)).toContain('CLINICAL_DIFFERS_FROM_MEASURED');
    expect(checked.inputs.find((i) => i.field === 'diameter_mm')?.source).toBe('entered');
  });

  it.each([
    [
      'CEA of -3',
      { cea_ng_ml: -3 },
      'CLINICAL_VALUE_OUT_OF_RANGE',
      'cea_ng_ml',
      /CEA \(cea_ng_ml\) = -3 ng\/mL is outside the plausible range 0.05–1000 ng\/mL/,
    ],
    ['age 400', { age_years: 400 }, 'CLINICAL_VALUE_OUT_OF_RANGE', 'age_years', /Age \(age_years\) = 400 years is outside the plausible range 18–100/],
    ['a missing required field', { smoker: undefined }, 'CLINICAL_VALUE_MISSING', 'smoker', /Smoking history \(smoker\) is required/],
    [
      'a wrong unit',
      { cea_ng_ml: { value: 5.2, unit: 'pmol/L' } },
      'CLINICAL_UNIT_INVALID',
      'cea_ng_ml',
      /given in 'pmol\/L', which is not ng\/mL \(accepted: ng\/ml, µg\/l/,
    ],
    ['an age in months', { age_years: { value: 64, unit: 'months' } }, 'CLINICAL_UNIT_INVALID', 'age_years', /'months'/],
    ['a word for a number', { cyfra_ng_ml: 'high' }, 'CLINICAL_VALUE_INVALID', 'cyfra_ng_ml', /must be a number in ng\/mL, got "high"/],
    ['a misspelt sex', { sex: 'mael' }, 'CLINICAL_VALUE_INVALID', 'sex', /must be male \/ female, got "mael"/],
  ])('refuses %s with a field-specific error', (_label, values, code, field, message) => {
    const f = withoutUndefined(values as Record<string, unknown>);
    const error = errorOf(() => checkClinicalInput(enc, f, measured));
    expect(error.code).toBe(code);
    expect(error.data?.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('reports every problem at once, the first one as the error code', () => {
    const error = errorOf(() => checkClinicalInput(enc, file({ cea_ng_ml: -3, age_years: 400 }), measured));
    expect(error.code).toBe('CLINICAL_VALUE_OUT_OF_RANGE');
    expect((error.data?.issues as { field: string }[]).map((i) => i.field)).toEqual(['age_years', 'cea_ng_ml']);
    expect(error.message).toMatch(/2 problems/);
  });

  it('refuses a malformed file naming the place, and an unknown format', () => {
    expect(errorOf(() => parseClinicalFile({ values: { age_years: [64] } })).code).toBe('CLINICAL_FILE_INVALID');
    expect(errorOf(() => parseClinicalFile({ format: 'other', values: {} })).message).toMatch(/format/);
    expect(errorOf(() => parseClinicalFile({ values: { age_years: { value: 64, units: 'years' } } })).message).toMatch(/values\.age_years/);
  });
});

describe('prediction interval of a logistic signature', () => {
  it('at x = 0 has the intercept’s standard error, and at any x the Wald form √(xᵀVx)', () => {
    const s = bundle.signatures.combined;
    expect(s.covariance).toHaveLength(s.terms.length + 1);
    const zero = Object.fromEntries(s.terms.map((t) => [t, 0]));
    const atZero = predictionInterval(s, zero)!;
    expect(atZero.se).toBeCloseTo(s.table[0].se, 12);
    expect(atZero.linearPredictor).toBe(s.intercept);
    // One unit of the j-th term only: var = V00 + 2 V0j + Vjj.
    const j = 2;
    const one = { ...zero, [s.terms[j - 1]]: 1 };
    const V = s.covariance!;
    const r = predictionInterval(s, one)!;
    expect(r.se).toBeCloseTo(Math.sqrt(V[0][0] + 2 * V[0][j] + V[j][j]), 12);
    const [lo, hi] = r.probability;
    const p = 1 / (1 + Math.exp(-r.linearPredictor));
    expect(lo).toBeLessThan(p);
    expect(hi).toBeGreaterThan(p);
    expect(Math.log(hi / (1 - hi)) - r.linearPredictor).toBeCloseTo(1.959963984540054 * r.se, 9);
  });
});
