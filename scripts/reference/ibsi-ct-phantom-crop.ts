/**
 * Writes test/fixtures/radiomics/ibsi/ct-phantom/: the IBSI 1 CT radiomics phantom (CC BY-NC 3.0,
 * test use only) cropped to its GTV bounding box plus a margin, as int16 HU (the phantom holds whole
 * HU values), with its mask and the crop's place in the full 204×201×60 grid, so tests can rebuild
 * the full-size geometry that PyRadiomics' resampling grid depends on.
 *
 *   npx tsx scripts/reference/ibsi-ct-phantom-crop.ts /path/to/ibsi (the shared reference folder)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readImageFile } from '../../electron/engine/imaging/image-files.js';
import { writeNrrd } from '../../electron/engine/imaging/nrrd.js';
import { labelBoundingBox } from '../../electron/engine/imaging/volume.js';
import { cropImage, padBox } from '../../electron/engine/radiomics/preprocess/resample.js';

const source = process.argv[2] ?? '../shared/reference/radiomics/ibsi';
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../test/fixtures/radiomics/ibsi/ct-phantom');
const image = readImageFile(path.join(source, 'ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz')).image;
const mask = readImageFile(path.join(source, 'ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz')).image;
const box = labelBoundingBox(mask, 1);
if (!box) throw new Error('empty GTV');
const margin = 16;
const crop = padBox({ minIjk: box.minIjk, maxIjk: box.maxIjk }, image.dims, margin);
crop.minIjk[2] = Math.max(0, box.minIjk[2] - 8);
crop.maxIjk[2] = Math.min(image.dims[2] - 1, box.maxIjk[2] + 8);
const int16 = { ...image, voxels: Int16Array.from(image.voxels as Float32Array) };
writeNrrd(path.join(out, 'phantom-crop.nrrd'), cropImage(int16, crop), { gzip: true });
writeNrrd(path.join(out, 'gtv-crop.nrrd'), cropImage(mask, crop), { gzip: true });
writeFileSync(
  path.join(out, 'crop.json'),
  JSON.stringify({ fullDims: image.dims, fullOriginLps: image.originLps, offset: crop.minIjk, fillHu: -1000 }, null, 2) + '\n',
);
console.log('crop', crop);
