// Imaging benchmark: full import of a synthetic 300-slice 512×512 CT series, uncompressed and JPEG 2000.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { scanDicom, loadSeriesVolume } from '../../dist/electron/engine/imaging/dicom/import.js';
import { writeCtSeries } from '../../dist/electron/engine/imaging/dicom/write-series.js';
import { arrayMax } from '../../dist/electron/engine/core/array-extent.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SLICES = 300;
const RUNS = 3;

/** A 300-slice series from the real chest slice: each slice shifted and varied so no two are alike. */
async function syntheticVolume() {
  const source = (await loadSeriesVolume((await scanDicom(path.join(root, 'test/fixtures/imaging/chest_slice'))).series[0])).volume;
  const [nx, ny] = source.dims;
  const voxels = new Int16Array(nx * ny * SLICES);
  for (let k = 0; k < SLICES; k++) {
    const dx = Math.round(6 * Math.sin(k / 17));
    const dy = Math.round(4 * Math.cos(k / 23));
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const si = Math.min(nx - 1, Math.max(0, i + dx));
        const sj = Math.min(ny - 1, Math.max(0, j + dy));
        voxels[i + nx * (j + ny * k)] = source.voxels[si + nx * sj] + ((i * 7 + j * 13 + k * 31) % 5) - 2;
      }
  }
  return { dims: [nx, ny, SLICES], spacingMm: [0.625, 0.625, 1.25], originLps: [-160, -160, -200], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels };
}

async function ensureSeries(dir, encoding, volumePromise) {
  if (existsSync(dir) && readdirSync(dir).length === SLICES) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const volume = await volumePromise();
  const bar = new cliProgress.SingleBar(
    { format: `writing ${encoding.padEnd(18)} |{bar}| {value}/{total}`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(SLICES, 0);
  await writeCtSeries(volume, dir, { encoding, seriesDescription: `bench ${encoding}`, onProgress: (d) => bar.update(d) });
  bar.stop();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runImagingBench() {
  const cache = path.join(os.tmpdir(), 'hilum-bench', 'imaging-v1');
  let volume;
  const getVolume = async () => (volume ??= await syntheticVolume());
  const cases = [
    { name: 'uncompressed (Explicit VR LE)', dir: path.join(cache, 'uncompressed'), encoding: 'explicit-little', targetWall: 1.0 },
    { name: 'JPEG 2000 lossless', dir: path.join(cache, 'j2k'), encoding: 'jpeg2000-lossless', targetWall: null },
  ];
  const rows = [];
  for (const c of cases) {
    await ensureSeries(c.dir, c.encoding, getVolume);
    const runs = [];
    for (let r = 0; r < RUNS; r++)
      runs.push(JSON.parse(execFileSync(process.execPath, [path.join(root, 'scripts/bench/import-once.mjs'), c.dir], { encoding: 'utf8' })));
    const int16Bytes = runs[0].dims.reduce((a, b) => a * b, 1) * 2;
    const peak = arrayMax(runs.map((x) => x.peakRssBytes));
    rows.push({
      case: c.name,
      wall: median(runs.map((x) => x.wallSeconds)),
      cpu: median(runs.map((x) => x.cpuSeconds)),
      peakRssMb: peak / 2 ** 20,
      rssRatio: peak / int16Bytes,
      targetWall: c.targetWall,
      voxelType: runs[0].voxelType,
    });
  }
  const int16Mb = (512 * 512 * SLICES * 2) / 2 ** 20;
  const lines = [
    `Imaging: full import (header scan + decode + volume) of a synthetic ${SLICES}-slice 512×512 series; median of ${RUNS} runs, each in a fresh process; ${os.cpus().length} cores`,
    `  Int16 volume size: ${int16Mb.toFixed(1)} MiB; targets: uncompressed ≤ 1.0 s wall, peak RSS ≤ 2.5 × volume`,
    '  case                              wall s   CPU s   peak RSS MiB   RSS/volume   target',
    ...rows.map(
      (r) =>
        `  ${r.case.padEnd(32)} ${r.wall.toFixed(2).padStart(7)} ${r.cpu.toFixed(2).padStart(7)} ${r.peakRssMb.toFixed(0).padStart(14)} ${r.rssRatio.toFixed(2).padStart(12)}   ${
          r.targetWall === null ? (r.rssRatio <= 2.5 ? 'RSS ok' : 'RSS over') : r.wall <= r.targetWall && r.rssRatio <= 2.5 ? 'met' : 'MISSED'
        }`,
    ),
  ];
  return { rows, text: lines.join('\n') };
}
