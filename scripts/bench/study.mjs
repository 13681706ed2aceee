// Study benchmark: fitting and evaluating the five signatures on a paper-sized cohort (1,099
// patients, A 781 / B 318) of 1,130 radiomics-like features (40 shared factors plus noise, so the
// correlation pruning and LASSO see realistic structure; a few carry the outcome), deep outputs and
// clinical values — the part of `hilum study` that runs again for every protocol, with the
// features cached. With HILUM_BENCH_MANIFEST=cohort/manifest.csv it also times a whole study of
// that cohort (extraction included) into a temporary folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitSignatureSet } from '../../dist/electron/engine/signatures/fit-set.js';
import { defaultProtocol, parseProtocol } from '../../dist/electron/engine/signatures/protocol.js';
import { splitCohort } from '../../dist/electron/engine/signatures/split.js';
import { evaluateStudy } from '../../dist/electron/engine/signatures/study-metrics.js';
import { seededRandom } from '../../dist/electron/engine/stats/random.js';
import { runStudy } from '../../dist/electron/engine/pipeline/cohort-study.js';

function syntheticCohort(n = 1099, features = 1130, factors = 40, seed = 1) {
  const rng = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: n }, (_, i) => (i < 781 ? 'A' : 'B'));
  const signal = Array.from({ length: n }, normal);
  const y = Float64Array.from(signal, (s) => (rng.next() < 1 / (1 + Math.exp(-(-1.2 + 1.5 * s))) ? 1 : 0));
  const latent = Array.from({ length: factors }, (_, f) => Array.from({ length: n }, (_, i) => (f < 3 ? 0.7 * signal[i] : 0) + normal()));
  const names = Array.from({ length: features }, (_, j) => `original_firstorder_F${String(j).padStart(4, '0')}`);
  const radiomics = Object.fromEntries(names.map((name, j) => [name, Float64Array.from(latent[j % factors], (v) => v + 0.4 * normal())]));
  const clinicalValues = signal.map((s) => ({
    age_years: String(Math.round(62 + 8 * normal())),
    sex: rng.next() < 0.5 ? 'male' : 'female',
    cea_ng_ml: (Math.exp(0.5 * s + 0.4 * normal()) * 3).toFixed(2),
    diameter_mm: Math.max(4, 18 + 4 * s + 4 * normal()).toFixed(1),
  }));
  const deep = signal.map((s) => ({
    probabilities: Array.from({ length: 7 }, () => 1 / (1 + Math.exp(-(s + normal())))),
    meanFeatures: Array.from({ length: 96 }, (_, f) => (f < 4 ? 0.5 * s : 0) + normal()),
  }));
  const ids = Array.from({ length: n }, (_, i) => `${centres[i]}${i}`);
  const split = splitCohort(
    ids.map((id, i) => ({ id, centre: centres[i], label: y[i] })),
    defaultProtocol().split,
  );
  return { ids, y, split, clinicalValues, radiomics, radiomicsNames: names, deep, repeat: new Map() };
}

export async function runStudyBench() {
  const inputs = syntheticCohort();
  const protocol = parseProtocol({
    clinical: {
      variables: [
        { column: 'age_years', kind: 'numeric', range: [18, 100] },
        { column: 'sex', kind: 'binary', positive: 'male' },
        { column: 'cea_ng_ml', kind: 'numeric', range: [0, 1000] },
        { column: 'diameter_mm', kind: 'numeric', range: [1, 100] },
      ],
    },
  });
  const t0 = performance.now();
  const fit = fitSignatureSet(inputs, protocol);
  const t1 = performance.now();
  const metrics = evaluateStudy(inputs.y, inputs.split, fit.scores.probability);
  const t2 = performance.now();
  const lines = [
    'study — fit and evaluation of the five signatures, 1,099 patients × 1,130 radiomics + 18 MIL features (synthetic table, default protocol)',
    `  fit ${((t1 - t0) / 1000).toFixed(1)} s (LASSO candidates: radiomics ${fit.traces.radiomics.correlation.kept}, DLRad ${fit.traces.dlrad.correlation.kept}; selected ${fit.set.radiomics.features.length} / ${fit.set.mil.features.length} / ${fit.set.dlrad.features.length}), evaluation ${((t2 - t1) / 1000).toFixed(2)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
    `  combined AUC: training ${metrics.rows.find((r) => r.signature === 'combined' && r.split === 'training').auc.toFixed(3)}, external ${metrics.rows.find((r) => r.signature === 'combined' && r.split === 'external').auc.toFixed(3)}`,
  ];
  const manifest = process.env.HILUM_BENCH_MANIFEST;
  const training = Boolean(process.env.HILUM_BENCH_TRAINING);
  if (manifest) {
    // HILUM_BENCH_STUDY_OUT keeps the study (tables, plots, bundle) in that folder, which must be empty or absent.
    const keep = process.env.HILUM_BENCH_STUDY_OUT;
    if (keep && existsSync(keep) && readdirSync(keep).length)
      throw new Error(`HILUM_BENCH_STUDY_OUT=${keep} is not empty: the bench times a study from an empty folder`);
    const out = keep ? (mkdirSync(keep, { recursive: true }), keep) : mkdtempSync(path.join(os.tmpdir(), 'hilum-bench-study-'));
    try {
      const t = performance.now();
      // In-study training: the default protocol with the backbone trained on the study's own training split (docs/deep.md).
      const protocol = training ? parseProtocol({ dataSource: 'synthetic', deep: { training: { enabled: true } } }) : defaultProtocol();
      let trainer = null;
      const r = await runStudy({
        manifest,
        out,
        protocol,
        jobs: os.availableParallelism(),
        onTrainerEvent: (e) => {
          if (e.type === 'start' || e.type === 'done') trainer = { ...trainer, ...e };
        },
      });
      lines.push(
        `  whole study of ${manifest}${training ? ' with in-study backbone training' : ''} from an empty folder: ${((performance.now() - t) / 60000).toFixed(1)} min on ${os.availableParallelism()} cores (${Object.entries(
          r.seconds,
        )
          .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
          .join(', ')}), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
      );
      if (trainer) {
        const card = r.bundle.backbone.card;
        const rec = protocol.deep.training;
        lines.push(
          `  training: PyTorch ${trainer.torch} on ${trainer.device}, ${rec.folds} folds + final, ${rec.epochs} epochs, ${card.metrics.train.slices} training slices; ` +
            `final model ${(card.training.finalModelSeconds / rec.epochs).toFixed(1)} s per epoch; trainer peak RSS ${trainer.peakRssMiB} MiB; out-of-fold AUC ${trainer.outOfFoldAuc}`,
        );
      }
      const auc = (signature, split) =>
        (signature === 'oracle'
          ? r.metrics.oracle.find((x) => x.split === split)
          : r.metrics.rows.find((x) => x.signature === signature && x.split === split)
        )?.auc.toFixed(3) ?? '–';
      lines.push(
        `  AUC training / validation / external: ${['clinical', 'radiomics', 'mil', 'dlrad', 'combined', 'oracle'].map((s) => `${s} ${auc(s, 'training')} / ${auc(s, 'validation')} / ${auc(s, 'external')}`).join('; ')}`,
      );
    } finally {
      if (!keep) rmSync(out, { recursive: true, force: true });
    }
  } else
    lines.push(
      '  (set HILUM_BENCH_MANIFEST=cohort/manifest.csv to time a whole study with extraction; add HILUM_BENCH_TRAINING=1 to train the backbone in the study)',
    );
  lines.push(
    '  target: a paper-sized study under 60 min on 2 cores with extraction (with in-study training: ≤ 45 min, ≤ 2 GiB); a re-fit with another protocol in minutes',
  );
  return { text: lines.join('\n') };
}
