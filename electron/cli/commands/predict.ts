import type { Command } from 'commander';
import { HilumError } from '../../engine/core/errors.js';
import { type BedsideRunResult, runBedside } from '../../engine/pipeline/bedside-run.js';
import { categoryLabel, formatPercent, type PaperSize } from '../../engine/report/patient-report.js';
import { riskWording } from '../../engine/report/risk-wording.js';
import type { ReportLang } from '../../engine/report/report-strings.js';
import { fmt } from '../output.js';
import { parseSeed } from './segment.js';

interface PredictOptions {
  image: string;
  series?: string;
  mask?: string;
  seed?: string;
  clinical: string;
  model?: string;
  db?: string;
  copyImages?: boolean;
  out: string;
  dicomOut?: string;
  lang: string;
  paper: string;
  json?: boolean;
}

const LANGS = ['en', 'zh-CN'];
const PAPERS = ['A4', 'Letter'];

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description(
      'estimate one patient’s risk of occult lymph node metastasis: CT + nodule (mask or a click) + clinical data → every signature of the model bundle → ' +
        'calibrated probability with 95 % interval and risk category → PDF report (and, with --db, stored in the case store; with --dicom-out, DICOM for PACS). ' +
        'Decision support; does not replace pathological nodal staging.',
    )
    .requiredOption('--image <path>', 'the CT: DICOM folder or file, NIfTI or NRRD')
    .option('--mask <path>', 'the nodule mask (NIfTI, NRRD or DICOM-SEG) on the CT')
    .option('--seed <x,y,z>', 'or a point inside the nodule (LPS mm): Hilum segments it')
    .requiredOption('--clinical <file.json>', 'clinical data, format hilum-clinical/1 (see docs/predict.md)')
    .option('--model <bundle>', 'model bundle file (default: the case store’s active bundle, else the shipped demonstration bundle)')
    .option('--db <file>', 'case store (SQLite): store the case, the prediction and the report')
    .option('--copy-images', 'with --db: copy the images into the store’s managed folder (hilum-images/ beside it) instead of referencing them where they are')
    .requiredOption('--out <report.pdf>', 'write the PDF report here')
    .option(
      '--dicom-out <dir>',
      'also write the report as DICOM Encapsulated PDF, the mask as DICOM-SEG and the measurements and risk as a DICOM SR (TID 1500) (needs a DICOM series)',
    )
    .option('--series <n|uid>', 'which series, when the DICOM folder holds several')
    .option('--lang <en|zh-CN>', 'report language', 'en')
    .option('--paper <A4|Letter>', 'report paper size', 'A4')
    .option('--json', 'print the prediction record as JSON')
    .action(async (opts: PredictOptions) => {
      if (opts.copyImages && !opts.db)
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--copy-images needs --db (the images are copied beside the case store)' });
      if (!opts.mask === !opts.seed) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give either --mask or --seed (not both)' });
      if (!LANGS.includes(opts.lang))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--lang must be one of ${LANGS.join(', ')}, got '${opts.lang}'` });
      if (!PAPERS.includes(opts.paper)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--paper must be A4 or Letter, got '${opts.paper}'` });
      const result = await runBedside({
        image: opts.image,
        series: opts.series,
        mask: opts.mask,
        seedLps: opts.seed ? parseSeed(opts.seed) : undefined,
        clinical: opts.clinical,
        bundleFile: opts.model,
        db: opts.db,
        imageStorage: opts.copyImages ? 'managed' : 'referenced',
        reportFile: opts.out,
        dicomOut: opts.dicomOut,
        structuredReport: true,
        lang: opts.lang as ReportLang,
        paper: opts.paper as PaperSize,
        onStep: opts.json ? undefined : (step, seconds) => process.stderr.write(`  ${step.padEnd(11)} ${fmt(seconds, 2)} s\n`),
      });
      if (result.gpuNotice && !opts.json) process.stderr.write(`  note: ${result.gpuNotice}\n`);
      process.stdout.write(opts.json ? JSON.stringify(predictionSummary(result), null, 2) + '\n' : describePrediction(result) + '\n');
    });
}

/** The JSON printed by `predict --json` (and `demo --json`): the record, where things were written, timings and peak memory. */
export function predictionSummary(r: BedsideRunResult) {
  return {
    record: r.record,
    bundleSource: r.bundleSource,
    report: r.report,
    stored: r.stored,
    dicom: r.dicom,
    timings: r.timings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** The human summary of a bedside run. */
export function describePrediction(r: BedsideRunResult): string {
  const rec = r.record;
  const lines = [`Hilum risk of occult lymph node metastasis — ${rec.case.patientPseudonym}`];
  if (rec.bundle.synthetic) lines.push(`  !! ${rec.bundle.notice}`);
  if (rec.result) {
    const [lo, hi] = rec.result.interval95;
    lines.push(
      `  probability   ${formatPercent(rec.result.probability)} (95 % interval ${formatPercent(lo)}–${formatPercent(hi)}), ${categoryLabel(rec.result.category, 'en')}`,
      `  cut-offs      ${riskWording(rec.result, 'en').cutoffs}`,
      '  signatures    ' + rec.signatures.map((s) => `${s.name} ${fmt(s.score, 2)} (p${Math.round(s.scorePercentile)})`).join(', '),
    );
  } else lines.push('  NO PREDICTION: the case is outside what this model may be used for.');
  const seg = rec.segmentation;
  lines.push(
    `  nodule        ${fmt(seg.volumeMl, 2)} mL, ${fmt(seg.longestAxialDiameterMm, 1)} mm, solid ${fmt(seg.solidDiameterMm, 1)} mm, CTR ${fmt(seg.ctr, 2)} (${seg.method === 'click' ? 'click-to-segment' : 'given mask'})`,
  );
  for (const w of rec.warnings) lines.push(`  ${w.severity === 'refusal' ? 'REFUSED' : 'warning'}: ${w.message}`);
  lines.push(
    `  model         ${rec.bundle.name} ${rec.bundle.contentSha256} (${r.bundleSource})`,
    `  engine        ${rec.engineVersion}, ONNX Runtime provider ${rec.provider}; inputs ${rec.inputsSha256}`,
    `  report        ${r.report.file} (${r.report.pages} pages, ${r.report.reportId}, SHA-256 ${r.report.sha256.slice(0, 16)}…)`,
  );
  if (r.stored) lines.push(`  stored        ${r.stored.db}: prediction ${r.stored.predictionId}`);
  if (r.dicom) lines.push(`  DICOM         ${r.dicom.reportFile}`, `                ${r.dicom.segFile}`);
  if (r.dicom?.srFile) lines.push(`                ${r.dicom.srFile}`);
  lines.push('Decision support; does not replace pathological nodal staging.');
  return lines.join('\n');
}
