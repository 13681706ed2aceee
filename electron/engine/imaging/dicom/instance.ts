import type { DataSet } from 'dicom-parser';
import type { Vec3 } from '../vec.js';
import { decimal, decimals, firstItem, functionalGroupValue, items, pixelValue, str, strs, ushort, vec3 } from './dataset.js';
import { NATIVE_SYNTAXES, SOP_CLASS, TAG } from './tags.js';

/** Where one frame sits and how its stored values become HU. */
export interface FrameGeometry {
  /** ImagePositionPatient of the frame's first pixel (LPS, mm), or null when the file has none. */
  positionLps: Vec3 | null;
  /** ImageOrientationPatient: direction of increasing column index (along a row), then of increasing row index. */
  rowDirection: Vec3 | null;
  columnDirection: Vec3 | null;
  /** PixelSpacing as DICOM orders it: [between rows, between columns] in mm. */
  pixelSpacingMm: [number, number] | null;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** True when FrameType/ImageType marks the frame as a localizer (scout). */
  localizer: boolean;
}

/** The pixel encoding of an image. */
export interface PixelFormat {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
}

/** Everything the series builder needs from one file, without its pixels. Plain data: crosses workers. */
export interface DicomInstanceHeader {
  filePath: string;
  fileSize: number;
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  modality: string;
  seriesDescription: string;
  seriesNumber: number | null;
  instanceNumber: number | null;
  acquisitionNumber: number | null;
  imageType: string[];
  manufacturer: string;
  convolutionKernel: string;
  contrastAgent: string;
  kvp: number | null;
  sliceThicknessMm: number | null;
  spacingBetweenSlicesMm: number | null;
  gantryTiltDeg: number | null;
  format: PixelFormat;
  numberOfFrames: number;
  pixelPaddingValue: number | null;
  pixelPaddingRangeLimit: number | null;
  frames: FrameGeometry[];
  /** Native pixel data: byte offset and length in the (undeflated) file; null for encapsulated data. */
  nativePixelData: { byteOffset: number; byteLength: number } | null;
  hasPixelData: boolean;
}

/** Extracts a DicomInstanceHeader from a parsed dataset (header-only parses suffice). */
export function describeInstance(ds: DataSet, filePath: string, fileSize: number): DicomInstanceHeader {
  const transferSyntaxUid = str(ds, TAG.TransferSyntaxUID) ?? '1.2.840.10008.1.2';
  const pixelRepresentation = ushort(ds, TAG.PixelRepresentation) ?? 0;
  const signed = pixelRepresentation === 1;
  const numberOfFrames = Math.max(1, Math.round(decimal(ds, TAG.NumberOfFrames) ?? 1));
  const imageType = strs(ds, TAG.ImageType).map((s) => s.toUpperCase());
  const pixel = ds.elements[TAG.PixelData];
  const format: PixelFormat = {
    rows: ushort(ds, TAG.Rows) ?? 0,
    columns: ushort(ds, TAG.Columns) ?? 0,
    samplesPerPixel: ushort(ds, TAG.SamplesPerPixel) ?? 1,
    bitsAllocated: ushort(ds, TAG.BitsAllocated) ?? 0,
    bitsStored: ushort(ds, TAG.BitsStored) ?? ushort(ds, TAG.BitsAllocated) ?? 0,
    highBit: ushort(ds, TAG.HighBit) ?? (ushort(ds, TAG.BitsStored) ?? 1) - 1,
    pixelRepresentation,
    photometricInterpretation: str(ds, TAG.PhotometricInterpretation) ?? 'MONOCHROME2',
  };
  const native = pixel && !pixel.encapsulatedPixelData && NATIVE_SYNTAXES.has(transferSyntaxUid);
  return {
    filePath,
    fileSize,
    transferSyntaxUid,
    sopClassUid: str(ds, TAG.SOPClassUID) ?? str(ds, TAG.MediaStorageSOPClassUID) ?? '',
    sopInstanceUid: str(ds, TAG.SOPInstanceUID) ?? str(ds, TAG.MediaStorageSOPInstanceUID) ?? '',
    studyInstanceUid: str(ds, TAG.StudyInstanceUID) ?? '',
    seriesInstanceUid: str(ds, TAG.SeriesInstanceUID) ?? '',
    frameOfReferenceUid: str(ds, TAG.FrameOfReferenceUID) ?? '',
    modality: str(ds, TAG.Modality) ?? '',
    seriesDescription: str(ds, TAG.SeriesDescription) ?? '',
    seriesNumber: decimal(ds, TAG.SeriesNumber) ?? null,
    instanceNumber: decimal(ds, TAG.InstanceNumber) ?? null,
    acquisitionNumber: decimal(ds, TAG.AcquisitionNumber) ?? null,
    imageType,
    manufacturer: str(ds, TAG.Manufacturer) ?? '',
    convolutionKernel: strs(ds, TAG.ConvolutionKernel).join('\\'),
    contrastAgent: str(ds, TAG.ContrastBolusAgent) ?? '',
    kvp: decimal(ds, TAG.KVP) ?? null,
    sliceThicknessMm: decimal(ds, TAG.SliceThickness) ?? sharedPixelMeasure(ds, TAG.SliceThickness) ?? null,
    spacingBetweenSlicesMm: decimal(ds, TAG.SpacingBetweenSlices) ?? sharedPixelMeasure(ds, TAG.SpacingBetweenSlices) ?? null,
    gantryTiltDeg: decimal(ds, TAG.GantryDetectorTilt) ?? null,
    format,
    numberOfFrames,
    pixelPaddingValue: pixelValue(ds, TAG.PixelPaddingValue, signed) ?? null,
    pixelPaddingRangeLimit: pixelValue(ds, TAG.PixelPaddingRangeLimit, signed) ?? null,
    frames: frameGeometries(ds, numberOfFrames, imageType),
    nativePixelData: native ? { byteOffset: pixel.dataOffset, byteLength: pixel.length } : null,
    hasPixelData: pixel !== undefined,
  };
}

function sharedPixelMeasure(ds: DataSet, tag: string): number | undefined {
  return decimal(firstItem(firstItem(ds, TAG.SharedFunctionalGroupsSequence), TAG.PixelMeasuresSequence) ?? ds, tag);
}

function orientation(values: number[] | undefined): [Vec3, Vec3] | null {
  if (!values || values.length < 6) return null;
  return [
    [values[0], values[1], values[2]],
    [values[3], values[4], values[5]],
  ];
}

/**
 * Per-frame geometry. Classic images carry it at the top level; Enhanced (multi-frame) objects
 * in the Per-frame and Shared Functional Groups (PS3.3 C.7.6.16), per-frame values winning.
 */
function frameGeometries(ds: DataSet, numberOfFrames: number, imageType: string[]): FrameGeometry[] {
  const shared = firstItem(ds, TAG.SharedFunctionalGroupsSequence);
  const perFrame = items(ds, TAG.PerFrameFunctionalGroupsSequence);
  const topOrientation = orientation(decimals(ds, TAG.ImageOrientationPatient));
  const topSpacing = decimals(ds, TAG.PixelSpacing);
  const topPosition = vec3(ds, TAG.ImagePositionPatient) ?? null;
  const topSlope = decimal(ds, TAG.RescaleSlope);
  const topIntercept = decimal(ds, TAG.RescaleIntercept);
  const topLocalizer = imageType.includes('LOCALIZER');
  const out: FrameGeometry[] = [];
  for (let f = 0; f < numberOfFrames; f++) {
    const pf = perFrame[f];
    const position =
      functionalGroupValue(pf, shared, TAG.PlanePositionSequence, (i) => vec3(i, TAG.ImagePositionPatient)) ??
      (f === 0 || !perFrame.length ? topPosition : null);
    const orient =
      functionalGroupValue(pf, shared, TAG.PlaneOrientationSequence, (i) => orientation(decimals(i, TAG.ImageOrientationPatient)) ?? undefined) ??
      topOrientation;
    const spacing = functionalGroupValue(pf, shared, TAG.PixelMeasuresSequence, (i) => decimals(i, TAG.PixelSpacing)) ?? topSpacing;
    const slope = functionalGroupValue(pf, shared, TAG.PixelValueTransformationSequence, (i) => decimal(i, TAG.RescaleSlope)) ?? topSlope ?? 1;
    const intercept = functionalGroupValue(pf, shared, TAG.PixelValueTransformationSequence, (i) => decimal(i, TAG.RescaleIntercept)) ?? topIntercept ?? 0;
    const frameType = functionalGroupValue(pf, shared, TAG.CTImageFrameTypeSequence, (i) => strs(i, TAG.FrameType));
    out.push({
      positionLps: position,
      rowDirection: orient ? orient[0] : null,
      columnDirection: orient ? orient[1] : null,
      pixelSpacingMm: spacing && spacing.length >= 2 ? [spacing[0], spacing[1]] : null,
      rescaleSlope: slope === 0 ? 1 : slope,
      rescaleIntercept: intercept,
      localizer: frameType ? frameType.map((s) => s.toUpperCase()).includes('LOCALIZER') : topLocalizer,
    });
  }
  return out;
}

/** True for SOP classes and objects that hold no image Hilum can use as a volume. */
export function isImageInstance(h: DicomInstanceHeader): boolean {
  if (h.sopClassUid === SOP_CLASS.MediaStorageDirectory) return false;
  return h.hasPixelData && h.format.rows > 0 && h.format.columns > 0;
}
