/**
 * Recalibration of a bundle on a site's own cohort manifest, with its report files: the site's
 * patients scored with the bundle (score-cohort.ts), the combined model recalibrated
 * (signatures/recalibrate-bundle.ts), and the new bundle, calibration.csv and calibration.svg
 * (deciles before and after) written. One implementation for `hilum recalibrate --manifest` and
 * the research page's Recalibrate button.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../core/atomic-write.js';
import { csvLine } from '../core/csv.js';
import { lineChartSvg } from '../report/svg-chart.js';
import { type ModelBundle, writeBundle } from '../signatures/bundle.js';
import { type BundleRecalibration, recalibrateBundle } from '../signatures/recalibrate-bundle.js';
import type { RecalibrationMethod } from '../stats/recalibration.js';
import { scoreCohort } from './score-cohort.js';

export interface SiteRecalibration {
  bundle: ModelBundle;
  recalibration: BundleRecalibration;
  files: { bundle: string; calibrationCsv: string; calibrationSvg: string };
}

/** Scores the site's manifest with `parent`, recalibrates its combined model and writes the new bundle and the calibration report. */
export async function recalibrateOnSiteManifest(
  parent: ModelBundle,
  manifest: string,
  options: { method: RecalibrationMethod; bundleFile: string; reportDir: string; workDir: string; name?: string; jobs?: number },
): Promise<SiteRecalibration> {
  const scored = await scoreCohort(parent, manifest, { workDir: options.workDir, jobs: options.jobs });
  const cohort = { source: path.basename(manifest), sha256: scored.manifestSha256, ids: scored.ids, y: scored.y, linearPredictor: scored.score.combined };
  const { bundle, recalibration } = recalibrateBundle(parent, cohort, options.method, { name: options.name });
  return { bundle, recalibration, files: writeRecalibration(bundle, recalibration, options.bundleFile, options.reportDir) };
}

/** Writes a recalibrated bundle and its calibration report (calibration.csv, calibration.svg in `reportDir`). */
export function writeRecalibration(bundle: ModelBundle, r: BundleRecalibration, bundleFile: string, reportDir: string): SiteRecalibration['files'] {
  mkdirSync(path.dirname(path.resolve(bundleFile)), { recursive: true });
  writeBundle(bundleFile, bundle);
  mkdirSync(reportDir, { recursive: true });
  const files = { bundle: bundleFile, calibrationCsv: path.join(reportDir, 'calibration.csv'), calibrationSvg: path.join(reportDir, 'calibration.svg') };
  writeFileAtomically(files.calibrationCsv, calibrationCsv(r));
  writeFileAtomically(files.calibrationSvg, calibrationSvg(r, bundle.name));
  return files;
}

function calibrationCsv(r: BundleRecalibration): string {
  const head = [
    'when',
    'n',
    'events',
    'observed_rate',
    'mean_predicted',
    'calibration_intercept',
    'calibration_slope',
    'intercept_in_the_large',
    'brier',
    'hl_statistic',
    'hl_p',
  ];
  const line = (when: string, c: BundleRecalibration['before']) =>
    csvLine(
      [
        when,
        c.n,
        c.events,
        c.observedRate,
        c.meanPredicted,
        c.intercept,
        c.slope,
        c.interceptInTheLarge,
        c.brier,
        c.hosmerLemeshow.statistic ?? 'NA',
        c.hosmerLemeshow.p ?? 'NA',
      ].map(String),
    );
  return csvLine(head) + line('before', r.before) + line('after', r.after);
}

function calibrationSvg(r: BundleRecalibration, name: string): string {
  const series = (label: string, c: BundleRecalibration['before']) => ({
    name: label,
    x: c.curve.map((p) => p.predicted),
    y: c.curve.map((p) => p.observed),
    markers: true,
  });
  const slope = Number.isFinite(r.before.slope) ? String(Math.round(r.before.slope * 100) / 100) : 'n/a';
  return lineChartSvg({
    title: `Calibration on ${r.cohort.source} (deciles) — ${name}`,
    xLabel: 'Predicted probability',
    yLabel: 'Observed proportion',
    xRange: [0, 1],
    yRange: [0, 1],
    diagonal: true,
    series: [series(`before (slope ${slope})`, r.before), series(`after ${r.method} recalibration`, r.after)],
  });
}
