import { HilumError } from '../../core/errors.js';
import { engineVersion } from '../../core/version.js';
import { describeGridDifferences, type ImageGrid } from '../grid.js';
import { column, cross, normalize, dot } from '../vec.js';
import type { LabelMap } from '../volume.js';
import { str } from './dataset.js';
import { readDicomHeader } from './parse.js';
import type { DicomSeries } from './series.js';
import { SOP_CLASS, TAG, TS } from './tags.js';
import { newUid } from './uid.js';
import { decimalString, dicomDateTime, writeDataset } from './write-dataset.js';

export interface SegWriteOptions {
  segmentLabel?: string;
  /** AUTOMATIC, SEMIAUTOMATIC or MANUAL (DICOM CID 7023). */
  algorithmType?: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  algorithmName?: string;
  seriesDescription?: string;
  contentCreator?: string;
  seriesNumber?: number;
}

const code = (value: string, scheme: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });

/**
 * Writes a binary DICOM Segmentation (PS3.3 A.51) of one mask on the grid of `series`, referencing
 * its images: one frame per slice that holds any voxel, bit-packed contiguously (PS3.5 8.1.1),
 * with plane positions, source-image references and the patient/study of the source.
 */
export function writeDicomSeg(filePath: string, mask: LabelMap, series: DicomSeries, options: SegWriteOptions = {}): void {
  const stack = series.stack;
  if (!stack?.grid) throw new HilumError({ code: 'MISSING_GEOMETRY', message: 'the source series has no usable grid; a SEG cannot reference it' });
  const differences = describeGridDifferences(stack.grid as ImageGrid, mask);
  if (differences.length) throw new HilumError({ code: 'MASK_GEOMETRY_MISMATCH', message: `the mask is not on the series grid: ${differences.join('; ')}` });
  const [nx, ny, nz] = mask.dims;
  const plane = nx * ny;
  const frameSlices: number[] = [];
  for (let k = 0; k < nz; k++) {
    const s = mask.voxels.subarray(k * plane, (k + 1) * plane);
    if (s.some((v) => v !== 0)) frameSlices.push(k);
  }
  if (frameSlices.length === 0) throw new HilumError({ code: 'EMPTY_MASK', message: 'the mask is empty: nothing to write' });

  const bits = new Uint8Array(Math.ceil((frameSlices.length * plane) / 8 / 2) * 2);
  frameSlices.forEach((k, f) => {
    const base = f * plane;
    for (let p = 0; p < plane; p++)
      if (mask.voxels[k * plane + p]) {
        const bit = base + p;
        bits[bit >> 3] |= 1 << (bit & 7);
      }
  });

  const source = readDicomHeader(series.instances[0].filePath).dataSet;
  const copy = (tag: string) => str(source, tag) ?? '';
  const { date, time } = dicomDateTime(new Date());
  const dimensionOrganization = newUid();
  const rowDir = column(stack.grid.direction, 0);
  const colDir = column(stack.grid.direction, 1);
  const normal = normalize(cross(rowDir, colDir));
  const spacingBetween = stack.spacing ? stack.spacing.medianMm : Math.abs(dot(column(stack.grid.direction, 2), normal) * stack.grid.spacingMm[2]);
  const referenced = stack.slices.map((s) => series.instances[s.fileIndex]);
  const algorithmType = options.algorithmType ?? 'SEMIAUTOMATIC';

  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'PRIMARY'],
    SOPClassUID: SOP_CLASS.Segmentation,
    SOPInstanceUID: newUid(),
    StudyDate: copy(TAG.StudyDate),
    StudyTime: copy('x00080030'),
    SeriesDate: date,
    SeriesTime: time,
    ContentDate: date,
    ContentTime: time,
    AccessionNumber: copy('x00080050'),
    Modality: 'SEG',
    Manufacturer: 'Hilum',
    ManufacturerModelName: 'Hilum',
    DeviceSerialNumber: '1',
    SoftwareVersions: engineVersion(),
    ReferringPhysicianName: copy('x00080090'),
    SeriesDescription: options.seriesDescription ?? 'Hilum nodule segmentation',
    PatientName: copy('x00100010'),
    PatientID: copy(TAG.PatientID),
    PatientBirthDate: copy('x00100030'),
    PatientSex: copy('x00100040'),
    StudyInstanceUID: series.studyInstanceUid || newUid(),
    SeriesInstanceUID: newUid(),
    StudyID: copy('x00200010'),
    SeriesNumber: options.seriesNumber ?? 900,
    InstanceNumber: 1,
    FrameOfReferenceUID: series.frameOfReferenceUid || newUid(),
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    NumberOfFrames: frameSlices.length,
    SegmentationType: 'BINARY',
    ContentLabel: 'NODULE',
    ContentDescription: 'Tumour mask',
    ContentCreatorName: options.contentCreator ?? 'Hilum',
    SegmentSequence: [
      {
        SegmentNumber: 1,
        SegmentLabel: options.segmentLabel ?? 'Nodule',
        SegmentAlgorithmType: algorithmType,
        ...(algorithmType !== 'MANUAL' ? { SegmentAlgorithmName: options.algorithmName ?? 'Hilum' } : {}),
        SegmentedPropertyCategoryCodeSequence: [code('49755003', 'SCT', 'Morphologically Altered Structure')],
        SegmentedPropertyTypeCodeSequence: [code('27925004', 'SCT', 'Nodule')],
        AnatomicRegionSequence: [code('39607008', 'SCT', 'Lung')],
      },
    ],
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganization }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganization,
        DimensionIndexPointer: 0x0062000b,
        FunctionalGroupPointer: 0x0062000a,
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: dimensionOrganization,
        DimensionIndexPointer: 0x00200032,
        FunctionalGroupPointer: 0x00209113,
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...rowDir, ...colDir].map(decimalString) }],
        PixelMeasuresSequence: [
          {
            PixelSpacing: [stack.grid.spacingMm[1], stack.grid.spacingMm[0]].map(decimalString),
            SliceThickness: decimalString(series.sliceThicknessMm ?? spacingBetween),
            SpacingBetweenSlices: decimalString(spacingBetween),
          },
        ],
      },
    ],
    // No StackID, so no InStackPositionNumber (Type 1C on StackID, PS3.3 C.7.6.16.2.2; dciodvfy flags it).
    PerFrameFunctionalGroupsSequence: frameSlices.map((k) => {
      const slice = stack.slices[k];
      const instance = referenced[k];
      return {
        FrameContentSequence: [{ DimensionIndexValues: [1, k + 1] }],
        PlanePositionSequence: [{ ImagePositionPatient: slice.positionLps.map(decimalString) }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: 1 }],
        DerivationImageSequence: [
          {
            SourceImageSequence: [
              {
                ReferencedSOPClassUID: instance.sopClassUid,
                ReferencedSOPInstanceUID: instance.sopInstanceUid,
                ...(instance.numberOfFrames > 1 ? { ReferencedFrameNumber: slice.frameIndex + 1 } : {}),
                PurposeOfReferenceCodeSequence: [code('121322', 'DCM', 'Source image for image processing operation')],
              },
            ],
            DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
          },
        ],
      };
    }),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: series.seriesInstanceUid,
        ReferencedInstanceSequence: [...new Set(referenced)].map((h) => ({ ReferencedSOPClassUID: h.sopClassUid, ReferencedSOPInstanceUID: h.sopInstanceUid })),
      },
    ],
    PixelData: [bits.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  writeDataset(filePath, dataset, TS.ExplicitLittle);
}
