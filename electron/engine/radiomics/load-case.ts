import { statSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { imageFileFormat, readImageFile } from '../imaging/image-files.js';
import { loadVolume } from '../imaging/load.js';
import { importMask } from '../imaging/mask-import.js';
import type { ScalarImage } from '../imaging/volume.js';
import type { RadiomicsInput } from './extractor.js';

export interface LoadedCase {
  input: RadiomicsInput;
  /** Label to extract when the mask had to be reduced to one label (DICOM-SEG): always 1. */
  label?: number;
}

/**
 * Reads an image and its mask for radiomics. NIfTI and NRRD files are read as stored (pixel type
 * and all, as SimpleITK reads them for PyRadiomics, so hashes and integer resampling agree); a
 * DICOM folder or file is loaded as a CT volume (loadVolume's geometry checks apply). A mask file
 * is read as a label image and checked against the image later (geometry, label); a DICOM-SEG is
 * placed on the image grid by importMask, its segment becoming label 1.
 */
export async function loadRadiomicsCase(imagePath: string, maskPath: string, options: { caseId?: string; label?: number } = {}): Promise<LoadedCase> {
  const caseId = options.caseId ?? path.basename(imagePath);
  const image = await readImage(imagePath);
  if (!exists(maskPath)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${caseId}: mask ${maskPath} does not exist` });
  if (imageFileFormat(maskPath)) return { input: { caseId, image, mask: readImageFile(maskPath).image } };
  const imported = await importMask(maskPath, image, { label: options.label });
  return { input: { caseId, image, mask: imported.mask }, label: 1 };
}

async function readImage(imagePath: string): Promise<ScalarImage> {
  if (!exists(imagePath)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `image ${imagePath} does not exist` });
  if (imageFileFormat(imagePath)) return readImageFile(imagePath).image;
  return (await loadVolume(imagePath)).volume;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
