import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { recalibrateOnSiteManifest, writeRecalibration } from '../../engine/pipeline/recalibrate-site.js';
import { type ModelBundle, readBundle } from '../../engine/signatures/bundle.js';
import { type BundleRecalibration, recalibrateBundle, type SiteCohort } from '../../engine/signatures/recalibrate-bundle.js';
import { RECALIBRATION_METHODS, type RecalibrationMethod } from '../../engine/stats/recalibration.js';
import { fmt } from '../output.js';
import { readNumericColumns } from './evaluate.js';

interface RecalibrateOptions {
  bundle: string;
  manifest?: string;
  scores?: string;
  outcome: string;
  lp: string;
  id: string;
  method: string;
  out: string;
  name?: string;
  report?: string;
  work?: string;
  jobs: string;
  json?: boolean;
}

/** The site cohort from a CSV of outcomes and the bundle's combined linear predictor (e.g. a study's predictions.csv). */
function cohortFromScores(file: string, o: RecalibrateOptions): SiteCohort {
  const { y, columns } = readNumericColumns(file, o.outcome, [o.lp]);
  const text = readFileSync(file, 'utf8');
  const header = text.split(/\r?\n/, 1)[0].split(',');
  const idIndex = header.indexOf(o.id);
  const ids = text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l, i) => (idIndex >= 0 ? l.split(',')[idIndex] : `row ${i + 2}`));
  return { source: path.basename(file), sha256: createHash('sha256').update(text).digest('hex'), ids, y, linearPredictor: columns[o.lp] };
}

export function registerRecalibrate(program: Command): void {
  program
    .command('recalibrate')
    .description(
      'recalibrate a model bundle’s combined model on a site’s own cohort (logistic recalibration: intercept only, or intercept and slope) → ' +
        'a new, sealed bundle whose provenance names its parent, with the calibration before and after (table and plot) (docs/study.md)',
    )
    .requiredOption('--bundle <file>', 'the parent model bundle')
    .option('--manifest <file.csv>', 'the site’s cohort manifest (as for hilum study): features are extracted with the bundle’s own settings and backbone')
    .option('--scores <file.csv>', 'or a CSV of the outcome and the bundle’s combined linear predictor per patient (e.g. a study’s predictions.csv)')
    .option('--outcome <column>', 'with --scores: the 0/1 outcome column', 'label')
    .option('--lp <column>', 'with --scores: the combined linear predictor column', 'combined_score')
    .option('--id <column>', 'with --scores: the patient ID column', 'patient_id')
    .option('--method <intercept|intercept-slope>', 'intercept only (glm(y ~ offset(lp))) or intercept and slope (glm(y ~ lp))', 'intercept-slope')
    .requiredOption('--out <bundle.json>', 'write the recalibrated bundle here')
    .option('--name <name>', 'the new bundle’s name (default: the parent’s, -recalibrated)')
    .option('--report <dir>', 'write calibration.csv and calibration.svg (before and after) here (default: beside --out)')
    .option('--work <dir>', 'with --manifest: the feature cache (default: <report dir>/work)')
    .option('--jobs <n>', 'with --manifest: patients extracted in parallel', '2')
    .option('--json', 'print the recalibration as JSON')
    .action(async (o: RecalibrateOptions) => {
      if (!o.manifest === !o.scores) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give either --manifest or --scores (not both)' });
      if (!RECALIBRATION_METHODS.includes(o.method as RecalibrationMethod))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--method must be ${RECALIBRATION_METHODS.join(' or ')}, got '${o.method}'` });
      const parent = readBundle(o.bundle);
      const reportDir = o.report ?? path.dirname(path.resolve(o.out));
      const method = o.method as RecalibrationMethod;
      let bundle: ModelBundle;
      let recalibration: BundleRecalibration;
      if (o.manifest)
        ({ bundle, recalibration } = await recalibrateOnSiteManifest(parent, o.manifest, {
          method,
          bundleFile: o.out,
          reportDir,
          workDir: o.work ?? path.join(reportDir, 'work'),
          name: o.name,
          jobs: Number(o.jobs),
        }));
      else {
        ({ bundle, recalibration } = recalibrateBundle(parent, cohortFromScores(o.scores!, o), method, { name: o.name }));
        writeRecalibration(bundle, recalibration, o.out, reportDir);
      }
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ bundle: o.out, name: bundle.name, contentSha256: bundle.contentSha256, parent: bundle.provenance.parent, recalibration }, null, 1) +
            '\n',
        );
        return;
      }
      const r = recalibration;
      const row = (label: string, c: BundleRecalibration['before']) =>
        `  ${label.padEnd(7)} mean predicted ${fmt(c.meanPredicted, 3)} (observed ${fmt(c.observedRate, 3)}), calibration intercept ${fmt(c.intercept, 3)}, slope ${fmt(c.slope, 3)}, ` +
        `in the large ${fmt(c.interceptInTheLarge, 3)}, Brier ${fmt(c.brier, 4)}, Hosmer-Lemeshow p ${c.hosmerLemeshow.p === null ? '–' : fmt(c.hosmerLemeshow.p, 4)}`;
      process.stdout.write(
        [
          `recalibrated ${parent.name} ${parent.contentSha256.slice(0, 12)}… on ${r.cohort.source} (${r.cohort.patients} patients, ${r.cohort.events} events)`,
          `  logit P = ${fmt(r.intercept, 4)} + ${fmt(r.slope, 4)} · lp  (${r.method}; SE ${fmt(r.interceptSe, 4)}${r.slopeSe === null ? '' : `, ${fmt(r.slopeSe, 4)}`})`,
          row('before', r.before),
          row('after', r.after),
          `  bundle  ${o.out}: ${bundle.name} ${bundle.contentSha256} (parent ${parent.contentSha256})`,
          `  report  ${path.join(reportDir, 'calibration.csv')}, calibration.svg`,
        ].join('\n') + '\n',
      );
    });
}
