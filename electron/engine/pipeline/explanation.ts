/**
 * The "why" of a bedside prediction, as recorded: the bag's class-activation maps (deep/cam.ts)
 * with each slice's crop geometry, and each input's log-odds contribution to the logistic
 * signatures (signatures/contributions.ts). Everything is computed from the bundle and the case,
 * so the record can be reproduced from them.
 */
import type { BagInference } from '../deep/backbone-session.js';
import type { BagConfig } from '../deep/bag-config.js';
import type { SliceBag } from '../deep/sampler.js';
import type { ModelBundle } from '../signatures/bundle.js';
import { logisticContributions } from '../signatures/contributions.js';
import type { ExplanationRecord } from '../signatures/prediction-record.js';

export const CAM_FORMULA = 'CAM(i,j) = Σk wk·Ak(i,j) (Zhou et al. 2016); mean(CAM) + b = slice logit';

export function explainPrediction(input: {
  bundle: ModelBundle;
  bag: SliceBag;
  bagConfig: BagConfig;
  inference: BagInference;
  clinicalEncoded: Record<string, number>;
  combinedInputs: Record<string, number>;
}): ExplanationRecord {
  const { bundle, bag, bagConfig, inference } = input;
  const cam = inference.cam;
  return {
    notice: bundle.notice,
    cam: cam
      ? {
          method: 'cam',
          formula: CAM_FORMULA,
          bias: cam.bias,
          height: cam.height,
          width: cam.width,
          cropSideMm: bag.cropSideMm,
          sizePx: bagConfig.sizePx,
          spacingMm: bagConfig.spacingMm,
          slices: bag.slices.map((s, k) => ({
            plane: s.plane,
            usedOffset: s.usedOffset,
            centreLps: s.centreLps,
            logit: inference.logits[k],
            mapLogit: cam.slices[k].logit,
            values: Array.from(cam.slices[k].values),
          })),
          seconds: cam.seconds,
        }
      : null,
    ...(cam ? {} : { camUnavailable: inference.camUnavailable ?? 'no class-activation maps' }),
    contributions: [logisticContributions(bundle, 'clinical', input.clinicalEncoded), logisticContributions(bundle, 'combined', input.combinedInputs)],
  };
}
