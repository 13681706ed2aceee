// Satellite-counter probe, step 1 (research, not part of the app): writes each phantom patient's CT
// around the tumour (the mask's bounding box plus 14 mm, HU as int16) and its mask (uint8) to
// OUT/<id>.bin behind a 512-byte JSON header ({dims, spacing}, x fastest), with the engine's own
// DICOM and mask loaders, for probe_satellites.py.
//
//   node models/training/probe_satellites_dump.mjs --cohort DIR --out DIR [--part 0 --parts 2]
//
// Runs the compiled engine (npm run build:engine). Files already written are skipped.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../../dist/electron/engine/core/csv.js';
import { loadVolume } from '../../dist/electron/engine/imaging/load.js';
import { importMask } from '../../dist/electron/engine/imaging/mask-import.js';
import { cropToBox, labelBoundingBox, padBoundingBox } from '../../dist/electron/engine/imaging/volume.js';

const MARGIN_MM = 14;
const { values: args } = parseArgs({
  options: { cohort: { type: 'string' }, out: { type: 'string' }, part: { type: 'string', default: '0' }, parts: { type: 'string', default: '1' } },
});
if (!args.cohort || !args.out) {
  process.stderr.write('usage: node models/training/probe_satellites_dump.mjs --cohort DIR --out DIR [--part K --parts N]\n');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });
const [header, ...rows] = parseCsv(readFileSync(path.join(args.cohort, 'manifest.csv'), 'utf8')).filter((r) => r.length > 1);
const column = (name) => header.indexOf(name);
let written = 0;
for (const [i, row] of rows.entries()) {
  if (i % Number(args.parts) !== Number(args.part)) continue;
  const file = path.join(args.out, `${row[column('patient_id')]}.bin`);
  if (existsSync(file)) continue;
  const { volume } = await loadVolume(path.join(args.cohort, row[column('image_path')]));
  const { mask } = await importMask(path.join(args.cohort, row[column('mask_path')]), volume);
  const box = padBoundingBox(
    labelBoundingBox(mask, 1),
    volume.dims,
    volume.spacingMm.map((s) => Math.ceil(MARGIN_MM / s)),
  );
  const ct = cropToBox(volume, box);
  const hu = Int16Array.from(ct.voxels, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  const labels = Uint8Array.from(cropToBox(mask, box).voxels);
  const json = Buffer.from(JSON.stringify({ dims: ct.dims, spacing: volume.spacingMm }).padEnd(512));
  writeFileSync(file, Buffer.concat([json, Buffer.from(hu.buffer), Buffer.from(labels.buffer)]));
  if (++written % 100 === 0) process.stdout.write(`${written} patients\n`);
}
process.stdout.write(`done: ${written} patients written\n`);
