// Radiomics benchmark: PyRadiomics' full set (original + wavelet + LoG σ 1, 2, 3 mm) and the
// original image alone, on breast1 and brain1 (PyRadiomics' test cases) and on a synthetic 30 mm lung
// nodule; each timing in a fresh process, beside PyRadiomics 3.1's times measured on this kind of
// machine (../shared/reference/radiomics/pyradiomics-3.1/README.md). Runs the compiled engine (dist/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { writeNrrd } from '../../dist/electron/engine/imaging/nrrd.js';
import { arrayMax } from '../../dist/electron/engine/core/array-extent.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'radiomics');
const RUNS = 3;

/** PyRadiomics 3.1 execute() times on this kind of 2-core machine (pyradiomics-3.1/README.md). */
const PYRADIOMICS = {
  breast1: { original: 0.03, full: 0.16 },
  brain1: { original: 0.4, full: 1.66 },
  // The NSCLC CT PyRadiomics was timed on is the IBSI CT phantom (PAT1, 204×201×60, GTV).
  'nsclc-ct': { original: 1.71, full: 5.98 },
  nodule: { original: null, full: null },
};

const FULL = `imageType:\n  Original: {}\n  Wavelet: {}\n  LoG:\n    sigma: [1.0, 2.0, 3.0]\nfeatureClass:\n  shape:\n  firstorder:\n  glcm:\n  glrlm:\n  glszm:\n  gldm:\n  ngtdm:\nsetting:\n  binWidth: 25\n  label: 1\n`;
const ORIGINAL = `imageType:\n  Original: {}\nfeatureClass:\n  shape:\n  firstorder:\n  glcm:\n  glrlm:\n  glszm:\n  gldm:\n  ngtdm:\nsetting:\n  binWidth: 25\n  label: 1\n`;

async function prepare(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'full.yaml'), FULL);
  writeFileSync(path.join(dir, 'original.yaml'), ORIGINAL);
  const file = (name) => path.join(dir, name);
  if (![file('nodule30_image.nrrd'), file('nodule30_label.nrrd'), file('nsclc_image.nrrd'), file('nsclc_label.nrrd')].every(existsSync)) {
    // The synthetic nodule and the full-size CT phantom come from test helpers written in TypeScript.
    const unregister = register();
    const { syntheticNodule } = await import('../../test/engine/radiomics/synthetic-nodule.ts');
    const { ibsiCtPhantom } = await import('../../test/engine/radiomics/reference.ts');
    unregister();
    const nodule = syntheticNodule(30);
    writeNrrd(file('nodule30_image.nrrd'), nodule.image, { gzip: true });
    writeNrrd(file('nodule30_label.nrrd'), nodule.mask, { gzip: true });
    const ct = ibsiCtPhantom();
    writeNrrd(file('nsclc_image.nrrd'), ct.image, { gzip: true });
    writeNrrd(file('nsclc_label.nrrd'), ct.mask, { gzip: true });
  }
  return {
    breast1: [path.join(fixtures, 'pyradiomics/data/breast1_image.nrrd'), path.join(fixtures, 'pyradiomics/data/breast1_label.nrrd')],
    brain1: [path.join(fixtures, 'pyradiomics/data/brain1_image.nrrd'), path.join(fixtures, 'pyradiomics/data/brain1_label.nrrd')],
    'nsclc-ct': [file('nsclc_image.nrrd'), file('nsclc_label.nrrd')],
    nodule: [file('nodule30_image.nrrd'), file('nodule30_label.nrrd')],
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runRadiomicsBench() {
  const dir = path.join(os.tmpdir(), 'hilum-bench', 'radiomics-v1');
  const cases = await prepare(dir);
  const threads = Math.max(1, Math.min(os.availableParallelism(), 4));
  const rows = [];
  for (const [name, [image, mask]] of Object.entries(cases))
    for (const set of ['original', 'full'])
      for (const jobs of [1, threads]) {
        if (jobs === threads && threads === 1 && rows.some((r) => r.name === name && r.set === set)) continue;
        const runs = [];
        for (let r = 0; r < RUNS; r++)
          runs.push(
            JSON.parse(
              execFileSync(process.execPath, [path.join(root, 'scripts/bench/radiomics-once.mjs'), image, mask, path.join(dir, `${set}.yaml`), String(jobs)], {
                encoding: 'utf8',
              }),
            ),
          );
        rows.push({
          name,
          set,
          jobs,
          features: runs[0].features,
          cold: median(runs.map((x) => x.coldSeconds)),
          warm: median(runs.map((x) => x.warmSeconds)),
          cpu: median(runs.map((x) => x.cpuSeconds)),
          rssMb: arrayMax(runs.map((x) => x.peakRssBytes)) / 2 ** 20,
          pyradiomics: PYRADIOMICS[name][set],
        });
      }
  const lines = [
    `Radiomics: PyRadiomics-compatible extraction (full = original + wavelet + LoG σ 1,2,3 mm; original = original image only); median of ${RUNS} fresh processes; ${os.cpus().length} cores`,
    '  cold = first extraction in the process (JIT warming up), warm = faster of two more; CPU = per extraction, all threads; PyRadiomics = execute() on this kind of machine',
    '  case      set       threads  features  cold s   warm s   CPU s   peak RSS MiB   PyRadiomics s   warm vs PyRadiomics',
    ...rows.map(
      (r) =>
        `  ${r.name.padEnd(9)} ${r.set.padEnd(9)} ${String(r.jobs).padStart(7)} ${String(r.features).padStart(9)} ${r.cold.toFixed(2).padStart(7)} ${r.warm.toFixed(2).padStart(8)} ${r.cpu
          .toFixed(2)
          .padStart(7)} ${r.rssMb.toFixed(0).padStart(14)} ${r.pyradiomics === null ? '–'.padStart(15) : r.pyradiomics.toFixed(2).padStart(15)}   ${
          r.pyradiomics === null ? '' : `${(r.pyradiomics / r.warm).toFixed(1)}× ${r.warm <= r.pyradiomics ? 'faster' : 'slower'}`
        }`,
    ),
    '  nsclc-ct: the IBSI CT phantom (NSCLC, 204×201×60, GTV), the CT PyRadiomics 3.1 was timed on; nodule: synthetic 30 mm textured nodule in',
    '  lung-like background, 0.7×0.7×1.25 mm (test/engine/radiomics/synthetic-nodule.ts), no PyRadiomics time recorded.',
    '  Timings on a shared machine: compare CPU s when other work competes for the cores.',
  ];
  return { rows, text: lines.join('\n') };
}
