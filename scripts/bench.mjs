// `npm run bench`: timing targets live here, not in tests. Runs against the compiled engine (dist/).
import { runImagingBench } from './bench/imaging.mjs';
import { runRadiomicsBench } from './bench/radiomics.mjs';
import { runRadiomicsRealBench } from './bench/radiomics-real.mjs';
import { runPhantomBench } from './bench/phantom.mjs';
import { runSegmentationRealBench } from './bench/segmentation-real.mjs';
import { runDeepBench } from './bench/deep.mjs';
import { runStudyBench } from './bench/study.mjs';
import { runBedsideBench } from './bench/bedside.mjs';
import { runRendererBench } from './bench/renderer.mjs';
import { runPacsBench } from './bench/pacs.mjs';

const suites = [
  ['imaging', runImagingBench],
  ['radiomics', runRadiomicsBench],
  ['radiomics-real', runRadiomicsRealBench],
  ['phantom', runPhantomBench],
  ['segmentation-real', runSegmentationRealBench],
  ['deep', runDeepBench],
  ['study', runStudyBench],
  ['bedside', runBedsideBench],
  ['renderer', runRendererBench],
  ['pacs', runPacsBench],
];
const only = process.argv.slice(2);
for (const [name, run] of suites) {
  if (only.length && !only.includes(name)) continue;
  const result = await run();
  process.stdout.write(result.text + '\n\n');
}
