/** Checks of the data given to ComBat: named columns that exist, finite values, covariates that are not the outcome. */
import { HilumError } from '../../core/errors.js';
import type { CombatData } from './combat-types.js';

/** The feature and covariate columns in order, every value finite. */
export function checkedColumns(data: CombatData): { features: ArrayLike<number>[]; covariates: ArrayLike<number>[]; covariateNames: string[] } {
  const n = data.batch.length;
  const column = (kind: string, cols: Record<string, ArrayLike<number>> | undefined, name: string) => {
    const c = cols?.[name];
    if (!c) throw new HilumError({ code: 'COLUMN_NOT_FOUND', message: `harmonisation: no ${kind} column '${name}'` });
    if (c.length !== n) throw new HilumError({ code: 'HARMONISE_INVALID', message: `harmonisation: ${kind} ${name} has ${c.length} values for ${n} samples` });
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(c[i]))
        throw new HilumError({
          code: 'HARMONISE_VALUE_MISSING',
          message: `harmonisation: ${kind} ${name} of ${data.rowIds?.[i] ?? `sample ${i + 1}`} is not a finite number`,
          hint: 'ComBat needs complete data; leave the feature out or impute it first.',
          data: { column: name, row: data.rowIds?.[i] ?? i + 1 },
        });
    return c;
  };
  for (let i = 0; i < n; i++)
    if (!data.batch[i])
      throw new HilumError({ code: 'HARMONISE_VALUE_MISSING', message: `harmonisation: ${data.rowIds?.[i] ?? `sample ${i + 1}`} has no batch` });
  const covariateNames = [...(data.covariateNames ?? [])];
  return {
    features: data.featureNames.map((f) => column('feature', data.features, f)),
    covariates: covariateNames.map((c) => column('covariate', data.covariates, c)),
    covariateNames,
  };
}

/**
 * Refuses the outcome as a covariate to preserve: its value is unknown when a new patient is
 * harmonised, and preserving it on training data would carry the outcome into the features.
 */
export function refuseOutcomeCovariate(covariates: readonly string[], outcome: string | undefined): void {
  if (outcome && covariates.includes(outcome))
    throw new HilumError({
      code: 'HARMONISE_OUTCOME_COVARIATE',
      message: `harmonisation: the outcome '${outcome}' cannot be a covariate to preserve (it is unknown for a new patient, and would leak into the features)`,
      hint: 'Preserve only variables known before the prediction (age, sex, …).',
    });
}
