import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { DEFAULT_BAG_CONFIG, parseBagConfig } from '../../engine/deep/bag-config.js';
import { type BagCase, exportBags } from '../../engine/deep/bag-dataset.js';
import { parseCsv } from '../../engine/core/csv.js';

interface DeepBagsOptions {
  manifest: string;
  out: string;
  config?: string;
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
    .action(async (opts: DeepBagsOptions) => {
      const config = opts.config ? parseBagConfig(JSON.parse(readFileSync(opts.config, 'utf8')), opts.config) : DEFAULT_BAG_CONFIG;
      const cases = readCohortManifest(opts.manifest);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'bags |{bar}| {value}/{total} {eta_formatted} left' }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(cases.length, 0);
      let index;
      try {
        index = await exportBags(cases, opts.out, config, (done) => bar?.update(done));
      } finally {
        bar?.stop();
      }
      const slices = index.cases.reduce((s, c) => s + c.shape[0], 0);
      process.stdout.write(
        `wrote ${index.cases.length} bags (${slices} slices of ${config.windows.length}×${config.sizePx}×${config.sizePx}) to ${opts.out}\n`,
      );
    });
}

/** The cases of a cohort manifest: patient_id, centre, image_path, mask_path and the 0/1 outcome label. */
export function readCohortManifest(file: string): BagCase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `manifest ${file} does not exist` });
  }
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const need = ['patient_id', 'centre', 'image_path', 'mask_path', 'label'];
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length) throw new HilumError({ code: 'MANIFEST_INVALID', message: `manifest ${file} lacks the column(s) ${missing.join(', ')}` });
  const col = (name: string) => header.indexOf(name);
  const base = path.dirname(path.resolve(file));
  return rows.slice(1).map((r, k) => {
    const label = Number(r[col('label')]);
    if (label !== 0 && label !== 1)
      throw new HilumError({ code: 'MANIFEST_INVALID', message: `manifest ${file}, row ${k + 2}: label must be 0 or 1, got '${r[col('label')]}'` });
    if (!r[col('image_path')] || !r[col('mask_path')])
      throw new HilumError({
        code: 'MANIFEST_INVALID',
        message: `manifest ${file}, row ${k + 2}: image_path and mask_path are needed (a cohort written with --no-images has none)`,
      });
    return {
      id: r[col('patient_id')],
      centre: r[col('centre')],
      label,
      image: path.resolve(base, r[col('image_path')]),
      mask: path.resolve(base, r[col('mask_path')]),
    };
  });
}
