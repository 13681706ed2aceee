// Second half of the recipe (after train_backbone.py): runs every bag through the exported backbone
// with ONNX Runtime (as the app will), fits the multi-instance aggregation (PLH bins, BoW vocabulary
// and IDF) on centre A's training split only, writes it as mil.json beside the model, and evaluates
// a MIL signature — a LASSO logistic model (10-fold CV, λ at minimum deviance) on the MIL features —
// on the training split, centre A's held-out split and centre B, beside the cohort's oracle AUC.
//
//   node models/training/fit_mil.mjs --bags DIR --model DIR [--cohort DIR] [--split split.csv]
//
// Runs the compiled engine (npm run build:engine).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { inferBag, openBackbone } from '../../dist/electron/engine/deep/backbone-session.js';
import { fitMil, transformMil } from '../../dist/electron/engine/deep/mil.js';
import { loadBackbone, readOutOfFold } from '../../dist/electron/engine/deep/model-card.js';
import { crossValidateLasso } from '../../dist/electron/engine/stats/lasso/cross-validation.js';
import { delongAuc } from '../../dist/electron/engine/stats/delong.js';
import { rocCurve } from '../../dist/electron/engine/stats/roc.js';

const { values: args } = parseArgs({
  options: {
    bags: { type: 'string' },
    model: { type: 'string' },
    cohort: { type: 'string' },
    split: { type: 'string' },
    'train-centre': { type: 'string', default: 'A' },
  },
});
if (!args.bags || !args.model) {
  process.stderr.write('usage: node models/training/fit_mil.mjs --bags DIR --model DIR [--cohort DIR]\n');
  process.exit(2);
}

/** The study's split (split.csv from `hilum study --split-only`) when given, as train_backbone.py used it. */
const studySplit = args.split ? readSplit(args.split) : null;

/** patient_id → train / heldout / external from a split.csv (columns patient_id and split). */
function readSplit(file) {
  const [header, ...lines] = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const id = header.indexOf('patient_id');
  const split = header.indexOf('split');
  const names = { training: 'train', validation: 'heldout', external: 'external' };
  return new Map(lines.map((f) => [f[id], names[f[split]]]));
}

/** Without a split file, the recipe's own: centre A 70/30 by SHA-256 of the patient id, other centres external. */
function splitOf(c) {
  if (studySplit) return studySplit.get(c.id);
  if (c.centre !== args['train-centre']) return 'external';
  return parseInt(createHash('sha256').update(c.id).digest('hex').slice(0, 8), 16) / 2 ** 32 < 0.7 ? 'train' : 'heldout';
}

const index = JSON.parse(readFileSync(path.join(args.bags, 'index.json'), 'utf8'));
const buffer = readFileSync(path.join(args.bags, 'bags.f32'));
const data = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
const backbone = loadBackbone(args.model);
const open = await openBackbone(backbone, ['cpu'], 2);

const patients = [];
for (const c of index.cases) {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const out = await inferBag(open, { data: data.slice(c.offset, c.offset + n), shape: c.shape });
  patients.push({ ...c, split: splitOf(c), probabilities: out.probabilities, features: out.features });
}
// Training patients use the backbone's out-of-fold outputs when it has them (cross-fitting), as `hilum study` does.
const oof = readOutOfFold(backbone);
for (const p of patients) if (p.split === 'train' && oof.has(p.id)) p.probabilities = oof.get(p.id).p;
const training = patients.filter((p) => p.split === 'train');
if (oof.size) process.stdout.write(`training patients: out-of-fold outputs (${backbone.card.outOfFold.folds} folds)\n`);
const mil = fitMil(
  training.map((p) => ({ probabilities: p.probabilities })),
  { plhBins: 10, words: 8 },
);
writeFileSync(
  path.join(args.model, 'mil.json'),
  JSON.stringify({ fittedOn: `centre ${args['train-centre']} training split (${training.length} patients)`, ...mil }, null, 1) + '\n',
);

const rows = patients.map((p) => ({ ...p, mil: transformMil(mil, { probabilities: p.probabilities }) }));
const trainRows = rows.filter((r) => r.split === 'train');
// Features constant on the training split (a histogram bin no training slice falls in) carry nothing.
const names = Object.keys(rows[0].mil).filter((f) => new Set(trainRows.map((r) => r.mil[f])).size > 1);
const columns = (subset) => Object.fromEntries(names.map((f) => [f, Float64Array.from(subset, (r) => r.mil[f])]));
const cv = crossValidateLasso({ y: Float64Array.from(trainRows, (r) => r.label), x: columns(trainRows) }, names, {
  nFolds: Math.min(10, Math.floor(trainRows.length / 3)),
  seed: 1,
});
const coef = cv.coefficientsMin;
const score = (r) => coef['(Intercept)'] + names.reduce((s, f) => s + (coef[f] ?? 0) * r.mil[f], 0);

// The oracle: the cohort's true latent probabilities (phantom only), when the cohort folder is given.
const latent = new Map();
if (args.cohort) {
  const lines = readFileSync(path.join(args.cohort, 'manifest.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    latent.set(f[header.indexOf('patient_id')], Number(f[header.indexOf('latent_probability')]));
  }
}

const evaluation = {};
for (const split of ['train', 'heldout', 'external']) {
  const subset = rows.filter((r) => r.split === split);
  if (!subset.length) continue;
  const y = subset.map((r) => r.label);
  const auc = (x) => delongAuc(rocCurve(y, x, { direction: '<' }));
  const mil = auc(subset.map(score));
  const meanProbability = auc(subset.map((r) => r.probabilities.reduce((a, b) => a + b, 0) / r.probabilities.length));
  const oracle = latent.size ? auc(subset.map((r) => latent.get(r.id))) : null;
  const fmt = (a) => (a ? `${a.auc.toFixed(3)} (${a.ci[0].toFixed(3)}–${a.ci[1].toFixed(3)})` : 'n/a');
  evaluation[split] = {
    patients: subset.length,
    events: y.filter((v) => v === 1).length,
    milAuc: +mil.auc.toFixed(4),
    milAuc95: [+mil.ci[0].toFixed(4), +mil.ci[1].toFixed(4)],
    meanSliceProbabilityAuc: +meanProbability.auc.toFixed(4),
    oracleAuc: oracle ? +oracle.auc.toFixed(4) : null,
  };
  process.stdout.write(
    `${split.padEnd(9)} ${String(subset.length).padStart(4)} patients  MIL signature AUC ${fmt(mil)}  mean slice probability ${fmt(meanProbability)}  oracle ${fmt(oracle)}\n`,
  );
}
process.stdout.write(`MIL LASSO: ${cv.selected1se.length} features at λ1se, ${Object.values(coef).filter((v, i) => i > 0 && v !== 0).length} at λmin\n`);
const cardPath = path.join(args.model, 'card.json');
const card = JSON.parse(readFileSync(cardPath, 'utf8'));
card.milEvaluation = {
  method: 'LASSO logistic regression (10-fold CV, λ at minimum deviance) on the MIL features (PLH 10 bins, BoW 8 words), fitted on the training split',
  coefficients: coef,
  ...evaluation,
};
writeFileSync(cardPath, JSON.stringify(card, null, 1) + '\n');
await open.session.release();
