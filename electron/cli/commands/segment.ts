import type { Command } from 'commander';
import { HilumError } from '../../engine/core/errors.js';
import { writeImageFile } from '../../engine/imaging/image-files.js';
import { indexToWorld } from '../../engine/imaging/grid.js';
import { loadVolume } from '../../engine/imaging/load.js';
import type { Vec3 } from '../../engine/imaging/vec.js';
import { segmentNodule } from '../../engine/segmentation/index.js';
import { fmt, formatFinding, progressReporter } from '../output.js';

interface SegmentOptions {
  image: string;
  seed: string;
  voxel?: boolean;
  out?: string;
  series?: string;
  maxDiameter: string;
  box?: string;
  json?: boolean;
}

export function registerSegment(program: Command): void {
  program
    .command('segment')
    .description(
      'click-to-segment a lung nodule: from one seed point inside the nodule, write its mask and print its volume (mL), longest axial diameter, solid-component diameter (mm) and CTR',
    )
    .requiredOption('--image <path>', 'the CT: DICOM folder or file, NIfTI or NRRD')
    .requiredOption('--seed <x,y,z>', 'a point inside the nodule: LPS millimetres, or voxel indices with --voxel')
    .option('--voxel', 'the seed is given as voxel indices i,j,k')
    .option('--out <mask>', 'write the mask here (.nii, .nii.gz or .nrrd)')
    .option('--series <n|uid>', 'which series, when the DICOM folder holds several')
    .option('--max-diameter <mm>', 'largest nodule to look for', '40')
    .option(
      '--box <x0,y0,z0,x1,y1,z1>',
      'two opposite corners of a box around the tumour (LPS mm, or voxel indices with --voxel); a tumour larger than the nodule search, or one broadly touching the chest wall or mediastinum, is then segmented as a mass within it',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: SegmentOptions) => {
      const seed = parseSeed(opts.seed);
      const maxDiameterMm = Number(opts.maxDiameter);
      if (!(maxDiameterMm > 0))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--max-diameter must be a positive number of mm, got '${opts.maxDiameter}'` });
      const progress = progressReporter(!opts.json);
      let loaded;
      try {
        loaded = await loadVolume(opts.image, { series: opts.series, onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
      const started = performance.now();
      const corners = opts.box === undefined ? null : parseBox(opts.box);
      const boundingBox =
        corners &&
        (opts.voxel
          ? { minLps: indexToWorld(loaded.volume, corners[0]), maxLps: indexToWorld(loaded.volume, corners[1]) }
          : { minLps: corners[0], maxLps: corners[1] });
      const result = segmentNodule(loaded.volume, {
        seed: opts.voxel ? { voxel: seed } : { worldLps: seed },
        maxDiameterMm,
        boundingBox: boundingBox ?? undefined,
      });
      const seconds = (performance.now() - started) / 1000;
      if (opts.out) writeImageFile(opts.out, result.mask);
      const m = result.measurements;
      if (opts.json) {
        const { mask: _mask, ...rest } = result;
        process.stdout.write(JSON.stringify({ ...rest, seconds, mask: opts.out ?? null }, null, 2) + '\n');
        return;
      }
      const lines = [
        `nodule at voxel ${result.centreVoxel.join(', ')} (seed ${result.seedVoxel.join(', ')})`,
        `  volume                     ${fmt(m.volumeMl, 3)} mL (${m.voxelCount} voxels)`,
        `  longest axial diameter     ${fmt(m.longestAxialDiameterMm, 1)} mm (slice ${m.longestAxialSlice + 1})`,
        `  solid component diameter   ${fmt(m.solidDiameterMm, 1)} mm (≥ ${m.solidThresholdHu} HU)`,
        `  CTR                        ${fmt(m.ctr, 2)}`,
        `  mean HU                    ${fmt(m.meanHu, 0)}`,
        `  time                       ${fmt(seconds, 2)} s`,
        ...result.findings.map((f) => '  ' + formatFinding(f)),
        ...(opts.out ? [`wrote ${opts.out}`] : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

export function parseSeed(text: string): Vec3 {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v)))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--seed must be three numbers x,y,z, got '${text}'` });
  return parts as Vec3;
}

/** `--box x0,y0,z0,x1,y1,z1`: two opposite corners. */
export function parseBox(text: string): [Vec3, Vec3] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 6 || parts.some((v) => !Number.isFinite(v)))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--box must be six numbers x0,y0,z0,x1,y1,z1 (two opposite corners), got '${text}'` });
  return [parts.slice(0, 3) as Vec3, parts.slice(3) as Vec3];
}
