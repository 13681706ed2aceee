import path from 'node:path';
import { type Finding, HilumError } from '../core/errors.js';
import { type GridTolerance, type ImageGrid, DEFAULT_GRID_TOLERANCE, describeGridDifferences, findAxisPermutation, gridsMatch } from './grid.js';
import { readImageFile, imageFileFormat } from './image-files.js';
import { resampleImage } from './resample.js';
import { readDicomSeg, segToMasks } from './dicom/seg-read.js';
import type { LabelMap, ScalarImage } from './volume.js';
import { appendAll } from '../core/append-all.js';

export interface MaskImportOptions {
  /** The label (or SEG segment number) to use; required when the file holds several. */
  label?: number;
  /** 'nearest' resamples a mask on another grid, on request only; default refuses. */
  resample?: 'none' | 'nearest';
  tolerance?: GridTolerance;
}

export interface ImportedMask {
  /** 0/1 mask on the reference grid. */
  mask: LabelMap;
  label: number;
  /** Voxel count of every non-zero label in the file, on the reference grid. */
  labelCounts: Map<number, number>;
  source: 'nifti' | 'nrrd' | 'dicom-seg';
  findings: Finding[];
}

/**
 * Reads a mask (NIfTI, NRRD or DICOM-SEG) onto a reference grid (the CT's). The same voxel
 * centres in another axis order or sense (RAS vs LPS writers) are re-indexed exactly; any other
 * difference is a MASK_GEOMETRY_MISMATCH error that says what differs, unless resampling was asked
 * for. A file with several labels needs the label named; an empty selection is an error.
 */
export async function importMask(maskPath: string, reference: ImageGrid, options: MaskImportOptions = {}): Promise<ImportedMask> {
  const tol = options.tolerance ?? DEFAULT_GRID_TOLERANCE;
  const name = path.basename(maskPath);
  const findings: Finding[] = [];
  let labelCounts: Map<number, number>;
  let source: ImportedMask['source'];
  let placed: ScalarImage | null = null;
  let segMasks: Map<number, LabelMap> | null = null;

  if (imageFileFormat(maskPath)) {
    const read = readImageFile(maskPath);
    source = read.format;
    appendAll(findings, read.findings);
    placed = placeOnGrid(read.image, reference, name, options.resample ?? 'none', tol, findings);
    labelCounts = countLabels(placed, name);
  } else {
    source = 'dicom-seg';
    const seg = await readDicomSeg(maskPath);
    segMasks = segToMasks(seg, reference, { tolerance: tol }).masks;
    labelCounts = new Map([...segMasks].map(([s, m]) => [s, m.voxels.reduce((a, b) => a + b, 0)]));
    for (const [s, c] of [...labelCounts]) if (c === 0) labelCounts.delete(s);
  }

  const present = [...labelCounts.keys()].sort((a, b) => a - b);
  const describe = () => present.map((l) => `${l} (${labelCounts.get(l)} voxels)`).join(', ');
  if (present.length === 0)
    throw new HilumError({ code: 'EMPTY_MASK', message: `${name} is empty: no voxel is labelled`, hint: 'Draw or import a segmentation of the nodule.' });
  let label = options.label;
  if (label === undefined) {
    if (present.length > 1)
      throw new HilumError({
        code: 'MASK_MULTIPLE_LABELS',
        message: `${name} holds ${present.length} labels: ${describe()}; Hilum does not guess which one is the nodule`,
        hint: 'Name the nodule label (--label N).',
        data: { labels: present },
      });
    label = present[0];
  } else if (!labelCounts.has(label))
    throw new HilumError({
      code: 'MASK_LABEL_NOT_FOUND',
      message: `label ${label} does not occur in ${name}; it holds ${describe()}`,
      data: { labels: present },
    });

  let mask: LabelMap;
  if (segMasks) mask = segMasks.get(label) as LabelMap;
  else {
    const src = (placed as ScalarImage).voxels;
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] === label ? 1 : 0;
    mask = { ...copyGrid(reference), voxels: out };
  }
  return { mask, label, labelCounts, source, findings };
}

function placeOnGrid(
  image: ScalarImage,
  reference: ImageGrid,
  name: string,
  resample: 'none' | 'nearest',
  tol: GridTolerance,
  findings: Finding[],
): ScalarImage {
  if (gridsMatch(image, reference, tol)) return image;
  const permutation = findAxisPermutation(image, reference, tol);
  if (permutation) {
    findings.push({
      code: 'MASK_REORIENTED',
      severity: 'info',
      message: `${name} stores the same voxels in another axis order/sense; it was re-indexed onto the image grid exactly`,
    });
    return permute(image, reference, permutation);
  }
  const differences = describeGridDifferences(reference, image, tol);
  if (resample === 'nearest') {
    findings.push({
      code: 'MASK_RESAMPLED',
      severity: 'warning',
      message: `${name} was resampled onto the image grid by nearest neighbour, as requested (it differed: ${differences.join('; ')})`,
    });
    return resampleImage(image, reference, { interpolator: 'nearest', outputType: 'same' });
  }
  throw new HilumError({
    code: 'MASK_GEOMETRY_MISMATCH',
    message: `${name} does not lie on the image grid: ${differences.join('; ')}`,
    hint: 'Check that the mask belongs to this series; if it does, resample it explicitly (--resample-mask nearest).',
    data: { differences },
  });
}

function permute(image: ScalarImage, reference: ImageGrid, p: { sourceAxis: number[]; flipped: boolean[] }): ScalarImage {
  const [tx, ty, tz] = reference.dims;
  const sdims = image.dims;
  const sstride = [1, sdims[0], sdims[0] * sdims[1]];
  const out = new (image.voxels.constructor as new (n: number) => typeof image.voxels)(tx * ty * tz);
  const strideFor = (t: number) => (p.flipped[t] ? -1 : 1) * sstride[p.sourceAxis[t]];
  const startFor = (t: number) => (p.flipped[t] ? (sdims[p.sourceAxis[t]] - 1) * sstride[p.sourceAxis[t]] : 0);
  const [si, sj, sk] = [strideFor(0), strideFor(1), strideFor(2)];
  const base = startFor(0) + startFor(1) + startFor(2);
  let o = 0;
  for (let k = 0; k < tz; k++)
    for (let j = 0; j < ty; j++) {
      let s = base + j * sj + k * sk;
      for (let i = 0; i < tx; i++, o++, s += si) out[o] = image.voxels[s];
    }
  return { ...copyGrid(reference), voxels: out };
}

function countLabels(image: ScalarImage, name: string): Map<number, number> {
  const counts = new Map<number, number>();
  const v = image.voxels;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === 0) continue;
    if (!Number.isInteger(x) || x < 0)
      throw new HilumError({
        code: 'MASK_NOT_LABELS',
        message: `${name} holds non-label values (e.g. ${x}); a mask must hold whole non-negative labels`,
        hint: 'Is this a probability map or the CT itself? Threshold it into a label mask first.',
      });
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  return counts;
}

function copyGrid(g: ImageGrid): ImageGrid {
  return { dims: [...g.dims], spacingMm: [...g.spacingMm], originLps: [...g.originLps], direction: [...g.direction] };
}
