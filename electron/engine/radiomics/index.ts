/** Radiomics: PyRadiomics-compatible features, filters and parameter files (see docs/radiomics.md). */
export { type ExtractOptions, type RadiomicsInput, type RadiomicsResult, extractRadiomics, resultRow } from './extractor.js';
export { createRadiomicsPool } from './pool.js';
export { type ParameterSet, defaultParameterSet, parseParameters, readParameterFile, validateParameters } from './settings.js';
export { FEATURE_CLASSES, type FeatureClassName } from './feature-names.js';
export { PYRADIOMICS_COMPATIBILITY } from './diagnostics.js';
