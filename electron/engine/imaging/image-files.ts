import { type Finding, HilumError } from '../core/errors.js';
import { isNiftiPath, readNifti, writeNifti } from './nifti.js';
import { isNrrdPath, readNrrd, writeNrrd } from './nrrd.js';
import type { HuArray, ScalarImage, Volume } from './volume.js';

/** Research image formats Hilum reads and writes besides DICOM. */
export type ImageFileFormat = 'nifti' | 'nrrd';

export function imageFileFormat(filePath: string): ImageFileFormat | null {
  if (isNiftiPath(filePath)) return 'nifti';
  if (isNrrdPath(filePath)) return 'nrrd';
  return null;
}

export interface ImageFileRead {
  image: ScalarImage;
  format: ImageFileFormat;
  voxelType: string;
  findings: Finding[];
}

/** Reads a NIfTI or NRRD image (geometry in LPS). */
export function readImageFile(filePath: string): ImageFileRead {
  const format = imageFileFormat(filePath);
  if (format === 'nifti') {
    const r = readNifti(filePath);
    return { image: r.image, format, voxelType: r.datatype, findings: r.findings };
  }
  if (format === 'nrrd') {
    const r = readNrrd(filePath);
    return { image: r.image, format, voxelType: r.type, findings: [] };
  }
  throw new HilumError({
    code: 'UNKNOWN_FILE_TYPE',
    message: `${filePath}: unknown image file type (Hilum reads .nii, .nii.gz, .nrrd, .nhdr and DICOM)`,
  });
}

/** Writes a NIfTI or NRRD image, chosen by the file extension. */
export function writeImageFile(filePath: string, image: ScalarImage): void {
  const format = imageFileFormat(filePath);
  if (format === 'nifti') return writeNifti(filePath, image);
  if (format === 'nrrd') return writeNrrd(filePath, image, { gzip: true });
  throw new HilumError({ code: 'UNKNOWN_FILE_TYPE', message: `${filePath}: write to .nii, .nii.gz or .nrrd` });
}

/** A CT read from NIfTI/NRRD as HU: Int16 kept when every value fits exactly, Float32 otherwise. */
export function asHuVolume(image: ScalarImage): Volume {
  const v = image.voxels;
  let voxels: HuArray;
  if (v instanceof Int16Array || v instanceof Float32Array) voxels = v;
  else {
    let fitsInt16 = true;
    for (let i = 0; i < v.length && fitsInt16; i++) fitsInt16 = Number.isInteger(v[i]) && v[i] >= -32768 && v[i] <= 32767;
    voxels = fitsInt16 ? Int16Array.from(v as ArrayLike<number>) : Float32Array.from(v as ArrayLike<number>);
  }
  return { dims: image.dims, spacingMm: image.spacingMm, originLps: image.originLps, direction: image.direction, voxels };
}
