/**
 * Each input's contribution to a logistic signature, in log-odds: cⱼ = βⱼ·(xⱼ − x̄ⱼ), with x̄ⱼ the
 * term's mean on the training split. The linear predictor splits exactly into
 * η = (β₀ + Σⱼ βⱼ·x̄ⱼ) + Σⱼ cⱼ — the log-odds of an average training patient plus the inputs'
 * shifts from it — and cⱼ equals the nomogram's points for xⱼ up to the scale and a constant
 * (points = sc·βⱼ·(xⱼ − v₀)). A bundle made before the means were recorded has no x̄; then the
 * reference is the value at zero points on the term's nomogram axis (v₀), and the record says so.
 * A term on a log scale (protocol `transform: log`) has x = ln(value): the contribution is
 * β·(ln value − mean ln value), and the record shows the value and the reference (the training
 * geometric mean) in the input's own unit, marked `scale: 'log'`.
 */
import { arrayMin } from '../core/array-extent.js';
import { HilumError } from '../core/errors.js';
import type { ModelBundle } from './bundle.js';
import type { LogisticSignature } from './logistic-signature.js';

export interface InputContribution {
  term: string;
  label: string;
  /** Unit of the input (`mm`, `ng/mL`, `0/1` for a yes/no input, `score` for the DLRad score). */
  unit: string;
  /** The input and its reference in the input's own unit (for a log-scale input: the value and the training geometric mean). */
  value: number;
  reference: number;
  /** Set when the model takes the input as its natural log. */
  scale?: 'log';
  coefficient: number;
  /** βⱼ·(xⱼ − reference), log-odds. */
  logOdds: number;
}

export interface SignatureContributions {
  signature: 'clinical' | 'combined';
  /** What x̄ is: the training-split mean, or (older bundles) the value at zero points on the nomogram axis. */
  reference: 'training-mean' | 'nomogram-zero';
  /** β₀ + Σⱼ βⱼ·reference_j (log-odds); adding every contribution gives the linear predictor. */
  baselineLogOdds: number;
  linearPredictor: number;
  /** Largest |log-odds| first. */
  inputs: InputContribution[];
}

/** Label and unit of a model term from the bundle's clinical encoding and nomogram. */
function describeTerm(bundle: ModelBundle, term: string): { label: string; unit: string; scale?: 'log' } {
  const [column, level] = term.split('=');
  const axis = bundle.nomogram.axes.find((a) => a.name === term);
  const variable = bundle.signatures.clinicalEncoding.variables.find((v) => v.column === column);
  if (term === 'dlrad_score') return { label: axis?.label ?? 'DLRad score', unit: 'score' };
  const label = axis?.label ?? (variable ? (level ? `${variable.label ?? column}: ${level}` : (variable.label ?? column)) : term);
  if (!variable || variable.kind !== 'numeric') return { label, unit: '0/1' };
  return { label, unit: variable.unit ?? 'ratio', ...(variable.transform === 'log' ? { scale: 'log' as const } : {}) };
}

/** Contributions of every term of a logistic signature for one patient's encoded inputs. */
export function logisticContributions(bundle: ModelBundle, name: 'clinical' | 'combined', values: Record<string, number>): SignatureContributions {
  const s: LogisticSignature = bundle.signatures[name];
  let reference: SignatureContributions['reference'] = 'training-mean';
  let refs = s.termMeans;
  if (!refs) {
    reference = 'nomogram-zero';
    refs = s.terms.map((t) => {
      const axis = bundle.nomogram.axes.find((a) => a.name === t);
      if (!axis)
        throw new HilumError({
          code: 'CONTRIBUTION_REFERENCE_MISSING',
          message: `the ${name} signature's term ${t} has neither a training mean nor a nomogram axis`,
        });
      const v0 = axis.values[axis.points.indexOf(arrayMin(axis.points))];
      return axis.scale === 'log' ? Math.log(v0) : v0;
    });
  }
  const inputs = s.terms.map((term, j) => {
    const value = values[term];
    if (!Number.isFinite(value)) throw new HilumError({ code: 'FEATURE_MISSING', message: `${name} signature: ${term} has no finite value` });
    const described = describeTerm(bundle, term);
    const shown = (x: number) => (described.scale === 'log' ? Math.exp(x) : x);
    return {
      term,
      ...described,
      value: shown(value),
      reference: shown(refs[j]),
      coefficient: s.coefficients[j],
      logOdds: s.coefficients[j] * (value - refs[j]),
    };
  });
  const baselineLogOdds = s.intercept + s.coefficients.reduce((sum, b, j) => sum + b * refs[j], 0);
  return {
    signature: name,
    reference,
    baselineLogOdds,
    linearPredictor: baselineLogOdds + inputs.reduce((sum, c) => sum + c.logOdds, 0),
    inputs: inputs.sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds)),
  };
}
