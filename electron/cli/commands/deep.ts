import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import type { ExecutionProvider } from '../../engine/deep/backbone-session.js';
import { DeepInferenceService } from '../../engine/deep/inference-service.js';
import { type MilState, transformMil } from '../../engine/deep/mil.js';
import { loadBackbone, shippedBackboneDir } from '../../engine/deep/model-card.js';
import { sampleBag } from '../../engine/deep/sampler.js';
import { loadVolume } from '../../engine/imaging/load.js';
import { importMask } from '../../engine/imaging/mask-import.js';
import { fmt, formatFinding } from '../output.js';
import { readCohortManifest } from './deep-bags.js';

interface DeepOptions {
  image?: string;
  mask?: string;
  manifest?: string;
  model: string;
  out?: string;
  providers?: string;
}

const PROVIDERS: ExecutionProvider[] = ['cuda', 'dml', 'coreml', 'cpu'];

/** The model folder shipped with Hilum (models/ beside the app). */
export const shippedModelDir = shippedBackboneDir;

export function registerDeep(program: Command): void {
  program
    .command('deep')
    .description(
      '2.5D deep learning: cut the slice bag (largest tumour slice and neighbours), run it through the ONNX backbone (GPU when available, else CPU) ' +
        'and aggregate the slice probabilities into MIL features; prints the bag, the slice probabilities, the features, the provider used and timings. ' +
        'The shipped backbone is trained on SYNTHETIC phantoms: a demonstration, not for clinical use',
    )
    .option('--image <path>', 'the CT: DICOM folder or file, NIfTI or NRRD')
    .option('--mask <path>', 'the tumour mask on the CT grid')
    .option(
      '--manifest <manifest.csv>',
      'batch: a cohort manifest (patient_id, centre, image_path, mask_path, label); writes one row of MIL features per patient',
    )
    .option('--model <dir>', 'backbone folder (card.json, backbone.onnx, mil.json)', shippedModelDir())
    .option('--providers <list>', `execution providers to try in order, e.g. cuda,cpu (default: this platform's, CPU last)`)
    .option('--out <file>', 'write the result here (.json for one case, .csv for a manifest)')
    .action(async (opts: DeepOptions) => {
      const providers = opts.providers ? parseProviders(opts.providers) : undefined;
      const backbone = loadBackbone(opts.model);
      const milPath = path.join(opts.model, 'mil.json');
      const mil = existsSync(milPath) ? (JSON.parse(readFileSync(milPath, 'utf8')) as MilState) : null;
      const service = new DeepInferenceService(opts.model, providers);
      try {
        const t0 = performance.now();
        const opened = await service.open();
        const sessionSeconds = (performance.now() - t0) / 1000;
        if (opened.gpuNotice) process.stderr.write(`note: ${opened.gpuNotice}\n`);
        if (opts.manifest) {
          if (!opts.out) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--manifest needs --out FILE.csv' });
          if (!mil) throw new HilumError({ code: 'MODEL_CARD_INVALID', message: `${milPath} is missing: the model has no fitted MIL aggregation` });
          const cases = readCohortManifest(opts.manifest);
          const lines: string[] = [];
          for (const c of cases) {
            const ct = (await loadVolume(c.image)).volume;
            const bag = sampleBag(ct, (await importMask(c.mask, ct)).mask, backbone.bagConfig);
            const out = await service.infer(bag);
            const features = transformMil(mil, { probabilities: out.probabilities });
            if (!lines.length) lines.push(['patient_id', 'centre', 'label', ...Object.keys(features)].join(','));
            lines.push([c.id, c.centre, c.label, ...Object.values(features).map(String)].join(','));
          }
          writeFileSync(opts.out, lines.join('\n') + '\n');
          process.stdout.write(`wrote MIL features of ${cases.length} patients to ${opts.out} (provider ${opened.provider})\n`);
          return;
        }
        if (!opts.image || !opts.mask) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give --image and --mask (or --manifest)' });
        const t1 = performance.now();
        const ct = (await loadVolume(opts.image)).volume;
        const mask = (await importMask(opts.mask, ct)).mask;
        const t2 = performance.now();
        const bag = sampleBag(ct, mask, backbone.bagConfig);
        const t3 = performance.now();
        const out = await service.infer(bag);
        const t4 = performance.now();
        const features = mil ? transformMil(mil, { probabilities: out.probabilities, features: out.features }) : null;
        const result = {
          model: { name: backbone.card.name, sha256: backbone.sha256, notice: backbone.card.notice },
          provider: opened.provider,
          providerAttempts: opened.attempts,
          gpuNotice: opened.gpuNotice,
          bag: {
            shape: bag.shape,
            cropSideMm: bag.cropSideMm,
            largestAreaMm2: bag.largestAreaMm2,
            tumourSlices: bag.tumourSlices,
            slices: bag.slices,
            findings: bag.findings,
          },
          sliceProbabilities: out.probabilities,
          milFeatures: features,
          seconds: { session: sessionSeconds, load: (t2 - t1) / 1000, sample: (t3 - t2) / 1000, inference: (t4 - t3) / 1000 },
        };
        if (opts.out) writeFileSync(opts.out, JSON.stringify(result, null, 1) + '\n');
        process.stdout.write(
          [
            `${backbone.card.name} (${backbone.card.notice})`,
            `  provider     ${opened.provider}${opened.attempts.length > 1 ? ` (tried ${opened.attempts.map((a) => `${a.provider}${a.ok ? '' : ' ✗'}`).join(', ')})` : ''}`,
            `  bag          ${bag.shape[0]} slices of ${bag.shape.slice(1).join('×')}, crop ${fmt(bag.cropSideMm, 1)} mm, largest area ${fmt(bag.largestAreaMm2, 0)} mm²`,
            ...bag.slices.map(
              (s, i) =>
                `    ${s.plane.padEnd(8)} offset ${String(s.offset).padStart(2)}${s.clamped ? ` → ${s.usedOffset} (clamped)` : ''}  p = ${fmt(out.probabilities[i], 3)}`,
            ),
            ...bag.findings.map((f) => '  ' + formatFinding(f)),
            features
              ? `  MIL          ${Object.entries(features)
                  .filter(([k]) => k.startsWith('mil_'))
                  .map(([k, v]) => `${k.replace('mil_', '')} ${fmt(v, 2)}`)
                  .join(', ')}`
              : '  MIL          (the model folder has no mil.json)',
            `  time         session ${fmt(sessionSeconds, 2)} s, load ${fmt(result.seconds.load, 2)} s, bag ${fmt(result.seconds.sample, 3)} s, inference ${fmt(result.seconds.inference, 3)} s`,
            ...(opts.out ? [`  wrote        ${opts.out}`] : []),
          ].join('\n') + '\n',
        );
      } finally {
        await service.close();
      }
    });
}

function parseProviders(list: string): ExecutionProvider[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase());
  for (const n of names)
    if (!PROVIDERS.includes(n as ExecutionProvider))
      throw new HilumError({ code: 'INVALID_ARGUMENT', message: `unknown execution provider '${n}' (known: ${PROVIDERS.join(', ')})` });
  return names as ExecutionProvider[];
}
