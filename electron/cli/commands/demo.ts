import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shippedDataRoot } from '../../engine/core/version.js';
import { readImageFile, writeImageFile } from '../../engine/imaging/image-files.js';
import { findAxisPermutation, gridsMatch } from '../../engine/imaging/grid.js';
import { labelCounts } from '../../engine/imaging/volume.js';
import { chooseSeries, describeSeriesLine, loadSeriesVolume, scanDicom } from '../../engine/imaging/dicom/import.js';
import { TRANSFER_SYNTAX_NAMES } from '../../engine/imaging/dicom/tags.js';
import { importMask } from '../../engine/imaging/mask-import.js';
import { loadVolume } from '../../engine/imaging/load.js';
import { ensureDemoCase } from '../../engine/phantom/index.js';
import { dice } from '../../engine/segmentation/index.js';
import { fmt, formatFinding, progressReporter } from '../output.js';
import { HilumError } from '../../engine/core/errors.js';
import { DEMO_BUNDLE_FILE, runBedside } from '../../engine/pipeline/bedside-run.js';
import { demoClinicalInput } from '../../engine/phantom/demo-case.js';
import type { PaperSize } from '../../engine/report/patient-report.js';
import type { ReportLang } from '../../engine/report/report-strings.js';
import { describePrediction, predictionSummary } from './predict.js';

export function demoPaths() {
  const demo = path.join(shippedDataRoot(), 'resources', 'demo');
  return { series: path.join(demo, 'ct_series_siemens_j2k_20'), mask: path.join(demo, 'ct_series_siemens_j2k_20_mask_totalseg.nii.gz') };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the bedside workflow on the demo data. It imports the bundled real CT series (20 JPEG 2000 slices of a Siemens scan), checks its geometry, ' +
        'places the bundled NIfTI mask on it and writes both as NIfTI; then it generates the synthetic demo patient (a full-field-of-view chest CT with a part-solid nodule, on first use), ' +
        'clicks on the nodule, segments and measures it, compares the mask with the ground truth, predicts the risk of occult nodal metastasis with the shipped ' +
        'demonstration bundle (trained on synthetic data), stores the case in a case store and writes the PDF report and its DICOM outputs.',
    )
    .option('--out <dir>', 'folder for the demo outputs', 'hilum-demo-output')
    .option('--lang <en|zh-CN>', 'report language', 'en')
    .option('--paper <A4|Letter>', 'report paper size', 'A4')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { out: string; lang: string; paper: string; json?: boolean }) => {
      if (!['en', 'zh-CN'].includes(opts.lang)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--lang must be en or zh-CN, got '${opts.lang}'` });
      if (!['A4', 'Letter'].includes(opts.paper))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--paper must be A4 or Letter, got '${opts.paper}'` });
      const { series: seriesPath, mask: maskPath } = demoPaths();
      const progress = progressReporter(!opts.json);
      const started = performance.now();
      let loaded;
      let scan;
      try {
        scan = await scanDicom(seriesPath, { onProgress: progress.onProgress });
        loaded = await loadSeriesVolume(chooseSeries(scan), { onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
      const importSeconds = (performance.now() - started) / 1000;
      const { volume, series } = loaded;
      const maskFile = readImageFile(maskPath);
      const reoriented = !gridsMatch(maskFile.image, volume) && findAxisPermutation(maskFile.image, volume) !== null;
      const counts = [...labelCounts(maskFile.image.voxels)].filter(([l]) => l !== 0).sort((a, b) => b[1] - a[1]);
      const largest = counts[0][0];
      const mask = await importMask(maskPath, volume, { label: largest });
      mkdirSync(opts.out, { recursive: true });
      const ctOut = path.join(opts.out, 'demo-ct.nii.gz');
      const maskOut = path.join(opts.out, `demo-mask-label${largest}.nii.gz`);
      writeImageFile(ctOut, volume);
      writeImageFile(maskOut, mask.mask);
      const bedside = await bedsideDemo(opts.out, opts.lang as ReportLang, opts.paper as PaperSize);
      const m = bedside.run.record.segmentation;
      const summary = {
        bedside: {
          notice: bedside.notice,
          seriesDir: bedside.seriesDir,
          clinicalFile: bedside.clinicalFile,
          volumeMl: m.volumeMl,
          longestAxialDiameterMm: m.longestAxialDiameterMm,
          solidDiameterMm: m.solidDiameterMm,
          ctr: m.ctr,
          diceVsTruth: bedside.diceVsTruth,
          maskOut: bedside.maskOut,
          prediction: predictionSummary(bedside.run),
        },
        series: describeSeriesLine(series),
        transferSyntaxes: series.transferSyntaxes.map((t) => TRANSFER_SYNTAX_NAMES[t] ?? t),
        dims: volume.dims,
        spacingMm: volume.spacingMm,
        originLps: volume.originLps,
        voxelType: volume.voxels.constructor.name,
        hu: loaded.statistics,
        warnings: [...scan.findings, ...loaded.findings],
        importSeconds,
        mask: { file: path.basename(maskPath), reorientedExactly: reoriented, labels: counts.length, largestLabel: largest, largestLabelVoxels: counts[0][1] },
        outputs: [ctOut, maskOut],
      };
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const lines = [
        'Hilum demo — bundled CT series (a public Siemens scan of the upper abdomen and lung bases; not a lung-nodule case)',
        '',
        `  series       ${summary.series}`,
        `  encoding     ${summary.transferSyntaxes.join(', ')}`,
        `  volume       ${volume.dims.join(' × ')} voxels (${summary.voxelType}), spacing ${volume.spacingMm.map((s) => fmt(s, 4)).join(' × ')} mm`,
        `  origin LPS   ${volume.originLps.map((s) => fmt(s, 2)).join(', ')} mm`,
        `  HU           min ${fmt(loaded.statistics.minHu)}, max ${fmt(loaded.statistics.maxHu)}, mean ${fmt(loaded.statistics.meanHu)}`,
        `  import       ${fmt(importSeconds, 2)} s`,
        `  mask         ${summary.mask.file}: ${counts.length} labels${reoriented ? ', stored with a flipped axis and re-indexed exactly onto the CT grid' : ''}; label ${largest} has ${counts[0][1]} voxels`,
        ...summary.warnings.map((f) => '  ' + formatFinding(f)),
        '',
        `  wrote        ${ctOut}`,
        `               ${maskOut}`,
        '',
        `Bedside demo patient (${bedside.notice}) — clicked on the nodule; Dice ${fmt(bedside.diceVsTruth, 3)} against the phantom's ground truth`,
        describePrediction(bedside.run),
        '',
        `The PDF report is at ${path.resolve(bedside.run.report.file)}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/**
 * The bedside workflow on the synthetic demo patient: click on the nodule, segment and measure it,
 * compare the mask with the phantom's truth, then predict with the shipped demonstration bundle,
 * store the case and write the PDF report and its DICOM outputs.
 */
async function bedsideDemo(outDir: string, lang: ReportLang, paper: PaperSize) {
  const demo = await ensureDemoCase();
  const clinicalFile = path.join(outDir, 'demo-patient-clinical.json');
  writeFileSync(clinicalFile, JSON.stringify(demoClinicalInput(demo), null, 2) + '\n');
  const reportFile = path.join(outDir, lang === 'en' ? 'demo-report.pdf' : `demo-report.${lang}.pdf`);
  const run = await runBedside({
    image: demo.seriesDir,
    seedLps: demo.noduleCentreLps,
    clinical: clinicalFile,
    bundleFile: DEMO_BUNDLE_FILE(),
    db: path.join(outDir, 'hilum-demo.sqlite'),
    reportFile,
    dicomOut: path.join(outDir, 'dicom'),
    structuredReport: true,
    lang,
    paper,
  });
  const maskOut = path.join(outDir, 'demo-patient-nodule-mask.nii.gz');
  writeImageFile(maskOut, run.mask);
  const truth = (await loadVolume(demo.maskPath)).volume;
  const diceVsTruth = dice(
    run.mask.voxels,
    Uint8Array.from(truth.voxels, (v) => (v ? 1 : 0)),
  );
  return { notice: demo.notice, seriesDir: demo.seriesDir, clinicalFile, run, diceVsTruth, maskOut };
}
