/** A complete `hilum-clinical/1` record for the demo bundle's clinical schema, as the workstation's form sends it. */
export function exampleClinical(pseudonym?: string) {
  return {
    format: 'hilum-clinical/1',
    ...(pseudonym ? { patient: { pseudonym } } : {}),
    values: {
      age_years: 61,
      sex: 'female',
      smoker: false,
      cea_ng_ml: { value: 3.1, unit: 'ng/mL' },
      cyfra_ng_ml: { value: 2.4, unit: 'ng/mL' },
      location: 'peripheral',
      lobulation: true,
      spiculation: false,
      pleural_indentation: false,
      vacuole: false,
      air_bronchogram: false,
      vascular_convergence: false,
    },
  };
}
