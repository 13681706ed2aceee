import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { HilumError } from '../../engine/core/errors.js';
import { imageFileFormat, writeImageFile } from '../../engine/imaging/image-files.js';
import { importMask } from '../../engine/imaging/mask-import.js';
import { loadVolume } from '../../engine/imaging/load.js';
import { type ImportProgress, chooseSeries, scanDicom, loadSeriesVolume } from '../../engine/imaging/dicom/import.js';
import { readDicomSeg, segOwnGrid, segToMasks } from '../../engine/imaging/dicom/seg-read.js';
import { writeDicomSeg } from '../../engine/imaging/dicom/seg-write.js';
import { sniffDicom } from '../../engine/imaging/dicom/parse.js';
import { readFileSync } from 'node:fs';
import { formatFinding, progressReporter } from '../output.js';

interface ConvertOptions {
  series?: string;
  reference?: string;
  label?: string;
  resampleSlices?: string;
  deshear?: boolean;
  resampleMask?: string;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description(
      'convert between DICOM, NIfTI, NRRD and DICOM-SEG. A CT (DICOM folder/file, .nii[.gz], .nrrd) becomes .nii[.gz] or .nrrd; ' +
        'a mask (.nii[.gz], .nrrd or DICOM-SEG) given with --reference becomes a mask on that CT grid (.nii[.gz], .nrrd) or a binary DICOM-SEG (OUT ending in .dcm)',
    )
    .argument('<in>', 'input: DICOM folder or file, NIfTI, NRRD, or a DICOM-SEG')
    .argument('<out>', 'output: .nii, .nii.gz, .nrrd, or .dcm (DICOM-SEG, needs --reference)')
    .option('--series <n|uid>', 'which series, when the DICOM input holds several')
    .option('--reference <ct>', 'the CT (DICOM folder) a mask belongs to; the mask is placed on its grid')
    .option('--label <n>', 'the label (or SEG segment number) to take from a multi-label mask')
    .option('--resample-slices <mm>', 'resample unevenly spaced slices to this spacing (explicit; never done silently)')
    .option('--deshear', 'resample a gantry-tilted series onto an orthogonal grid (explicit; never done silently)')
    .option('--resample-mask <method>', "place a mask from another grid with 'nearest' neighbour resampling (explicit)")
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const progress = progressReporter(true);
      try {
        await convert(input, output, opts, progress.onProgress);
      } finally {
        progress.stop();
      }
    });
}

function isDicomSegFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    const head = readFileSync(p).subarray(0, 1 << 16);
    return sniffDicom(head) !== 'not-dicom' && head.includes(Buffer.from('1.2.840.10008.5.1.4.1.1.66'));
  } catch {
    return false;
  }
}

async function convert(input: string, output: string, opts: ConvertOptions, onProgress: (p: ImportProgress) => void): Promise<void> {
  const label = opts.label === undefined ? undefined : parseInteger(opts.label, '--label');
  const toSeg = /\.dcm$/i.test(output);
  if (!toSeg && !imageFileFormat(output))
    throw new HilumError({ code: 'UNKNOWN_FILE_TYPE', message: `${output}: the output must end in .nii, .nii.gz, .nrrd or .dcm (DICOM-SEG)` });

  if (opts.reference) {
    const scan = await scanDicom(opts.reference, { onProgress });
    const series = chooseSeries(scan, opts.series);
    const ct = await loadSeriesVolume(series, { onProgress });
    const imported = await importMask(input, ct.volume, { label, resample: opts.resampleMask === 'nearest' ? 'nearest' : 'none' });
    for (const f of imported.findings) process.stderr.write(formatFinding(f) + '\n');
    if (toSeg) writeDicomSeg(output, imported.mask, series, { algorithmType: 'MANUAL' });
    else writeImageFile(output, imported.mask);
    const voxels = imported.mask.voxels.reduce((a, b) => a + b, 0);
    process.stdout.write(`wrote ${output}: label ${imported.label}, ${voxels} voxels on the ${ct.volume.dims.join('×')} grid of series ${series.id}\n`);
    return;
  }
  if (toSeg) throw new HilumError({ code: 'REFERENCE_REQUIRED', message: 'writing a DICOM-SEG needs the CT it belongs to: add --reference CT_FOLDER' });

  if (isDicomSegFile(input)) {
    const seg = await readDicomSeg(input);
    const grid = segOwnGrid(seg);
    const { masks } = segToMasks(seg, grid);
    const numbers = [...masks.keys()];
    const chosen = label ?? (numbers.length === 1 ? numbers[0] : undefined);
    if (chosen === undefined || !masks.has(chosen))
      throw new HilumError({
        code: chosen === undefined ? 'MASK_MULTIPLE_LABELS' : 'MASK_LABEL_NOT_FOUND',
        message: `${input} holds segments ${seg.segments.map((s) => `${s.number} "${s.label}"`).join(', ')}; choose one with --label N`,
      });
    writeImageFile(output, masks.get(chosen) as NonNullable<ReturnType<typeof masks.get>>);
    process.stdout.write(`wrote ${output}: segment ${chosen} on the segmentation's own ${grid.dims.join('×')} grid\n`);
    return;
  }

  const loaded = await loadVolume(input, {
    series: opts.series,
    regularizeSliceSpacingMm: opts.resampleSlices === undefined ? undefined : parsePositive(opts.resampleSlices, '--resample-slices'),
    deshear: opts.deshear,
    onProgress,
  });
  for (const f of loaded.findings) process.stderr.write(formatFinding(f) + '\n');
  writeImageFile(output, loaded.volume);
  process.stdout.write(`wrote ${output}: ${loaded.volume.dims.join('×')} voxels, spacing ${loaded.volume.spacingMm.map((s) => +s.toFixed(4)).join('×')} mm\n`);
}

function parseInteger(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag} must be a whole number ≥ 0, got '${s}'` });
  return n;
}

function parsePositive(s: string, flag: string): number {
  const n = Number(s);
  if (!(n > 0) || !Number.isFinite(n))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag} must be a positive number of millimetres, got '${s}'` });
  return n;
}
