import type { Command } from 'commander';
import { inspectPath, type InspectReport } from '../../engine/imaging/inspect.js';
import { fmt, formatFinding, progressReporter } from '../output.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'describe the CT series, images and segmentations at PATH (a DICOM folder or file, NIfTI or NRRD): geometry, HU statistics, transfer syntaxes and every warning',
    )
    .argument('<path>', 'DICOM folder or file, .nii/.nii.gz, .nrrd')
    .option('--json', 'print the report as JSON')
    .action(async (target: string, opts: { json?: boolean }) => {
      const progress = progressReporter(!opts.json);
      let report: InspectReport;
      try {
        report = await inspectPath(target, { onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(renderInspect(report));
    });
}

export function renderInspect(r: InspectReport): string {
  const out: string[] = [`${r.path}`];
  const v = (a: readonly number[], d = 3) => a.map((x) => fmt(x, d)).join(' × ');
  const list = (a: readonly number[], d = 3) => a.map((x) => fmt(x, d)).join(', ');
  const matrix = (m: readonly number[]) =>
    `[${list(m.slice(0, 3), 4)}; ${list(m.slice(3, 6), 4)}; ${list(m.slice(6, 9), 4)}] (rows; columns are the i, j, k axes)`;
  r.series.forEach((s, i) => {
    out.push('');
    out.push(`Series ${i + 1}: ${s.modality} "${s.description || 'no description'}"${s.loadable ? '' : '  — NOT LOADABLE AS IS'}`);
    out.push(`  UID            ${s.uid || '(none)'}`);
    out.push(`  images         ${s.slices} slice(s) in ${s.files} file(s); ${s.manufacturer} ${s.convolutionKernel}`.trimEnd());
    out.push(`  size           ${s.dims.join(' × ')} voxels`);
    out.push(
      `  spacing        ${v(s.spacingMm)} mm${s.sliceSpacingMm && !s.sliceSpacingMm.uniform ? ` (slices ${fmt(s.sliceSpacingMm.min)}–${fmt(s.sliceSpacingMm.max)} mm apart)` : ''}`,
    );
    out.push(`  origin (LPS)   ${list(s.originLps)} mm`);
    out.push(`  direction      ${matrix(s.direction)}`);
    if (s.tiltDeg > 0.05) out.push(`  tilt           ${fmt(s.tiltDeg, 1)}°`);
    out.push(
      `  HU             min ${fmt(s.hu.min)}, max ${fmt(s.hu.max)}, mean ${fmt(s.hu.mean)}${s.paddingVoxels ? `; ${s.paddingVoxels} padding voxels` : ''}`,
    );
    out.push(`  encoding       ${s.transferSyntaxes.map((t) => `${t.name} (${t.uid})`).join(', ')}`);
    for (const f of s.warnings) out.push('  ' + formatFinding(f));
  });
  for (const img of r.images) {
    out.push('');
    out.push(`${img.format.toUpperCase()} image, ${img.voxelType}`);
    out.push(`  size           ${img.dims.join(' × ')} voxels`);
    out.push(`  spacing        ${v(img.spacingMm)} mm`);
    out.push(`  origin (LPS)   ${list(img.originLps)} mm`);
    out.push(`  direction      ${matrix(img.direction)}`);
    out.push(`  values         min ${fmt(img.values.min)}, max ${fmt(img.values.max)}, mean ${fmt(img.values.mean)}`);
    if (img.labels && Object.keys(img.labels).length <= 40)
      out.push(
        `  labels         ${Object.entries(img.labels)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', ')}`,
      );
    for (const f of img.warnings) out.push('  ' + formatFinding(f));
  }
  for (const seg of r.segmentations) {
    out.push('');
    out.push(`Segmentation ${seg.file}: ${seg.type}, ${seg.frames} frame(s), ${seg.transferSyntax}`);
    out.push(`  references     series ${seg.referencedSeriesUid || '(not given)'}`);
    for (const s of seg.segments) out.push(`  segment ${s.number}      "${s.label}": ${s.voxels} voxels`);
  }
  if (r.warnings.length) {
    out.push('');
    for (const f of r.warnings) out.push(formatFinding(f));
  }
  return out.join('\n') + '\n';
}
