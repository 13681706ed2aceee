// Second-reader segmentations for the ICC filter of the demonstration study. As the paper had a
// subset of patients segmented twice, every k-th patient of the cohort (40 by default) is
// segmented again by Hilum's click-to-segment, seeded at the nodule centre; the masks go to
// masks/repeat/ and a copy of the manifest gains the repeat_mask_path column (blank for the others).
//
//   node models/training/repeat-masks.mjs --cohort DIR [--n 40] [--out DIR/manifest-with-repeat.csv]
//
// Runs the compiled engine (npm run build:engine).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { csvLine, parseCsv } from '../../dist/electron/engine/core/csv.js';
import { writeImageFile } from '../../dist/electron/engine/imaging/image-files.js';
import { loadVolume } from '../../dist/electron/engine/imaging/load.js';
import { segmentNodule } from '../../dist/electron/engine/segmentation/index.js';

const { values: args } = parseArgs({ options: { cohort: { type: 'string' }, n: { type: 'string', default: '40' }, out: { type: 'string' } } });
if (!args.cohort) {
  process.stderr.write('usage: node models/training/repeat-masks.mjs --cohort DIR [--n 40] [--out FILE]\n');
  process.exit(2);
}
const rows = parseCsv(readFileSync(path.join(args.cohort, 'manifest.csv'), 'utf8'));
const header = rows[0];
const col = (name) => header.indexOf(name);
const patients = rows.slice(1);
const n = Math.min(Number(args.n), patients.length);
const step = patients.length / n;
const chosen = new Set(Array.from({ length: n }, (_, k) => Math.floor(k * step)));
mkdirSync(path.join(args.cohort, 'masks', 'repeat'), { recursive: true });
const out = [csvLine([...header, 'repeat_mask_path'])];
for (const [k, row] of patients.entries()) {
  if (!chosen.has(k)) {
    out.push(csvLine([...row, '']));
    continue;
  }
  const id = row[col('patient_id')];
  const clinical = JSON.parse(readFileSync(path.join(args.cohort, row[col('clinical_path')]), 'utf8'));
  const ct = (await loadVolume(path.join(args.cohort, row[col('image_path')]))).volume;
  const result = segmentNodule(ct, { seed: { worldLps: clinical.truth.noduleCentreLps }, maxDiameterMm: 40 });
  const file = `masks/repeat/${id}.nii.gz`;
  writeImageFile(path.join(args.cohort, file), result.mask);
  out.push(csvLine([...row, file]));
  process.stderr.write(`${id}: ${result.measurements.voxelCount} voxels\n`);
}
const target = args.out ?? path.join(args.cohort, 'manifest-with-repeat.csv');
writeFileSync(target, out.join(''));
process.stdout.write(`wrote ${n} repeat masks and ${target}\n`);
