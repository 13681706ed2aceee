// Phantom and segmentation benchmark: how fast the synthetic cohort generator writes patients (CT
// series, mask, clinical record) with all cores, and how long a click-to-segment takes on those
// patients' CTs read back from disk, with its Dice against the ground-truth mask. Runs dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { register } from 'tsx/esm/api';
import { generateCohort } from '../../dist/electron/engine/phantom/index.js';
import { loadVolume } from '../../dist/electron/engine/imaging/load.js';
import { segmentNodule, dice } from '../../dist/electron/engine/segmentation/index.js';
import { arrayMax, arrayMin } from '../../dist/electron/engine/core/array-extent.js';

const PATIENTS = 20;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The mask voxel nearest the mask's centroid: where a surgeon would click. */
function clickPoint(mask) {
  const [nx, ny] = mask.dims;
  const sum = [0, 0, 0];
  let n = 0;
  for (let o = 0; o < mask.voxels.length; o++)
    if (mask.voxels[o]) {
      sum[0] += o % nx;
      sum[1] += Math.floor(o / nx) % ny;
      sum[2] += Math.floor(o / (nx * ny));
      n++;
    }
  const c = sum.map((s) => s / n);
  let best = null;
  let bestD = Infinity;
  for (let o = 0; o < mask.voxels.length; o++)
    if (mask.voxels[o]) {
      const v = [o % nx, Math.floor(o / nx) % ny, Math.floor(o / (nx * ny))];
      const d = (v[0] - c[0]) ** 2 + (v[1] - c[1]) ** 2 + (v[2] - c[2]) ** 2;
      if (d < bestD) [best, bestD] = [v, d];
    }
  return best;
}

export async function runPhantomBench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hilum-bench-phantom-'));
  const jobs = Math.max(1, Math.min(os.availableParallelism(), 4));
  try {
    const bar = new cliProgress.SingleBar(
      { format: 'generating patients |{bar}| {value}/{total}', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(PATIENTS, 0);
    const started = performance.now();
    const { rows, summary } = await generateCohort({
      outDir: dir,
      centres: [
        { id: 'A', count: PATIENTS / 2 },
        { id: 'B', count: PATIENTS / 2 },
      ],
      seed: 'bench',
      jobs,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    const minutes = (performance.now() - started) / 60000;

    const times = [];
    const dices = [];
    let refused = 0;
    // The workstation is a long-running process: one click first so compilation is not timed.
    {
      const ct = (await loadVolume(path.join(dir, rows[0].image_path))).volume;
      const truth = (await loadVolume(path.join(dir, rows[0].mask_path))).volume;
      try {
        segmentNodule(ct, { seed: { voxel: clickPoint(truth) } });
      } catch {
        // timed below
      }
    }
    for (const row of rows) {
      const ct = (await loadVolume(path.join(dir, row.image_path))).volume;
      const truth = (await loadVolume(path.join(dir, row.mask_path))).volume;
      const seed = clickPoint(truth);
      const t = performance.now();
      try {
        const result = segmentNodule(ct, { seed: { voxel: seed } });
        times.push(performance.now() - t);
        dices.push(dice(result.mask.voxels, truth.voxels));
      } catch {
        times.push(performance.now() - t);
        refused++;
        dices.push(0);
      }
    }
    // The acceptance set of the segmentation test: 100 nodules of every kind, a random seed inside each.
    const unregister = register();
    const { testNodule } = await import('../../test/engine/segmentation/nodule-set.ts');
    unregister();
    const setTimes = [];
    const setDices = [];
    const setBar = new cliProgress.SingleBar(
      { format: 'segmenting the 100-nodule set |{bar}| {value}/{total}', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    setBar.start(100, 0);
    for (let i = 0; i < 100; i++) {
      const nodule = testNodule('acceptance', i, 100);
      const t = performance.now();
      try {
        setDices.push(dice(segmentNodule(nodule.ct, { seed: { voxel: nodule.seed } }).mask.voxels, nodule.truth));
      } catch {
        setDices.push(0);
      }
      setTimes.push(performance.now() - t);
      setBar.update(i + 1);
    }
    setBar.stop();
    const text = [
      `phantom cohort (${PATIENTS} patients, centres A and B, ${jobs} worker${jobs > 1 ? 's' : ''}, with CT series and masks)`,
      `  generation      ${(PATIENTS / minutes).toFixed(1)} patients/min (${(minutes * 60).toFixed(1)} s); prevalence ${(100 * summary.prevalence).toFixed(0)} %`,
      `click-to-segment on those patients (seed at the mask centre, CT read from DICOM, after one warm-up click)`,
      `  time            median ${(median(times) / 1000).toFixed(2)} s, max ${(arrayMax(times) / 1000).toFixed(2)} s`,
      `  Dice vs truth   median ${median(dices).toFixed(3)}, min ${arrayMin(dices).toFixed(3)}${refused ? `, ${refused} refused` : ''}`,
      `click-to-segment on the test's 100-nodule acceptance set (72 × 72 × 56 mm regions, seed at a random voxel inside; target median ≤ 0.5 s)`,
      `  time            median ${(median(setTimes) / 1000).toFixed(2)} s, max ${(arrayMax(setTimes) / 1000).toFixed(2)} s`,
      `  Dice vs truth   median ${median(setDices).toFixed(3)}, min ${arrayMin(setDices).toFixed(3)}`,
    ].join('\n');
    return {
      text,
      patientsPerMinute: PATIENTS / minutes,
      medianSegmentSeconds: median(times) / 1000,
      medianDice: median(dices),
      acceptanceSetSeconds: median(setTimes) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
