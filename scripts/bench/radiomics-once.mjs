// One radiomics timing in a fresh process: node radiomics-once.mjs IMAGE MASK PARAMS.yaml JOBS
// Prints {coldSeconds, warmSeconds, cpuSeconds, peakRssBytes, features}: the first extraction (JIT
// still warming up), the faster of two more in the same process, the mean CPU time per extraction
// (all threads), peak RSS.
import { readImageFile } from '../../dist/electron/engine/imaging/image-files.js';
import { extractRadiomics } from '../../dist/electron/engine/radiomics/extractor.js';
import { createRadiomicsPool } from '../../dist/electron/engine/radiomics/pool.js';
import { readParameterFile } from '../../dist/electron/engine/radiomics/settings.js';
import { arrayMin } from '../../dist/electron/engine/core/array-extent.js';

const [imagePath, maskPath, paramsPath, jobsText] = process.argv.slice(2);
const jobs = Number(jobsText);
const image = readImageFile(imagePath).image;
const mask = readImageFile(maskPath).image;
const params = readParameterFile(paramsPath);
const pool = jobs > 1 ? createRadiomicsPool(jobs) : undefined;
const cpu0 = process.cpuUsage();
const times = [];
let features = 0;
const RUNS = 3;
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const result = await extractRadiomics({ caseId: 'bench', image, mask }, { params, pool });
  times.push((performance.now() - t0) / 1000);
  features = Object.keys(result.features).length;
}
const cpu = process.cpuUsage(cpu0);
await pool?.close();
process.stdout.write(
  JSON.stringify({
    coldSeconds: times[0],
    warmSeconds: arrayMin(times.slice(1)),
    cpuSeconds: (cpu.user + cpu.system) / 1e6 / RUNS,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    features,
  }),
);
