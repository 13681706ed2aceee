/**
 * The scale a clinical variable enters the models on (protocol `transform`): its own unit, or the
 * natural logarithm for a strictly positive, right-skewed value (log: x ↦ ln x). The value is
 * entered, range-checked, stored and shown in its own unit; only the design column the signatures
 * multiply — and so the nomogram's spacing (axis `scale: 'log'`) and the contributions — is on
 * this scale, and those show it back in the unit (eʸ).
 */
import { HilumError } from '../core/errors.js';
import type { ClinicalVariable } from './protocol.js';

type Scaled = Pick<ClinicalVariable, 'column' | 'label' | 'unit' | 'transform'>;

/** The value on the model's scale; a log-scaled value must be above zero. */
export function toModelScale(v: Scaled, x: number, who = 'patient'): number {
  if (v.transform !== 'log') return x;
  if (!(x > 0))
    throw new HilumError({
      code: 'CLINICAL_VALUE_OUT_OF_RANGE',
      message: `${who}: ${v.label ?? v.column} = ${x}${v.unit ? ` ${v.unit}` : ''} must be above 0: the model takes it on a log scale`,
      hint: 'Enter the laboratory value; a result below the reporting limit is entered as that limit.',
      data: { field: v.column, value: x },
    });
  return Math.log(x);
}
