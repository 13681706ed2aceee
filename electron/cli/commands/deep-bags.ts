import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readFileSync } from 'node:fs';
import { HilumError } from '../../engine/core/errors.js';
import { DEFAULT_BAG_CONFIG, bagChannels, parseBagConfig } from '../../engine/deep/bag-config.js';
import type { BagCase } from '../../engine/deep/bag-dataset.js';
import { exportCohortBags } from '../../engine/pipeline/cohort-bags.js';
import { readCohortManifest as readStudyManifest } from '../../engine/pipeline/cohort-manifest.js';

interface DeepBagsOptions {
  manifest: string;
  out: string;
  config?: string;
  jobs: string;
}

export function registerDeepBags(program: Command): void {
  program
    .command('deep-bags')
    .description(
      'cut the 2.5D slice bags (largest tumour slice and its neighbours, windowed crops) of every patient of a cohort manifest ' +
        '(hilum phantom manifest.csv: patient_id, centre, image_path, mask_path, label) into bags.f32 + index.json, for the training recipe in models/training',
    )
    .requiredOption('--manifest <manifest.csv>', 'cohort manifest (paths relative to it)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <bag.json>', "bag configuration (JSON); the default is the shipped model's")
    .option('--jobs <n>', 'worker threads cutting bags at once', '2')
    .action(async (opts: DeepBagsOptions) => {
      const config = opts.config ? parseBagConfig(JSON.parse(readFileSync(opts.config, 'utf8')), opts.config) : DEFAULT_BAG_CONFIG;
      const jobs = Number(opts.jobs);
      if (!(Number.isInteger(jobs) && jobs >= 1 && jobs <= 64))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--jobs must be a whole number from 1 to 64, got '${opts.jobs}'` });
      const cases = readCohortManifest(opts.manifest);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'bags |{bar}| {value}/{total} {eta_formatted} left' }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(cases.length, 0);
      let index;
      try {
        index = await exportCohortBags(cases, opts.out, config, jobs, (done) => bar?.update(done));
      } finally {
        bar?.stop();
      }
      const slices = index.cases.reduce((s, c) => s + c.shape[0], 0);
      process.stdout.write(`wrote ${index.cases.length} bags (${slices} slices of ${bagChannels(config)}×${config.sizePx}×${config.sizePx}) to ${opts.out}\n`);
    });
}

/** The cases of a cohort manifest (patient_id, centre, image_path, mask_path, label) as bag cases. */
export function readCohortManifest(file: string): BagCase[] {
  return readStudyManifest(file).cases.map((c) => ({ id: c.id, centre: c.centre, label: c.label, image: c.image, mask: c.mask }));
}
