import { createHash } from 'node:crypto';
import type { Finding } from '../../core/errors.js';
import type { Vec3 } from '../vec.js';
import { type DicomInstanceHeader, type PixelFormat, isImageInstance } from './instance.js';
import { type SliceRef, type SliceStack, analyseSliceStack } from './slice-geometry.js';
import { isSegmentationSopClass } from './tags.js';
import { appendAll } from '../../core/append-all.js';

/** One image series (one orientation, one matrix size), ready to be decoded into a volume. */
export interface DicomSeries {
  /** Stable identifier: the SeriesInstanceUID, with '#2', '#3' … when one UID held several geometries. */
  id: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  modality: string;
  description: string;
  seriesNumber: number | null;
  manufacturer: string;
  convolutionKernel: string;
  contrastAgent: string;
  sliceThicknessMm: number | null;
  format: PixelFormat;
  /** The files of the series, in the order fileIndex refers to. */
  instances: DicomInstanceHeader[];
  transferSyntaxes: string[];
  /** Null when the images carry no position/orientation. */
  stack: SliceStack | null;
  findings: Finding[];
}

export interface SeriesGrouping {
  series: DicomSeries[];
  segmentations: DicomInstanceHeader[];
  findings: Finding[];
}

/**
 * Groups image files into series by SeriesInstanceUID, then splits a UID that mixes
 * orientations, matrix sizes or pixel spacings into separate series (with a warning), and drops
 * localizer (scout) images with a warning. Nothing is chosen silently: every series is returned.
 */
export function groupSeries(headers: DicomInstanceHeader[]): SeriesGrouping {
  const findings: Finding[] = [];
  const segmentations: DicomInstanceHeader[] = [];
  const byUid = new Map<string, DicomInstanceHeader[]>();
  let missingUid = 0;
  let localizers = 0;
  let nonImage = 0;
  for (const h of headers) {
    if (isSegmentationSopClass(h.sopClassUid)) {
      segmentations.push(h);
      continue;
    }
    if (!isImageInstance(h)) {
      nonImage++;
      continue;
    }
    if (h.frames.every((f) => f.localizer)) {
      localizers++;
      continue;
    }
    let key = h.seriesInstanceUid;
    if (!key) {
      missingUid++;
      key = `(no SeriesInstanceUID) ${h.studyInstanceUid}|${h.frameOfReferenceUid}|${h.seriesNumber ?? ''}|${h.seriesDescription}|${h.modality}`;
    }
    const list = byUid.get(key);
    if (list) list.push(h);
    else byUid.set(key, [h]);
  }
  if (localizers)
    findings.push({
      code: 'LOCALIZER_DROPPED',
      severity: 'warning',
      message: `${localizers} localizer (scout) image(s) were left out; they are not part of a volume`,
      data: { count: localizers },
    });
  if (nonImage)
    findings.push({
      code: 'NON_IMAGE_OBJECTS',
      severity: 'info',
      message: `${nonImage} DICOM object(s) without image pixels (reports, presentation states, DICOMDIR) were left out`,
      data: { count: nonImage },
    });
  if (missingUid)
    findings.push({
      code: 'MISSING_SERIES_UID',
      severity: 'warning',
      message: `${missingUid} image(s) have no SeriesInstanceUID (anonymised?); they were grouped by study, frame of reference, series number and description`,
      data: { count: missingUid },
    });

  const series: DicomSeries[] = [];
  for (const [key, group] of byUid) {
    const parts = splitByGeometry(group);
    parts.forEach((part, index) => {
      const base = group[0].seriesInstanceUid || `nouid-${createHash('sha1').update(key).digest('hex').slice(0, 10)}`;
      const id = base + (parts.length > 1 ? `#${index + 1}` : '');
      const s = buildSeries(id, part);
      if (parts.length > 1)
        s.findings.unshift({
          code: 'SERIES_SPLIT',
          severity: 'warning',
          message: `series ${base} mixes ${parts.length} geometries (orientation, matrix or pixel spacing); this is part ${index + 1} of ${parts.length} with ${part.length} image(s)`,
          hint: 'Pick the part you mean; Hilum does not merge or choose between them.',
        });
      series.push(s);
    });
  }
  series.sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9) || a.id.localeCompare(b.id));
  return { series, segmentations, findings };
}

function geometryKey(h: DicomInstanceHeader): string {
  const f = h.frames.find((fr) => !fr.localizer) ?? h.frames[0];
  const r = (v: number, d: number) => (Math.round(v * 10 ** d) / 10 ** d).toFixed(d);
  const iop = f.rowDirection && f.columnDirection ? [...f.rowDirection, ...f.columnDirection].map((v) => r(v, 3)).join(',') : 'none';
  const ps = f.pixelSpacingMm ? f.pixelSpacingMm.map((v) => r(v, 4)).join(',') : 'none';
  return `${iop}|${h.format.rows}x${h.format.columns}|${ps}|${h.format.samplesPerPixel}`;
}

function splitByGeometry(group: DicomInstanceHeader[]): DicomInstanceHeader[][] {
  const parts = new Map<string, DicomInstanceHeader[]>();
  for (const h of group) {
    const k = geometryKey(h);
    const list = parts.get(k);
    if (list) list.push(h);
    else parts.set(k, [h]);
  }
  return [...parts.values()].sort((a, b) => b.length - a.length);
}

function buildSeries(id: string, instances: DicomInstanceHeader[]): DicomSeries {
  const first = instances[0];
  const findings: Finding[] = [];
  const slices: SliceRef[] = [];
  let missingPosition = 0;
  let droppedLocalizerFrames = 0;
  instances.forEach((h, fileIndex) =>
    h.frames.forEach((f, frameIndex) => {
      if (f.localizer) {
        droppedLocalizerFrames++;
        return;
      }
      if (!f.positionLps) {
        missingPosition++;
        return;
      }
      slices.push({ fileIndex, frameIndex, sopInstanceUid: h.sopInstanceUid, positionLps: f.positionLps as Vec3 });
    }),
  );
  if (droppedLocalizerFrames)
    findings.push({
      code: 'LOCALIZER_DROPPED',
      severity: 'warning',
      message: `${droppedLocalizerFrames} localizer frame(s) were left out of the volume`,
    });
  const frame0 = first.frames.find((f) => !f.localizer) ?? first.frames[0];
  let stack: SliceStack | null = null;
  if (missingPosition || !frame0.rowDirection || !frame0.columnDirection || !frame0.pixelSpacingMm || slices.length === 0) {
    findings.push({
      code: 'MISSING_GEOMETRY',
      severity: 'error',
      message: `${missingPosition || 'all'} image(s) lack ImagePositionPatient, ImageOrientationPatient or PixelSpacing, so the slices cannot be placed in space`,
      hint: 'Secondary captures and some exports drop geometry; use the original CT series.',
    });
  } else {
    stack = analyseSliceStack({
      slices,
      rowDirection: frame0.rowDirection,
      columnDirection: frame0.columnDirection,
      pixelSpacingMm: frame0.pixelSpacingMm,
      rows: first.format.rows,
      columns: first.format.columns,
      nominalSliceSpacingMm: first.spacingBetweenSlicesMm ?? first.sliceThicknessMm,
      gantryTiltTagDeg: first.gantryTiltDeg,
    });
    appendAll(findings, stack.findings);
  }
  if (first.modality && first.modality !== 'CT')
    findings.push({
      code: 'NOT_CT',
      severity: 'warning',
      message: `modality is ${first.modality}, not CT: values are not Hounsfield units`,
    });
  if (first.format.samplesPerPixel !== 1)
    findings.push({
      code: 'NOT_GRAYSCALE',
      severity: 'error',
      message: `images have ${first.format.samplesPerPixel} samples per pixel (${first.format.photometricInterpretation}); a CT volume needs grayscale`,
      hint: 'This is probably a screen capture or colour rendering, not the CT itself.',
    });
  return {
    id,
    seriesInstanceUid: first.seriesInstanceUid,
    studyInstanceUid: first.studyInstanceUid,
    frameOfReferenceUid: first.frameOfReferenceUid,
    modality: first.modality,
    description: first.seriesDescription,
    seriesNumber: first.seriesNumber,
    manufacturer: first.manufacturer,
    convolutionKernel: first.convolutionKernel,
    contrastAgent: first.contrastAgent,
    sliceThicknessMm: first.sliceThicknessMm,
    format: first.format,
    instances,
    transferSyntaxes: [...new Set(instances.map((h) => h.transferSyntaxUid))].sort(),
    stack,
    findings,
  };
}
