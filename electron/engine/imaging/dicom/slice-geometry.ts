import type { Finding } from '../../core/errors.js';
import { type ImageGrid, gridFromAxes } from '../grid.js';
import { type Vec3, angleDeg, cross, dot, norm, normalize, scale, sub } from '../vec.js';

/** One image plane of a series: a frame of a file. */
export interface SliceRef {
  fileIndex: number;
  frameIndex: number;
  sopInstanceUid: string;
  positionLps: Vec3;
}

export interface SliceStackInput {
  slices: SliceRef[];
  rowDirection: Vec3;
  columnDirection: Vec3;
  /** [between rows, between columns] as DICOM PixelSpacing. */
  pixelSpacingMm: [number, number];
  rows: number;
  columns: number;
  /** Used only when there is a single slice (no positions to measure from). */
  nominalSliceSpacingMm: number | null;
  gantryTiltTagDeg: number | null;
}

export interface SliceSpacingSummary {
  /** Distance between neighbouring slices measured along the slice normal, mm. */
  minMm: number;
  maxMm: number;
  medianMm: number;
  uniform: boolean;
}

export interface SliceStack {
  /** Slices sorted along the slice normal (ascending), duplicates removed. */
  slices: SliceRef[];
  /** Position of each slice along the normal, mm. */
  normalPositionsMm: number[];
  normal: Vec3;
  spacing: SliceSpacingSummary | null;
  /** Tilt of the slice stack against the slice normal (gantry tilt), degrees. */
  tiltDeg: number;
  /**
   * The exact voxel grid when the slices are evenly spaced along a straight line; its slice axis
   * is the step between slices (sheared when the gantry was tilted). Null when there is none.
   */
  grid: ImageGrid | null;
  findings: Finding[];
}

/** Positions closer than this along the normal are the same slice position. */
const SAME_POSITION_MM = 0.01;
/** Slice steps within max(this, 1 % of the step) of each other count as equal. */
const SPACING_TOLERANCE_MM = 0.01;
const SPACING_TOLERANCE_RELATIVE = 0.01;
/** Below this the stack is treated as untilted. */
const TILT_TOLERANCE_DEG = 0.05;

/**
 * Orders the slices of one series along the slice normal and measures its geometry, never
 * guessing: spacing comes from ImagePositionPatient (not SliceThickness); missing slices,
 * duplicates, uneven spacing, tilt and off-line positions are each reported by name.
 */
export function analyseSliceStack(input: SliceStackInput): SliceStack {
  const findings: Finding[] = [];
  const row = normalize(input.rowDirection);
  const col = normalize(input.columnDirection);
  const normal = normalize(cross(row, col));
  const spacingI = input.pixelSpacingMm[1];
  const spacingJ = input.pixelSpacingMm[0];

  const sorted = input.slices
    .map((s) => ({ s, d: dot(s.positionLps, normal) }))
    .sort((a, b) => a.d - b.d || a.s.fileIndex - b.s.fileIndex || a.s.frameIndex - b.s.frameIndex);

  // Duplicates: the same instance twice is dropped with a warning; two different images at one position is an error.
  const kept: { s: SliceRef; d: number }[] = [];
  let droppedCopies = 0;
  for (const item of sorted) {
    const previous = kept[kept.length - 1];
    if (previous && Math.abs(item.d - previous.d) < SAME_POSITION_MM) {
      if (item.s.sopInstanceUid && item.s.sopInstanceUid === previous.s.sopInstanceUid && item.s.frameIndex === previous.s.frameIndex) {
        droppedCopies++;
        continue;
      }
      findings.push({
        code: 'DUPLICATE_SLICE_POSITION',
        severity: 'error',
        message: `two different images lie at the same position (${fmt(item.d)} mm along the slice normal)`,
        hint: 'The folder probably mixes two acquisitions or reconstructions of one series; export them as separate series or remove the extra images.',
        data: { positionMm: item.d },
      });
    }
    kept.push(item);
  }
  if (droppedCopies)
    findings.push({
      code: 'DUPLICATE_INSTANCE',
      severity: 'warning',
      message: `${droppedCopies} file(s) are copies of images already present (same SOP Instance UID); one copy of each was used`,
      data: { copies: droppedCopies },
    });

  const slices = kept.map((k) => k.s);
  const normalPositionsMm = kept.map((k) => k.d);
  const n = slices.length;
  const rowStep = scale(row, spacingI);
  const colStep = scale(col, spacingJ);
  const origin = slices[0].positionLps;

  if (n === 1) {
    const thickness = input.nominalSliceSpacingMm ?? 1;
    findings.push({
      code: 'SINGLE_SLICE',
      severity: 'warning',
      message: `the series has a single slice; its third-axis spacing (${fmt(thickness)} mm) comes from the header, not from positions`,
    });
    return {
      slices,
      normalPositionsMm,
      normal,
      spacing: null,
      tiltDeg: 0,
      grid: gridFromAxes([input.columns, input.rows, 1], origin, [rowStep, colStep, scale(normal, thickness)]),
      findings,
    };
  }

  const steps = normalPositionsMm.slice(1).map((d, i) => d - normalPositionsMm[i]);
  const sortedSteps = [...steps].sort((a, b) => a - b);
  const median = sortedSteps[Math.floor((sortedSteps.length - 1) / 2)];
  const spacing: SliceSpacingSummary = {
    minMm: sortedSteps[0],
    maxMm: sortedSteps[sortedSteps.length - 1],
    medianMm: median,
    uniform: true,
  };

  // Slices must lie on one straight line (allowing a tilt): check each position against the end-to-end line.
  const first = slices[0].positionLps;
  const last = slices[n - 1].positionLps;
  const lineDir = normalize(sub(last, first));
  let worstOffLine = 0;
  for (const s of slices) {
    const rel = sub(s.positionLps, first);
    const along = dot(rel, lineDir);
    worstOffLine = Math.max(worstOffLine, norm(sub(rel, scale(lineDir, along))));
  }
  const tiltDeg = angleDeg(lineDir, normal);
  if (worstOffLine > Math.max(0.05, 0.1 * Math.min(spacingI, spacingJ)))
    findings.push({
      code: 'NONLINEAR_SLICE_POSITIONS',
      severity: 'error',
      message: `slice positions do not lie on a straight line (largest offset ${fmt(worstOffLine)} mm)`,
      hint: 'The images do not form one volume; check that the folder holds a single reconstruction.',
      data: { offsetMm: worstOffLine },
    });

  // Classify the steps: one dominant spacing with missing slices, or several spacings.
  const clusters = clusterSteps(steps);
  const dominant = clusters[0];
  const dominantShare = dominant.count / steps.length;
  if (clusters.length > 1) {
    spacing.uniform = false;
    const gaps = steps.map((step, i) => ({ step, i })).filter(({ step }) => dominantShare > 0.5 && step > 1.5 * dominant.valueMm);
    const others = clusters.slice(1).filter((c) => !(dominantShare > 0.5 && c.valueMm > 1.5 * dominant.valueMm));
    for (const { step, i } of gaps) {
      const missing = Math.round(step / dominant.valueMm) - 1;
      findings.push({
        code: 'SLICE_GAP',
        severity: 'error',
        message: `slice gap of ${fmt(step)} mm between z=${fmt(slices[i].positionLps[2])} and z=${fmt(slices[i + 1].positionLps[2])}; expected ${fmt(dominant.valueMm)} mm`,
        hint: `About ${missing} slice(s) are missing. Re-export the complete series from the scanner or PACS; Hilum does not fill gaps.`,
        data: {
          gapMm: step,
          expectedMm: dominant.valueMm,
          fromPositionLps: slices[i].positionLps,
          toPositionLps: slices[i + 1].positionLps,
          missingSlices: missing,
        },
      });
    }
    if (others.length > 0 || gaps.length === 0) {
      const parts = clusters.map((c) => `${c.count} ${c.count === 1 ? 'step' : 'steps'} of ${fmt(c.valueMm)} mm`).join(', ');
      findings.push({
        code: 'UNEVEN_SLICE_SPACING',
        severity: 'error',
        message: `slice spacing is not uniform: ${parts} (range ${fmt(spacing.minMm)}–${fmt(spacing.maxMm)} mm)`,
        hint: 'Use a series reconstructed with uniform spacing, or resample it explicitly (hilum convert --resample-slices MM); Hilum does not treat uneven slices as evenly spaced.',
        data: { clusters, minMm: spacing.minMm, maxMm: spacing.maxMm },
      });
    }
  } else if (spacing.maxMm - spacing.minMm > 0.001) {
    // Within tolerance (rounded positions in the headers): the mean step is used, and said.
    findings.push({
      code: 'SLICE_SPACING_JITTER',
      severity: 'info',
      message: `slice spacing varies slightly (${fmt(spacing.minMm, 3)}–${fmt(spacing.maxMm, 3)} mm, within tolerance); the mean step is used`,
      data: { minMm: spacing.minMm, maxMm: spacing.maxMm },
    });
  }

  if (tiltDeg > TILT_TOLERANCE_DEG) {
    const shearPerSlice = median * Math.tan((tiltDeg * Math.PI) / 180);
    findings.push({
      code: 'GANTRY_TILT',
      severity: 'warning',
      message: `gantry tilt of ${fmt(tiltDeg, 1)}°${input.gantryTiltTagDeg !== null ? ` (GantryDetectorTilt ${fmt(input.gantryTiltTagDeg, 1)}°)` : ''}: each slice is shifted ${fmt(shearPerSlice)} mm in-plane against the one before`,
      hint: 'Hilum keeps the exact sheared geometry; resample to an orthogonal grid (hilum convert --deshear) before measurements that assume one.',
      data: { tiltDeg, gantryTiltTagDeg: input.gantryTiltTagDeg, shearMmPerSlice: shearPerSlice },
    });
  } else if (input.gantryTiltTagDeg !== null && Math.abs(input.gantryTiltTagDeg) > TILT_TOLERANCE_DEG) {
    findings.push({
      code: 'GANTRY_TILT_TAG_ONLY',
      severity: 'info',
      message: `GantryDetectorTilt is ${fmt(input.gantryTiltTagDeg, 1)}° but the slice positions show no shear (the scanner already corrected it)`,
    });
  }

  const hasBlockingError = findings.some((f) => f.severity === 'error');
  const grid =
    hasBlockingError || !spacing.uniform
      ? null
      : gridFromAxes([input.columns, input.rows, n], origin, [rowStep, colStep, scale(sub(last, first), 1 / (n - 1))]);
  return { slices, normalPositionsMm, normal, spacing, tiltDeg, grid, findings };
}

export interface StepCluster {
  valueMm: number;
  count: number;
}

/** Groups equal steps (within tolerance), largest group first. */
export function clusterSteps(steps: number[]): StepCluster[] {
  const clusters: { sum: number; count: number }[] = [];
  for (const step of steps) {
    const hit = clusters.find((c) => Math.abs(c.sum / c.count - step) <= Math.max(SPACING_TOLERANCE_MM, SPACING_TOLERANCE_RELATIVE * step));
    if (hit) {
      hit.sum += step;
      hit.count++;
    } else clusters.push({ sum: step, count: 1 });
  }
  return clusters.map((c) => ({ valueMm: c.sum / c.count, count: c.count })).sort((a, b) => b.count - a.count || a.valueMm - b.valueMm);
}

function fmt(x: number, digits = 2): string {
  return (Math.round(x * 10 ** digits) / 10 ** digits).toString();
}
