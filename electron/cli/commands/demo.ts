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
import { fmt, formatFinding, progressReporter } from '../output.js';

export function demoPaths() {
  const demo = path.join(projectRoot(), 'resources', 'demo');
  return { series: path.join(demo, 'ct_series_siemens_j2k_20'), mask: path.join(demo, 'ct_series_siemens_j2k_20_mask_totalseg.nii.gz') };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the bedside workflow on the bundled demo case. This version imports the bundled real CT series (20 JPEG 2000 slices of a Siemens scan), checks its geometry, ' +
        'places the bundled NIfTI mask on it and writes both as NIfTI. Segmentation, prediction and the report join in later versions.',
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
      const summary = {
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
        'Nodule segmentation, risk prediction and the PDF report are not part of this version yet.',
        'The model Hilum will ship is a demonstration trained on synthetic data; it is not for clinical use.',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
