/** ComBat harmonisation: fit, frozen parameters, application, and new batches. */
export * from './combat-types.js';
export * from './combat-input.js';
export * from './combat-priors.js';
export * from './combat-design.js';
export * from './combat-fit.js';
export * from './combat-apply.js';
export * from './combat-new-batch.js';
export * from './combat-prior-check.js';
