/**
 * The frozen state of a ComBat harmonisation (Johnson, Li & Rabinovic 2007, Biostatistics 8:118):
 * for every feature g the standardisation (grand mean α_g, pooled variance σ²_g, covariate
 * effects β_g) and for every batch b the empirical-Bayes location and scale γ*_bg, δ*_bg.
 * Plain numbers only, so it serialises to JSON and can be frozen in a model bundle.
 */

export const COMBAT_FORMAT = 'hilum-combat/1';

export interface CombatOptions {
  /** Parametric priors (normal γ, inverse-gamma δ; sva's par.prior = TRUE) or the non-parametric prior. Default true. */
  parametric?: boolean;
  /** Adjust the location only (δ* = 1; sva's mean.only). Default false. */
  meanOnly?: boolean;
  /** Reference batch (M-ComBat, Stein et al. 2015; sva's ref.batch): its data are left unchanged and the others are brought to it. */
  referenceBatch?: string;
  /** Convergence of the parametric iteration: stop when the largest relative change is ≤ this (sva's conv, 1e-4). */
  tolerance?: number;
}

/** The data to harmonise: per-sample batches, feature columns and covariates to preserve (numeric; binary as 0/1). */
export interface CombatData {
  batch: readonly string[];
  features: Record<string, ArrayLike<number>>;
  featureNames: readonly string[];
  covariates?: Record<string, ArrayLike<number>>;
  covariateNames?: readonly string[];
  /** Sample labels for error messages. */
  rowIds?: readonly string[];
}

/** One batch's parameters, in the order of `CombatParams.features`. */
export interface CombatBatch {
  samples: number;
  /** How the batch's parameters were obtained. */
  source: 'training' | 'new-batch';
  gammaHat: number[];
  deltaHat: number[];
  gammaStar: number[];
  deltaStar: number[];
  /** Hyper-parameters of the priors over the features (γ ~ N(γ̄, τ²), δ ~ InvGamma(a, b)); recorded for the non-parametric prior too. The reference batch's γ* = 0, δ* = 1. */
  /** a and b are null for a location-only fit (no scale prior). */
  prior: { gammaBar: number; tau2: number; a: number | null; b: number | null };
  /** Parametric iterations to convergence (0 for the non-parametric prior). */
  iterations: number;
}

export interface CombatParams {
  format: typeof COMBAT_FORMAT;
  parametric: boolean;
  meanOnly: boolean;
  referenceBatch: string | null;
  tolerance: number;
  /** The table column the batches were read from (centre, scanner, …), when known. */
  batchColumn?: string;
  /** Features that are harmonised. */
  features: string[];
  /** Features constant within some training batch: passed through unchanged (as sva does). */
  unchanged: string[];
  covariates: string[];
  /** Per feature: α_g (the reference batch's intercept, or the sample-size-weighted mean of the batch intercepts). */
  grandMean: number[];
  /** Per feature: σ²_g, the mean squared residual of the linear model (over the reference batch's samples when there is one). */
  pooledVariance: number[];
  /** Per covariate, per feature: β. */
  covariateEffects: number[][];
  batches: Record<string, CombatBatch>;
}
