/**
 * Writes a cohort study's results: the paper's table (CSV and Markdown), DeLong comparisons,
 * calibration and decision-curve numbers, per-patient predictions, the selected features and
 * coefficients of every signature, ROC / calibration / decision-curve plots per split and the
 * nomogram (SVG), each harmonised batch's ComBat scale prior (SVG, when the study harmonised), and a
 * machine-readable study.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { csvLine } from '../core/csv.js';
import type { Finding } from '../core/errors.js';
import type { ModelBundle } from '../signatures/bundle.js';
import { SIGNATURE_NAMES, type SignatureName, type SignatureSetFit } from '../signatures/fit-set.js';
import type { SplitName } from '../signatures/split.js';
import type { StudyMetrics } from '../signatures/study-metrics.js';
import { harmonisationPriorSvg } from './harmonisation-plot.js';
import { lineChartSvg, nomogramSvg } from './svg-chart.js';
import { arrayMax } from '../core/array-extent.js';
import { appendAll } from '../core/append-all.js';

export const SIGNATURE_TITLES: Record<SignatureName, string> = {
  clinical: 'Clinical',
  radiomics: 'Radiomics',
  mil: 'MIL (2.5D deep)',
  dlrad: 'DLRad',
  combined: 'Combined (nomogram)',
};
const SPLIT_TITLES: Record<SplitName, string> = { training: 'Training', validation: 'Validation', external: 'External test' };

export interface StudyReportInput {
  out: string;
  ids: string[];
  centres: string[];
  y: number[];
  split: SplitName[];
  latent?: (number | undefined)[];
  fit: SignatureSetFit;
  metrics: StudyMetrics;
  bundle: ModelBundle;
  bundleFile: string;
  findings: Finding[];
  seconds: Record<string, number>;
}

const f3 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const ci = (c: [number, number]) => `${f3(c[0])}–${f3(c[1])}`;
const pValue = (p: number | null) => (p === null ? 'n/a' : p < 0.001 ? '<0.001' : p.toFixed(3));
/** A CSV cell: R's NA for a statistic that is undefined. */
const csvValue = (v: string | number | null) => (v === null ? 'NA' : String(v));
const f2 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

/** The paper-style table as Markdown: one row per signature and split, oracle AUC beside. */
export function metricsMarkdown(metrics: StudyMetrics): string {
  const oracle = new Map(metrics.oracle.map((o) => [o.split, o]));
  const lines = [
    '| Signature | Cohort | n (events) | AUC (95% CI) | Accuracy | Sensitivity | Specificity | PPV | NPV |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of SIGNATURE_NAMES)
    for (const r of metrics.rows.filter((x) => x.signature === s))
      lines.push(
        `| ${SIGNATURE_TITLES[s]} | ${SPLIT_TITLES[r.split]} | ${r.n} (${r.events}) | ${f3(r.auc)} (${ci(r.aucCi)}) | ${f3(r.accuracy)} | ${f3(r.sensitivity)} | ${f3(r.specificity)} | ${f3(r.ppv)} | ${f3(r.npv)} |`,
      );
  if (metrics.oracle.length) {
    for (const o of oracle.values())
      lines.push(`| Oracle (true latent risk) | ${SPLIT_TITLES[o.split as SplitName]} | | ${f3(o.auc)} (${ci(o.aucCi)}) | | | | | |`);
  }
  return lines.join('\n') + '\n';
}

export function writeStudyReport(r: StudyReportInput): string[] {
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const file = path.join(r.out, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  };
  const { metrics, fit, bundle } = r;

  put(
    'table.csv',
    csvLine([
      'signature',
      'cohort',
      'n',
      'events',
      'auc',
      'auc_ci_lower',
      'auc_ci_upper',
      'threshold',
      'accuracy',
      'sensitivity',
      'specificity',
      'ppv',
      'npv',
    ]) +
      metrics.rows
        .map((x) =>
          csvLine(
            [x.signature, x.split, x.n, x.events, x.auc, x.aucCi[0], x.aucCi[1], x.threshold, x.accuracy, x.sensitivity, x.specificity, x.ppv, x.npv].map(
              csvValue,
            ),
          ),
        )
        .join('') +
      metrics.oracle.map((o) => csvLine(['oracle', o.split, '', '', String(o.auc), String(o.aucCi[0]), String(o.aucCi[1]), '', '', '', '', '', ''])).join(''),
  );
  put('table.md', metricsMarkdown(metrics));
  put(
    'delong.csv',
    csvLine(['cohort', 'combined_vs', 'auc_combined', 'auc_other', 'z', 'p']) +
      metrics.delong.map((d) => csvLine([d.split, d.versus, d.aucCombined, d.aucOther, d.z, d.p].map(csvValue))).join(''),
  );
  put(
    'calibration.csv',
    csvLine([
      'signature',
      'cohort',
      'brier',
      'hosmer_lemeshow_chisq',
      'hosmer_lemeshow_df',
      'hosmer_lemeshow_p',
      'calibration_intercept',
      'calibration_slope',
    ]) +
      metrics.calibration
        .map((c) =>
          csvLine([c.signature, c.split, c.brier, c.hosmerLemeshow.statistic, c.hosmerLemeshow.df, c.hosmerLemeshow.p, c.intercept, c.slope].map(csvValue)),
        )
        .join(''),
  );
  put(
    'decision-curves.csv',
    csvLine(['cohort', 'threshold', 'treat_all', ...SIGNATURE_NAMES.map((s) => `net_benefit_${s}`)]) +
      metrics.decisionCurves
        .flatMap((d) =>
          d.curves.combined.thresholds.map((t, k) =>
            csvLine([d.split, String(t), String(d.curves.combined.treatAll[k]), ...SIGNATURE_NAMES.map((s) => String(d.curves[s].netBenefit[k]))]),
          ),
        )
        .join(''),
  );
  put(
    'predictions.csv',
    csvLine([
      'patient_id',
      'centre',
      'split',
      'label',
      ...(r.latent ? ['latent_probability'] : []),
      ...SIGNATURE_NAMES.flatMap((s) => [`${s}_score`, `${s}_probability`]),
    ]) +
      r.ids
        .map((id, i) =>
          csvLine([
            id,
            r.centres[i],
            r.split[i],
            String(r.y[i]),
            ...(r.latent ? [String(r.latent[i] ?? '')] : []),
            ...SIGNATURE_NAMES.flatMap((s) => [String(fit.scores.score[s][i]), String(fit.scores.probability[s][i])]),
          ]),
        )
        .join(''),
  );

  for (const part of metrics.roc) {
    const title = SPLIT_TITLES[part.split];
    const auc = (s: SignatureName) => metrics.rows.find((x) => x.signature === s && x.split === part.split)!.auc;
    put(
      `plots/roc-${part.split}.svg`,
      lineChartSvg({
        title: `ROC — ${title}`,
        xLabel: '1 − specificity',
        yLabel: 'Sensitivity',
        xRange: [0, 1],
        yRange: [0, 1],
        diagonal: true,
        series: SIGNATURE_NAMES.map((s) => ({ name: `${SIGNATURE_TITLES[s]} ${f3(auc(s))}`, x: part.curves[s].fpr, y: part.curves[s].tpr })),
      }),
    );
    const cal = metrics.calibration.filter((c) => c.split === part.split);
    put(
      `plots/calibration-${part.split}.svg`,
      lineChartSvg({
        title: `Calibration (deciles) — ${title}`,
        xLabel: 'Predicted probability',
        yLabel: 'Observed proportion',
        xRange: [0, 1],
        yRange: [0, 1],
        diagonal: true,
        series: cal.map((c) => ({ name: SIGNATURE_TITLES[c.signature], x: c.curve.map((p) => p.predicted), y: c.curve.map((p) => p.observed), markers: true })),
      }),
    );
    const dca = metrics.decisionCurves.find((d) => d.split === part.split)!.curves;
    const maxNb = Math.max(0.05, arrayMax(SIGNATURE_NAMES.flatMap((s) => dca[s].netBenefit)), arrayMax(dca.combined.treatAll));
    const t = dca.combined.thresholds;
    put(
      `plots/decision-curve-${part.split}.svg`,
      lineChartSvg({
        title: `Decision curves — ${title}`,
        xLabel: 'Threshold probability',
        yLabel: 'Net benefit',
        xRange: [0, 1],
        yRange: [-0.05, Math.ceil(maxNb * 20) / 20],
        series: [
          ...SIGNATURE_NAMES.map((s) => ({ name: SIGNATURE_TITLES[s], x: t, y: dca[s].netBenefit })),
          { name: 'Treat all', x: t, y: dca.combined.treatAll, dashed: true },
          { name: 'Treat none', x: t, y: dca.combined.treatNone, dashed: true },
        ],
      }),
    );
  }
  put(
    'plots/nomogram.svg',
    nomogramSvg({
      title: `Nomogram of the combined model${bundle.synthetic ? ' (SYNTHETIC demonstration)' : ''}`,
      axes: bundle.nomogram.axes,
      totalPointsAxis: bundle.nomogram.totalPointsAxis,
      risk: { points: bundle.nomogram.riskAxis.points, risk: bundle.nomogram.riskAxis.risk },
    }),
  );
  const harmonisation = bundle.signatures.harmonisation;
  for (const batch of Object.keys(harmonisation?.batches ?? {})) {
    const svg = harmonisationPriorSvg(harmonisation!, batch);
    if (svg) put(`plots/harmonisation-prior-${batch.replace(/[^A-Za-z0-9_-]/g, '_')}.svg`, svg);
  }
  put('signatures.md', signaturesMarkdown(r));
  put(
    'study.json',
    JSON.stringify(
      {
        bundle: { file: path.basename(r.bundleFile), contentSha256: bundle.contentSha256, synthetic: bundle.synthetic, notice: bundle.notice },
        protocol: bundle.protocol,
        cohorts: bundle.provenance.cohorts,
        metrics: {
          rows: metrics.rows,
          delong: metrics.delong,
          oracle: metrics.oracle,
          thresholds: metrics.thresholds,
          calibration: bundle.metrics.calibration,
        },
        selection: fit.traces,
        clinical: fit.set.clinicalModelling,
        findings: r.findings,
        seconds: r.seconds,
      },
      null,
      1,
    ) + '\n',
  );
  return written;
}

function signaturesMarkdown(r: StudyReportInput): string {
  const { fit, bundle } = r;
  const s = fit.set;
  const lines: string[] = [`# Signatures of ${bundle.name}`, '', bundle.notice, '', `Bundle SHA-256: \`${bundle.contentSha256}\``, ''];
  lines.push('## Clinical: univariable then multivariable logistic regression (training split)', '');
  const logScaled = new Set(s.clinicalEncoding.variables.filter((v) => v.transform === 'log').map((v) => v.column));
  const termName = (name: string) => (logScaled.has(name) ? `ln ${name}` : name);
  lines.push('| Variable | Univariable OR (95% CI) | p | Multivariable OR (95% CI) | p |', '| --- | --- | --- | --- | --- |');
  for (const u of s.clinicalModelling.univariable) {
    const m = s.clinicalModelling.multivariable.find((x) => x.name === u.name);
    lines.push(
      `| ${termName(u.name)}${s.clinicalModelling.independentFactors.includes(u.name) ? ' **(independent)**' : ''} | ${f3(u.oddsRatio)} (${ci(u.oddsRatioCi)}) | ${pValue(u.p)} | ${m ? `${f3(m.oddsRatio)} (${ci(m.oddsRatioCi)})` : ''} | ${m ? pValue(m.p) : ''} |`,
    );
  }
  for (const name of ['radiomics', 'mil', 'dlrad'] as const) {
    const sig = s[name];
    const t = fit.traces[name];
    lines.push('', `## ${SIGNATURE_TITLES[name]}`, '');
    lines.push(
      `${t.candidates} candidates → ${t.droppedConstant.length} constant and ${t.droppedNonFinite.length} non-finite left out → ICC ${t.icc.applied ? `≥ ${t.icc.threshold} on ${t.icc.patients} patients: ${t.icc.kept}` : `not applied (${t.icc.reason})`} → ${t.test.name} p < ${t.test.threshold}: ${t.test.kept} → correlation |r| ≤ ${t.correlation.cutoff}: ${t.correlation.kept} → ${sig.lambdaRule === 'none' ? 'no LASSO: **no feature** (the signature gives every patient the training prevalence)' : `LASSO (${t.lasso.nFolds}-fold CV, ${t.lasso.measure}, ${sig.lambdaRule} λ = ${t.lasso.lambdaUsed.toPrecision(4)}): **${sig.features.length} feature${sig.features.length === 1 ? '' : 's'}**`}.`,
      '',
      `score = ${sig.intercept.toPrecision(6)} + Σ β·z;  P = 1 / (1 + exp(−(${sig.calibration.intercept.toPrecision(5)} + ${sig.calibration.slope.toPrecision(5)}·score)))`,
      '',
      '| Feature | β (per SD) | training mean | training SD |',
      '| --- | --- | --- | --- |',
    );
    sig.features.forEach((f, j) =>
      lines.push(`| ${f} | ${sig.coefficients[j].toPrecision(5)} | ${sig.scaler.mean[j].toPrecision(6)} | ${sig.scaler.sd[j].toPrecision(6)} |`),
    );
  }
  if (logScaled.size)
    lines.push('', `ln: the variable enters the models as its natural logarithm (protocol \`transform: log\`); its odds ratio is per e-fold (×2.72) change.`);
  lines.push('', '## Combined model (nomogram)', '', '| Term | β | OR (95% CI) | p |', '| --- | --- | --- | --- |');
  for (const row of s.combined.table)
    lines.push(`| ${termName(row.name)} | ${row.estimate.toPrecision(5)} | ${f3(row.oddsRatio)} (${ci(row.oddsRatioCi)}) | ${pValue(row.p)} |`);
  lines.push(
    '',
    `Risk categories (combined probability): ${bundle.thresholds.riskCategories.names.map((n, k) => `${n}${k < bundle.thresholds.riskCategories.cutoffs.length ? ` < ${bundle.thresholds.riskCategories.cutoffs[k] * 100}%` : ''}`).join(', ')}.`,
  );
  lines.push(
    '',
    '## DeLong tests: combined vs each signature',
    '',
    '| Cohort | vs | AUC combined | AUC other | z | p |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const d of r.metrics.delong)
    lines.push(`| ${SPLIT_TITLES[d.split]} | ${SIGNATURE_TITLES[d.versus]} | ${f3(d.aucCombined)} | ${f3(d.aucOther)} | ${f2(d.z)} | ${pValue(d.p)} |`);
  lines.push('', '## Calibration', '', '| Signature | Cohort | Brier | Hosmer-Lemeshow χ² (p) | intercept | slope |', '| --- | --- | --- | --- | --- | --- |');
  for (const c of r.metrics.calibration)
    lines.push(
      `| ${SIGNATURE_TITLES[c.signature]} | ${SPLIT_TITLES[c.split]} | ${f3(c.brier)} | ${f2(c.hosmerLemeshow.statistic)} (${pValue(c.hosmerLemeshow.p)}) | ${f3(c.intercept)} | ${f3(c.slope)} |`,
    );
  if (r.findings.length) appendAll(lines, ['', '## Findings', '', ...r.findings.map((f) => `- ${f.severity}: ${f.message}`)]);
  return lines.join('\n') + '\n';
}
