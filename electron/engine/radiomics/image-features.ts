import { discretize } from './discretize.js';
import type { FeatureClassName } from './feature-names.js';
import { firstOrderFeatures } from './features/firstorder.js';
import { glcmFeatures } from './features/glcm.js';
import { gldmFeatures } from './features/gldm.js';
import { glrlmFeatures } from './features/glrlm.js';
import { glszmFeatures } from './features/glszm.js';
import { ngtdmFeatures } from './features/ngtdm.js';
import type { TextureSettings } from './features/texture-common.js';
import { type DerivedImage, computeResponse } from './filters/image-types.js';
import type { FilterDomain } from './filters/domain.js';
import type { Roi } from './roi.js';
import type { ResolvedSettings } from './settings.js';

/** One feature class to compute, with the features it enables (already resolved from the request). */
export interface ClassPlan {
  name: FeatureClassName;
  features: string[];
}

/** Output of one derived image: `<image>_<class>_<feature>` → value, in PyRadiomics' order. */
export type NamedFeatures = Record<string, number>;

/**
 * Filters the domain for one derived image, crops the response to the ROI box and computes the
 * intensity and texture classes on it (shape classes are computed once, elsewhere). This is the
 * unit of work the worker threads run.
 */
export function derivedImageFeatures(domain: FilterDomain, image: DerivedImage, roiMask: Uint8Array, classes: readonly ClassPlan[]): NamedFeatures {
  const response = computeResponse(domain, image, roiMask);
  const roi: Roi = { dims: response.dims, spacingMm: domain.spacingMm, values: response.values, mask: roiMask };
  return roiFeatures(roi, image.name, image.settings, classes);
}

/** The intensity and texture classes of one image, on an ROI already cropped to its box. */
export function roiFeatures(roi: Roi, imageName: string, settings: ResolvedSettings, classes: readonly ClassPlan[]): NamedFeatures {
  const discretized = discretize(roi, settings);
  const texture: TextureSettings = {
    distances: settings.distances,
    force2D: settings.force2D,
    force2Ddimension: settings.force2Ddimension,
    symmetricalGLCM: settings.symmetricalGLCM,
    weightingNorm: settings.weightingNorm,
    gldmA: settings.gldmA,
  };
  const out: NamedFeatures = {};
  for (const c of classes) {
    if (c.name === 'shape' || c.name === 'shape2D' || c.features.length === 0) continue;
    let values: Record<string, number>;
    switch (c.name) {
      case 'firstorder':
        values = firstOrderFeatures(roi, discretized, settings.voxelArrayShift, c.features);
        break;
      case 'glcm':
        values = glcmFeatures(roi, discretized, texture, c.features);
        break;
      case 'glrlm':
        values = glrlmFeatures(roi, discretized, texture, c.features);
        break;
      case 'glszm':
        values = glszmFeatures(roi, discretized, texture, c.features);
        break;
      case 'gldm':
        values = gldmFeatures(roi, discretized, texture, c.features);
        break;
      case 'ngtdm':
        values = ngtdmFeatures(roi, discretized, texture, c.features);
        break;
    }
    for (const [feature, value] of Object.entries(values)) out[`${imageName}_${c.name}_${feature}`] = value;
  }
  return out;
}
