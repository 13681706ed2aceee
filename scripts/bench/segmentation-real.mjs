// Click-to-segment on real CT: every nodule of ../shared/reference/imaging/lidc_nodules (166 real
// LIDC-IDRI nodules; those with an equivalent diameter ≥ 5 mm are scored) clicked at its centre and
// at two seeded random voxels of the readers' mask: Dice per texture and size band, refusals by
// name, time per click, diameter agreement (Bland–Altman), and the five worst cases drawn as PNGs
// (bench-results/segmentation-real/, readers' outline green, Hilum's red, click blue). Then the IBSI
// CT phantom's GTV (a real ≈ 360 mL NSCLC) from one click plus a box. Skips, saying so, where
// ../shared is absent (a fresh clone). Runs dist/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { PNG } from 'pngjs';
import { loadLidcCase, readLidcIndex } from '../../dist/electron/engine/pipeline/lidc-set.js';
import { formatValidation, summariseValidation, validateNodule } from '../../dist/electron/engine/pipeline/segmentation-validation.js';
import { loadVolume } from '../../dist/electron/engine/imaging/load.js';
import { indexToWorld } from '../../dist/electron/engine/imaging/grid.js';
import { dice, segmentNodule } from '../../dist/electron/engine/segmentation/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'reference');
const lidc = path.join(shared, 'imaging', 'lidc_nodules');
const ibsi = path.join(shared, 'radiomics', 'ibsi', 'ibsi_1_ct_radiomics_phantom', 'nifti');
const out = path.join(root, 'bench-results', 'segmentation-real');

export async function runSegmentationRealBench() {
  if (!existsSync(path.join(lidc, 'nodules.csv')))
    return { text: `Click-to-segment on real nodules: skipped — ${lidc} (the LIDC-IDRI crops) is not here (a fresh clone has no ../shared).` };
  const rows = readLidcIndex(lidc);
  const bar = new cliProgress.SingleBar(
    { format: 'segmenting real nodules |{bar}| {value}/{total}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(rows.length, 0);
  const results = [];
  const cases = new Map();
  // The workstation is a long-running process: the first click compiles the code and is not counted.
  validateNodule(await loadLidcCase(lidc, rows[0]));
  for (const row of rows) {
    const c = await loadLidcCase(lidc, row);
    const result = validateNodule(c);
    if (result.equivalentDiameterMm >= 5) {
      results.push(result);
      cases.set(result.id, c);
    }
    bar.increment();
  }
  bar.stop();
  const summary = summariseValidation(results);
  mkdirSync(out, { recursive: true });
  const pictures = [];
  for (const w of summary.worst) {
    const file = path.join(out, `${w.id}.png`);
    drawWorst(
      cases.get(w.id),
      results.find((r) => r.id === w.id),
      file,
    );
    pictures.push(path.relative(root, file));
  }
  const lines = [
    `Click-to-segment on real nodules: ${results.length} of ${rows.length} LIDC-IDRI nodules with an equivalent diameter ≥ 5 mm, ${os.cpus().length} cores`,
    formatValidation(summary),
    `pictures of the worst five (axial slice through the random click; readers green, Hilum red, both yellow, click blue): ${pictures.join(', ')}`,
    await ibsiGtv(),
  ];
  return { text: lines.join('\n'), summary };
}

/** The IBSI CT phantom's GTV from one click at its centroid voxel, with no box and with a box 3 voxels wider than the GTV. */
async function ibsiGtv() {
  if (!existsSync(path.join(ibsi, 'image', 'phantom.nii.gz'))) return 'IBSI CT phantom GTV: skipped (not in ../shared).';
  const ct = (await loadVolume(path.join(ibsi, 'image', 'phantom.nii.gz'))).volume;
  const gtv = (await loadVolume(path.join(ibsi, 'mask', 'mask.nii.gz'))).volume;
  const [nx, ny] = ct.dims;
  const truth = new Uint8Array(gtv.voxels.length);
  const sum = [0, 0, 0];
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let n = 0;
  for (let o = 0; o < truth.length; o++) {
    if (!(gtv.voxels[o] > 0)) continue;
    truth[o] = 1;
    n++;
    const v = [o % nx, Math.floor(o / nx) % ny, Math.floor(o / (nx * ny))];
    v.forEach((x, a) => {
      sum[a] += x;
      lo[a] = Math.min(lo[a], x);
      hi[a] = Math.max(hi[a], x);
    });
  }
  const click = sum.map((s) => Math.round(s / n));
  const lines = [
    `IBSI CT phantom GTV (${((n * ct.spacingMm[0] * ct.spacingMm[1] * ct.spacingMm[2]) / 1000).toFixed(0)} mL), one click at voxel ${click.join(', ')}:`,
  ];
  const boxes = [
    ['no box', null],
    ['box 3 voxels beyond the GTV', [lo.map((v) => v - 3), hi.map((v) => v + 3)]],
    ['box 10 mm beyond the GTV', [lo.map((v, a) => v - Math.round(10 / ct.spacingMm[a])), hi.map((v, a) => v + Math.round(10 / ct.spacingMm[a]))]],
  ];
  for (const [name, box] of boxes) {
    const started = performance.now();
    try {
      const boundingBox = box ? { minLps: indexToWorld(ct, box[0]), maxLps: indexToWorld(ct, box[1]) } : undefined;
      const result = segmentNodule(ct, { seed: { voxel: click }, boundingBox });
      lines.push(
        `  ${name.padEnd(30)} Dice ${dice(result.mask.voxels, truth).toFixed(3)}, ${result.measurements.volumeMl.toFixed(0)} mL, ${((performance.now() - started) / 1000).toFixed(2)} s`,
      );
    } catch (error) {
      lines.push(`  ${name.padEnd(30)} ${error.code ?? 'error'}: ${error.message}`);
    }
  }
  return lines.join('\n');
}

/** One axial slice through the random click, 8× enlarged, lung window: readers' outline green, Hilum's red, both yellow, the click blue. */
function drawWorst(c, result, file) {
  const [nx, ny] = c.ct.dims;
  const k = result.random.voxel[2];
  let mine = new Uint8Array(c.truth.length);
  try {
    mine = segmentNodule(c.ct, { seed: { voxel: result.random.voxel } }).mask.voxels;
  } catch {
    // a refusal draws no outline
  }
  const S = 8;
  const png = new PNG({ width: nx * S, height: ny * S });
  const edge = (m, i, j) => {
    const q = i + nx * (j + ny * k);
    return m[q] === 1 && (i === 0 || j === 0 || i === nx - 1 || j === ny - 1 || !m[q - 1] || !m[q + 1] || !m[q - nx] || !m[q + nx]);
  };
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const hu = c.ct.voxels[i + nx * (j + ny * k)];
      const g = Math.max(0, Math.min(255, ((hu + 1350) / 1500) * 255));
      const readers = edge(c.truth, i, j);
      const hilum = edge(mine, i, j);
      let colour = readers && hilum ? [255, 230, 0] : readers ? [0, 220, 0] : hilum ? [255, 40, 40] : [g, g, g];
      if (i === result.random.voxel[0] && j === result.random.voxel[1]) colour = [40, 140, 255];
      for (let dy = 0; dy < S; dy++)
        for (let dx = 0; dx < S; dx++) {
          const p = ((j * S + dy) * png.width + i * S + dx) * 4;
          png.data[p] = colour[0];
          png.data[p + 1] = colour[1];
          png.data[p + 2] = colour[2];
          png.data[p + 3] = 255;
        }
    }
  writeFileSync(file, PNG.sync.write(png));
}
