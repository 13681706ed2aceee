/**
 * The mask radiomics reads for a case, the same in the cohort study and at the bedside: a NIfTI/NRRD
 * file exactly as stored (its own geometry, as PyRadiomics would read it), a DICOM-SEG placed on the
 * CT grid. Using one rule in both places is what makes a bedside prediction equal the study's to the
 * last bit: a mask re-gridded onto the CT can differ from the file by 1e-14 mm in spacing, which is
 * enough to change the size of the resampled grid.
 */
import { imageFileFormat, readImageFile } from '../imaging/image-files.js';
import { importMask } from '../imaging/mask-import.js';
import type { ScalarImage, Volume } from '../imaging/volume.js';

export async function radiomicsMaskOf(maskPath: string, ct: Volume): Promise<ScalarImage> {
  return imageFileFormat(maskPath) ? readImageFile(maskPath).image : (await importMask(maskPath, ct)).mask;
}
