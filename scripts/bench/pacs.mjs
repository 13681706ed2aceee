// PACS benchmark: retrieve a 300-slice 512×512 CT series (C-GET, 16-bit, uncompressed) from a local
// Orthanc started for the run (the tests' launcher: 127.0.0.1, free ports, temporary storage) into
// a fresh folder, as `hilum pacs get` does. Seconds and MB/s of DICOM files written; median of 3.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { writeCtSeries } from '../../dist/electron/engine/imaging/dicom/write-series.js';
import { retrieveCtSeries } from '../../dist/electron/engine/pacs/retrieve.js';

const RUNS = 3;
const DIMS = [512, 512, 300];

/** A CT-like volume: air outside an ellipse, soft tissue with a ramp inside (every slice differs). */
function syntheticCt() {
  const [nx, ny, nz] = DIMS;
  const voxels = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = (i - nx / 2) / (nx * 0.45);
        const y = (j - ny / 2) / (ny * 0.35);
        voxels[i + nx * (j + ny * k)] = x * x + y * y < 1 ? 40 + ((i + 3 * j + 7 * k) % 200) : -1000;
      }
  return { dims: DIMS, spacingMm: [0.7, 0.7, 1], originLps: [-180, -180, -300], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels };
}

export async function runPacsBench() {
  register();
  const { startOrthanc } = await import('../../test/orthanc.ts');
  const started = await startOrthanc();
  if (!started.orthanc) return { text: `pacs — skipped: ${started.reason}` };
  const orthanc = started.orthanc;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hilum-bench-pacs-'));
  const runs = [];
  try {
    const files = await writeCtSeries(syntheticCt(), path.join(dir, 'source'), { patientId: 'BENCH-PACS', patientName: 'BENCH^PACS' });
    const t = performance.now();
    await orthanc.upload(files);
    const upload = (performance.now() - t) / 1000;
    const [study] = await orthanc.rest('/studies');
    const { MainDicomTags } = await orthanc.rest(`/studies/${study}`);
    for (let i = 0; i < RUNS; i++) {
      const r = await retrieveCtSeries(orthanc.node, { studyInstanceUid: MainDicomTags.StudyInstanceUID }, path.join(dir, `retrieved-${i}`));
      if (r.files.length !== DIMS[2]) throw new Error(`retrieved ${r.files.length} of ${DIMS[2]} slices`);
      runs.push({ seconds: r.seconds, bytes: r.bytes });
      rmSync(path.join(dir, `retrieved-${i}`), { recursive: true, force: true });
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const mid = runs[Math.floor(runs.length / 2)];
    const mb = mid.bytes / 1e6;
    const text = [
      `pacs — C-GET of a ${DIMS.join('×')} CT series from a local Orthanc (${os.cpus().length} cores; median of ${RUNS})`,
      `  retrieve             ${mid.seconds.toFixed(2)} s (runs ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s), series query included`,
      `  throughput           ${(mb / mid.seconds).toFixed(1)} MB/s (${mb.toFixed(1)} MB of DICOM files, ${DIMS[2]} instances)`,
      `  upload (REST, once)  ${upload.toFixed(2)} s`,
    ].join('\n');
    return { text, seconds: mid.seconds, megabytesPerSecond: mb / mid.seconds };
  } finally {
    await orthanc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
