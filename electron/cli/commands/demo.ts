import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../engine/core/version.js';
import { readImageFile, writeImageFile } from '../../engine/imaging/image-files.js';
import { findAxisPermutation, gridsMatch } from '../../engine/imaging/grid.js';
import { labelCounts } from '../../engine/imaging/volume.js';
import { chooseSeries, describeSeriesLine, loadSeriesVolume, scanDicom } from '../../engine/imaging/dicom/import.js';
import { TRANSFER_SYNTAX_NAMES } from '../../engine/imaging/dicom/tags.js';
import { importMask } from '../../engine/imaging/mask-import.js';
import { loadVolume } from '../../engine/imaging/load.js';
import { ensureDemoCase } from '../../engine/phantom/index.js';
import { dice, segmentNodule } from '../../engine/segmentation/index.js';
import { fmt, formatFinding, progressReporter } from '../output.js';

export function demoPaths() {
  const demo = path.join(projectRoot(), 'resources', 'demo');
  return { series: path.join(demo, 'ct_series_siemens_j2k_20'), mask: path.join(demo, 'ct_series_siemens_j2k_20_mask_totalseg.nii.gz') };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the bedside workflow on the demo data. It imports the bundled real CT series (20 JPEG 2000 slices of a Siemens scan), checks its geometry, ' +
        'places the bundled NIfTI mask on it and writes both as NIfTI; then it generates the synthetic demo patient (a full-field-of-view chest CT with a part-solid nodule, on first use), ' +
        'clicks on the nodule, segments and measures it and compares the mask with the ground truth. Prediction and the report join in later versions.',
    )
    .option('--out <dir>', 'folder for the demo outputs', 'hilum-demo-output')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { out: string; json?: boolean }) => {
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
      const bedside = await bedsideDemo(opts.out);
      const summary = {
        bedside,
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
        `Bedside demo patient (${bedside.notice}) — ${bedside.series}`,
        `  click        (${bedside.clickLps.map((v) => fmt(v, 1)).join(', ')}) mm, the nodule's centre`,
        `  nodule       ${fmt(bedside.volumeMl, 2)} mL, longest axial diameter ${fmt(bedside.longestAxialDiameterMm, 1)} mm, solid ${fmt(bedside.solidDiameterMm, 1)} mm, CTR ${fmt(bedside.ctr, 2)}`,
        `  segmentation ${fmt(bedside.segmentSeconds, 2)} s, Dice ${fmt(bedside.diceVsTruth, 3)} against the phantom's ground truth`,
        `  wrote        ${bedside.maskOut}`,
        '',
        'Risk prediction and the PDF report are not part of this version yet.',
        'The model Hilum will ship is a demonstration trained on synthetic data; it is not for clinical use.',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** The bedside steps on the synthetic demo patient: load its series, click on the nodule, segment, measure, compare with the truth. */
async function bedsideDemo(outDir: string) {
  const demo = await ensureDemoCase();
  const ct = (await loadVolume(demo.seriesDir)).volume;
  const truth = (await loadVolume(demo.maskPath)).volume;
  const started = performance.now();
  const result = segmentNodule(ct, { seed: { worldLps: demo.noduleCentreLps } });
  const segmentSeconds = (performance.now() - started) / 1000;
  const maskOut = path.join(outDir, 'demo-patient-nodule-mask.nii.gz');
  writeImageFile(maskOut, result.mask);
  const m = result.measurements;
  return {
    notice: demo.notice,
    series: `${ct.dims.join(' × ')} voxels, ${ct.spacingMm.map((s) => fmt(s, 2)).join(' × ')} mm`,
    seriesDir: demo.seriesDir,
    clickLps: demo.noduleCentreLps,
    volumeMl: m.volumeMl,
    longestAxialDiameterMm: m.longestAxialDiameterMm,
    solidDiameterMm: m.solidDiameterMm,
    ctr: m.ctr,
    segmentSeconds,
    diceVsTruth: dice(
      result.mask.voxels,
      Uint8Array.from(truth.voxels, (v) => (v ? 1 : 0)),
    ),
    maskOut,
  };
}
