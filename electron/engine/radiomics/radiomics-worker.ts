import { serveWorker } from '../core/worker-host.js';
import type { FilterDomain } from './filters/domain.js';
import type { DerivedImage } from './filters/image-types.js';
import { type ClassPlan, derivedImageFeatures } from './image-features.js';

/** Worker entry: filters one derived image and computes its feature classes. */
serveWorker({
  image: (payload: { domain: FilterDomain; derived: DerivedImage; roiMask: Uint8Array; classes: ClassPlan[] }) =>
    derivedImageFeatures(payload.domain, payload.derived, payload.roiMask, payload.classes),
});
