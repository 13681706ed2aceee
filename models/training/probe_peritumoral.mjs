// Peritumoral radiomics probe (research, not part of the app): PyRadiomics-compatible features of the
// original image (first order and the five texture classes; bin width 25 HU, 1 mm B-spline
// resampling) on a shell around the tumour mask, for every k-th patient of a phantom cohort. The
// shell is the voxels outside the mask within --shell mm of it (Euclidean distance transform) and
// inside the lung, the lung being the voxels below −400 HU closed by 3 mm (dilation then erosion:
// vessels, micronodules and strands are filled, the chest wall is not). probe_peritumoral_fit.py
// reads the table against the phantom's true risk parts.
//
//   node models/training/probe_peritumoral.mjs --cohort DIR --out shell.csv [--every 2] [--shell 5]
//
// Runs the compiled engine (npm run build:engine).
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../../dist/electron/engine/core/csv.js';
import { loadRadiomicsCase } from '../../dist/electron/engine/radiomics/load-case.js';
import { extractRadiomics } from '../../dist/electron/engine/radiomics/extractor.js';
import { parseParameters } from '../../dist/electron/engine/radiomics/settings.js';
import { squaredDistanceToFeatures } from '../../dist/electron/engine/segmentation/distance-transform.js';

const { values: args } = parseArgs({
  options: { cohort: { type: 'string' }, out: { type: 'string' }, every: { type: 'string', default: '2' }, shell: { type: 'string', default: '5' } },
});
if (!args.cohort || !args.out) {
  process.stderr.write('usage: node models/training/probe_peritumoral.mjs --cohort DIR --out FILE [--every 2] [--shell 5]\n');
  process.exit(2);
}
const every = Number(args.every);
const shellMm = Number(args.shell);
const CLOSING_MM = 3;
const params = parseParameters(
  [
    'imageType: {Original: {}}',
    'featureClass: {firstorder: null, glcm: null, glrlm: null, glszm: null, gldm: null, ngtdm: null}',
    'setting: {binWidth: 25, resampledPixelSpacing: [1, 1, 1], interpolator: sitkBSpline, padDistance: 10, label: 1, additionalInfo: false}',
  ].join('\n'),
  'peritumoral probe',
);

/** The shell mask on the image grid: outside the tumour, within shellMm of it, inside the closed lung. */
function shellMask(image, mask) {
  const [nx, ny, nz] = image.dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (mask.voxels[i + nx * (j + ny * k)])
          [i, j, k].forEach((v, a) => {
            lo[a] = Math.min(lo[a], v);
            hi[a] = Math.max(hi[a], v);
          });
  const pad = image.spacingMm.map((s) => Math.ceil((shellMm + 2 * CLOSING_MM) / s));
  const from = lo.map((v, a) => Math.max(0, v - pad[a]));
  const to = hi.map((v, a) => Math.min(image.dims[a] - 1, v + pad[a]));
  const d = [0, 1, 2].map((a) => to[a] - from[a] + 1);
  const n = d[0] * d[1] * d[2];
  const tumour = new Uint8Array(n);
  const air = new Uint8Array(n);
  const source = new Int32Array(n);
  for (let k = 0, o = 0; k < d[2]; k++)
    for (let j = 0; j < d[1]; j++)
      for (let i = 0; i < d[0]; i++, o++) {
        source[o] = from[0] + i + nx * (from[1] + j + ny * (from[2] + k));
        tumour[o] = mask.voxels[source[o]] ? 1 : 0;
        air[o] = !tumour[o] && Number(image.voxels[source[o]]) < -400 ? 1 : 0;
      }
  const r2 = CLOSING_MM * CLOSING_MM;
  const toAir = squaredDistanceToFeatures(air, d, image.spacingMm);
  const outsideDilation = Uint8Array.from(toAir, (v) => (v <= r2 ? 0 : 1));
  const toOutside = squaredDistanceToFeatures(outsideDilation, d, image.spacingMm);
  const toTumour = squaredDistanceToFeatures(tumour, d, image.spacingMm);
  const shell = new Uint8Array(mask.voxels.length);
  let count = 0;
  for (let o = 0; o < n; o++)
    if (!tumour[o] && toOutside[o] > r2 && toTumour[o] <= shellMm * shellMm) {
      shell[source[o]] = 1;
      count++;
    }
  return { shell, count };
}

const rows = parseCsv(readFileSync(path.join(args.cohort, 'manifest.csv'), 'utf8'));
const col = (name) => rows[0].indexOf(name);
const patients = rows.slice(1).filter((_, k) => k % every === 0);
const lines = [];
let names = null;
for (const [k, r] of patients.entries()) {
  const id = r[col('patient_id')];
  const { input } = await loadRadiomicsCase(path.join(args.cohort, r[col('image_path')]), path.join(args.cohort, r[col('mask_path')]), { caseId: id });
  const { shell, count } = shellMask(input.image, input.mask);
  try {
    const result = await extractRadiomics({ caseId: id, image: input.image, mask: { ...input.mask, voxels: shell } }, { params });
    names ??= Object.keys(result.features).filter((f) => !f.startsWith('diagnostics'));
    if (!lines.length) lines.push(['patient_id', 'shell_voxels', ...names].join(','));
    lines.push([id, count, ...names.map((f) => result.features[f])].join(','));
  } catch (e) {
    process.stderr.write(`${id}: ${e.message}\n`);
  }
  if ((k + 1) % 50 === 0 || k + 1 === patients.length) {
    writeFileSync(args.out, lines.join('\n') + '\n');
    process.stderr.write(`${k + 1}/${patients.length}\n`);
  }
}
