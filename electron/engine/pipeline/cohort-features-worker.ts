import { createHash } from 'node:crypto';
import { serveWorker } from '../core/worker-host.js';
import { type BackboneSession, inferBag, openBackbone } from '../deep/backbone-session.js';
import { loadBackbone } from '../deep/model-card.js';
import { sampleBag } from '../deep/sampler.js';
import { cutBag } from '../deep/bag-dataset.js';
import type { BagConfig } from '../deep/bag-config.js';
import { loadVolume } from '../imaging/load.js';
import { importMask } from '../imaging/mask-import.js';
import type { ParameterSet } from '../radiomics/settings.js';
import type { CaseExtractionRequest, CaseExtractionResult } from './cohort-features.js';
import { radiomicsMaskOf } from './radiomics-mask.js';
import { extractCaseRadiomics } from './radiomics-regions.js';

/** One ONNX session per worker and backbone folder, opened on first use (single-threaded: the pool is the parallelism). */
const sessions = new Map<string, Promise<BackboneSession>>();

function session(modelDir: string): Promise<BackboneSession> {
  let s = sessions.get(modelDir);
  if (!s) {
    s = openBackbone(loadBackbone(modelDir), undefined, 1);
    sessions.set(modelDir, s);
    s.catch(() => sessions.delete(modelDir));
  }
  return s;
}

/** Worker entry: every feature of one case — radiomics (and on the repeat mask) and the 2.5D slice outputs — from one load of the CT. */
serveWorker({
  /** One case's 2.5D bag for the in-study training (pipeline/study-training.ts). */
  bag: async (req: { image: string; mask: string; config: BagConfig }) => {
    const bag = await cutBag(req, req.config);
    return { data: bag.data, shape: bag.shape, slices: bag.slices };
  },
  extract: async (req: CaseExtractionRequest): Promise<CaseExtractionResult> => {
    const ct = (await loadVolume(req.image)).volume;
    const out: CaseExtractionResult = { id: req.id, spacing: [...ct.spacingMm] };
    const radiomicsOf = async (maskPath: string) => {
      const mask = await radiomicsMaskOf(maskPath, ct);
      return extractCaseRadiomics(req.id, ct, mask, req.radiomicsParams as ParameterSet, req.peritumoral);
    };
    if (req.radiomics) out.radiomics = await radiomicsOf(req.mask);
    if (req.repeatMask) out.repeatRadiomics = await radiomicsOf(req.repeatMask);
    if (req.deepModel) {
      const s = await session(req.deepModel);
      const bag = sampleBag(ct, (await importMask(req.mask, ct)).mask, s.backbone.bagConfig);
      const inference = await inferBag(s, bag);
      out.deep = {
        probabilities: inference.probabilities,
        features: inference.features.map((f) => Array.from(f)),
        provider: s.provider,
        // The bag's identity (SHA-256 of its float32 little-endian values), to match out-of-fold outputs to this very bag.
        bagSha256: createHash('sha256')
          .update(new Uint8Array(bag.data.buffer, bag.data.byteOffset, bag.data.byteLength))
          .digest('hex'),
      };
    }
    return out;
  },
});
