import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { HilumError } from '../../engine/core/errors.js';
import { ensureDemoCase, generateCohort, parseCentres } from '../../engine/phantom/index.js';
import { fmt } from '../output.js';

interface PhantomOptions {
  out: string;
  n?: string;
  centres: string;
  seed: string;
  jobs?: string;
  images: boolean;
  encoding: string;
  demo?: boolean;
  json?: boolean;
}

export function registerPhantom(program: Command): void {
  program
    .command('phantom')
    .description(
      'generate a synthetic two-centre cohort of contrast-enhanced chest CTs with lung adenocarcinoma nodules: DICOM series, ground-truth masks (NIfTI), clinical data (JSON) ' +
        "and manifest.csv, with each patient's true metastasis probability. SYNTHETIC DATA, NOT PATIENTS. Deterministic: the same seed gives the same bytes. See docs/phantom.md",
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--n <count>', 'number of patients, split over the centres in proportion to --centres')
    .option('--centres <spec>', 'patients per centre, e.g. A:781,B:318 (centre A trains, B tests externally)', 'A:781,B:318')
    .option('--seed <seed>', 'random seed', '1')
    .option('--jobs <n>', 'worker threads (default: cores, at most 4)')
    .option('--no-images', 'write clinical data and the manifest only (fast)')
    .option('--encoding <syntax>', 'DICOM encoding: explicit-little, jpeg2000-lossless or htj2k-lossless', 'explicit-little')
    .option('--demo', 'write the bedside demo case (one full-field-of-view patient) instead of a cohort')
    .option('--json', 'print the cohort summary as JSON')
    .action(async (opts: PhantomOptions) => {
      if (opts.demo) {
        const demo = await ensureDemoCase(opts.out);
        process.stdout.write(
          opts.json
            ? JSON.stringify(demo, null, 2) + '\n'
            : `demo case: ${demo.seriesDir}\n  mask ${demo.maskPath}\n  clinical ${demo.clinicalPath}\n  ${demo.notice}\n`,
        );
        return;
      }
      let centres = parseCentres(opts.centres);
      if (opts.n !== undefined) {
        const n = Number(opts.n);
        if (!Number.isInteger(n) || n < 1) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--n must be a whole number ≥ 1, got '${opts.n}'` });
        centres = scaleCentres(centres, n);
      }
      if (!['explicit-little', 'jpeg2000-lossless', 'htj2k-lossless'].includes(opts.encoding))
        throw new HilumError({
          code: 'INVALID_ARGUMENT',
          message: `--encoding must be explicit-little, jpeg2000-lossless or htj2k-lossless, got '${opts.encoding}'`,
        });
      const total = centres.reduce((s, c) => s + c.count, 0);
      const bar =
        !opts.json && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'patients |{bar}| {value}/{total} {eta_formatted} left' },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(total, 0);
      const started = performance.now();
      let result;
      try {
        result = await generateCohort({
          outDir: opts.out,
          centres,
          seed: opts.seed,
          jobs: opts.jobs === undefined ? undefined : Number(opts.jobs),
          images: opts.images,
          encoding: opts.encoding as 'explicit-little',
          onProgress: (done) => bar?.update(done),
        });
      } finally {
        bar?.stop();
      }
      const minutes = (performance.now() - started) / 60000;
      const s = result.summary;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...s, manifest: result.manifestPath, minutes }, null, 2) + '\n');
        return;
      }
      const lines = [
        `${s.notice}`,
        `wrote ${s.patients} patients to ${opts.out} (manifest ${result.manifestPath}) in ${fmt(minutes, 1)} min (${fmt(s.patients / minutes, 0)} patients/min)`,
        `  events ${s.events} (prevalence ${fmt(100 * s.prevalence, 1)} %), oracle AUC ${fmt(s.oracleAuc, 3)}`,
        ...Object.entries(s.byCentre).map(
          ([id, c]) => `  centre ${id}: ${c.patients} patients, prevalence ${fmt(100 * c.prevalence, 1)} %, oracle AUC ${fmt(c.oracleAuc, 3)}`,
        ),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** Splits n patients over the centres in proportion to their counts (largest remainders). */
export function scaleCentres(centres: { id: string; count: number }[], n: number): { id: string; count: number }[] {
  const total = centres.reduce((s, c) => s + c.count, 0) || centres.length;
  const exact = centres.map((c) => ((total === centres.length && c.count === 0 ? 1 : c.count) * n) / total);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k].i]++;
  return centres.map((c, i) => ({ id: c.id, count: counts[i] }));
}
