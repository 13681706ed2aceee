export { samplePatient, renderPatient, PHANTOM_VERSION, type PhantomPatient, type RenderOptions, type TumourOverrides } from './patient.js';
export { generateCohort, parseCentres, cohortPatientIds, type CohortOptions, type CohortSummary, type CentreCount } from './cohort.js';
export { writePatientFiles, manifestCsv, MANIFEST_COLUMNS, SYNTHETIC_NOTICE, type ManifestRow } from './patient-files.js';
export { ensureDemoCase, cacheDirectory, DEMO_CASE, type DemoCase } from './demo-case.js';
export { CENTRES, centreProfile, type CentreProfile } from './scanner.js';
export { RISK_MODEL, latentProbability } from './risk-model.js';
