/**
 * The "why" of a bedside prediction, as recorded: the bag's class-activation maps (deep/cam.ts)
 * with each slice's crop geometry, and each input's log-odds contribution to the logistic
 * signatures (signatures/contributions.ts). Everything is computed from the bundle and the case,
 * so the record can be reproduced from them.
 */
import type { BagInference } from '../deep/backbone-session.js';
import type { BagConfig } from '../deep/bag-config.js';
import { camOnCtGrid } from '../deep/cam-projection.js';
import { type SliceBag, type SlicePlane, bagSliceGrid } from '../deep/sampler.js';
import type { ImageGrid } from '../imaging/grid.js';
import type { Vec3 } from '../imaging/vec.js';
import { camScaleOf } from '../report/cam-images.js';
import type { ModelBundle } from '../signatures/bundle.js';
import { logisticContributions } from '../signatures/contributions.js';
import type { ExplanationRecord } from '../signatures/prediction-record.js';

export const CAM_FORMULA = 'CAM(i,j) = Σk wk·Ak(i,j) (Zhou et al. 2016); mean(CAM) + b = slice logit';
export const OCCLUSION_FORMULA = 'O(i,j) = logit − logit(cell (i,j) replaced by the baseline) (Zeiler & Fergus 2014)';

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
          method: cam.method,
          formula: cam.method === 'cam' ? CAM_FORMULA : OCCLUSION_FORMULA,
          bias: cam.bias,
          ...(cam.baselineHu === null ? {} : { baselineHu: cam.baselineHu }),
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
            ...(cam.method === 'cam' ? { mapLogit: cam.slices[k].logit } : {}),
            values: Array.from(cam.slices[k].values),
          })),
          seconds: cam.seconds,
        }
      : null,
    ...(inference.camUnavailable ? { camUnavailable: inference.camUnavailable } : {}),
    contributions: [logisticContributions(bundle, 'clinical', input.clinicalEncoded), logisticContributions(bundle, 'combined', input.combinedInputs)],
  };
}

/** The bag's maps on the CT grid for the viewer: one patch per bag slice (null outside the crop), one colour scale ±maxAbs. */
export interface CamOverlay {
  notice: string;
  /** `cam`, or `occlusion` (occlusion sensitivity, for a backbone without class-activation maps; baseline HU). */
  method: 'cam' | 'occlusion';
  baselineHu: number | null;
  maxAbs: number;
  patches: { axis: number; index: number; distanceMm: number; usedOffset: number; lo: Vec3; hi: Vec3; values: (number | null)[] }[];
}

/** Resamples the record's maps onto the CT's grid (deep/cam-projection.ts); null when the record has none. */
export function camOverlayOf(explanation: ExplanationRecord | undefined, bagConfig: Pick<BagConfig, 'sizePx' | 'spacingMm'>, ct: ImageGrid): CamOverlay | null {
  const cam = explanation?.cam;
  if (!cam) return null;
  const patches: CamOverlay['patches'] = [];
  for (const s of cam.slices) {
    const crop = bagSliceGrid({ plane: s.plane as SlicePlane, centreLps: s.centreLps }, cam.cropSideMm, bagConfig);
    const p = camOnCtGrid(s.values, cam.height, cam.width, crop, ct);
    if (p)
      patches.push({
        axis: p.axis,
        index: p.index,
        distanceMm: p.distanceMm,
        usedOffset: s.usedOffset,
        lo: p.lo,
        hi: p.hi,
        values: Array.from(p.values, (v) => (Number.isNaN(v) ? null : Math.round(v * 1e4) / 1e4)),
      });
  }
  return { notice: explanation.notice, method: cam.method, baselineHu: cam.baselineHu ?? null, maxAbs: camScaleOf(cam), patches };
}
