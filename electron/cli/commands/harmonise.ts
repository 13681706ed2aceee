import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { writeFileAtomically } from '../../engine/core/atomic-write.js';
import { HilumError } from '../../engine/core/errors.js';
import {
  applyCombat,
  COMBAT_FORMAT,
  type CombatParams,
  estimateNewBatch,
  fitCombat,
  refuseOutcomeCovariate,
  scalePriorMisfit,
} from '../../engine/stats/combat/index.js';
import { formatFinding } from '../output.js';
import path from 'node:path';
import { extractWithBundle } from '../../engine/pipeline/score-cohort.js';
import { addHarmonisationBatch, bundleHarmonisation } from '../../engine/signatures/add-batch-bundle.js';
import { readBundle, writeBundle } from '../../engine/signatures/bundle.js';
import { manifestBatches } from '../../engine/signatures/harmonisation.js';
import { featureColumns, numericColumn, readHarmoniseTable, replacedCsv } from './harmonise-table.js';

const list = (v?: string) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [];

function readParams(file: string): CombatParams {
  let p: CombatParams;
  try {
    p = JSON.parse(readFileSync(file, 'utf8')) as CombatParams;
  } catch (e) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${file}: not a readable harmonisation file (${(e as Error).message})` });
  }
  if (p?.format !== COMBAT_FORMAT)
    throw new HilumError({ code: 'HARMONISE_INVALID', message: `${file} is not a harmonisation file of format ${COMBAT_FORMAT}` });
  return p;
}

const writeJson = (file: string, value: unknown) => writeFileAtomically(file, JSON.stringify(value, null, 1) + '\n');

interface TableOptions {
  data: string;
  join?: string;
  batch?: string;
  out?: string;
  json?: boolean;
}

/** The batch, feature and covariate columns of a table for the given parameters. */
function tableFor(o: TableOptions, params: CombatParams) {
  const table = readHarmoniseTable(o.data, o.join);
  const batchColumn = o.batch ?? params.batchColumn;
  if (!batchColumn) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--batch <column> is needed (the parameters do not name their batch column)' });
  const names = [...params.features, ...params.unchanged];
  const features = Object.fromEntries(names.map((f) => [f, numericColumn(table, f)]));
  const covariates = Object.fromEntries(params.covariates.map((c) => [c, numericColumn(table, c)]));
  return { table, batchColumn, batch: table.column(batchColumn), features, covariates };
}

export function registerHarmonise(program: Command): void {
  const h = program
    .command('harmonise')
    .description(
      'ComBat harmonisation of features across centres or scanners (Johnson et al. 2007; sva::ComBat): fit on training data → frozen parameters; ' +
        'apply them to new patients of known batches; estimate a new centre from a group of its own patients; add a new centre to a model bundle (docs/cli.md)',
    );

  h.command('fit')
    .description('fit ComBat on a feature table and write the frozen parameters (and the harmonised table)')
    .requiredOption('--data <file.csv>', 'feature table: an ID in the first column, one row per patient')
    .option('--join <file.csv>', 'a second table (e.g. the manifest) joined on its first column, for the batch and covariate columns')
    .requiredOption('--batch <column>', 'the batch column (centre, scanner, …)')
    .option('--features <a,b,…>', 'the feature columns (default: every numeric column but the ID, batch, covariates, outcome and --exclude)')
    .option('--exclude <a,b,…>', 'columns that are not features')
    .option('--covariates <a,b,…>', 'numeric covariates whose effects are preserved (binary as 0/1); never the outcome')
    .option('--outcome <column>', 'the outcome column: left out of the features and refused as a covariate', 'label')
    .option('--reference-batch <name>', 'leave this batch unchanged and bring the others to it (M-ComBat)')
    .option('--non-parametric', 'non-parametric empirical-Bayes priors (sva par.prior = FALSE)')
    .option('--mean-only', 'adjust the location only')
    .requiredOption('--params <file.json>', 'write the frozen parameters here')
    .option('--out <file.csv>', 'write the harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action(
      (
        o: TableOptions & {
          features?: string;
          exclude?: string;
          covariates?: string;
          outcome: string;
          referenceBatch?: string;
          nonParametric?: boolean;
          meanOnly?: boolean;
          params: string;
        } & { batch: string },
      ) => {
        const covariateNames = list(o.covariates);
        refuseOutcomeCovariate(covariateNames, o.outcome);
        const table = readHarmoniseTable(o.data, o.join);
        const exclude = new Set([o.batch, o.outcome, ...covariateNames, ...list(o.exclude)]);
        const featureNames = featureColumns(table, list(o.features), exclude);
        if (featureNames.includes(o.outcome)) refuseOutcomeCovariate([o.outcome], o.outcome);
        const fit = fitCombat(
          {
            batch: table.column(o.batch),
            rowIds: table.ids,
            featureNames,
            features: Object.fromEntries(featureNames.map((f) => [f, numericColumn(table, f)])),
            covariateNames,
            covariates: Object.fromEntries(covariateNames.map((c) => [c, numericColumn(table, c)])),
          },
          { parametric: !o.nonParametric, meanOnly: o.meanOnly, referenceBatch: o.referenceBatch },
        );
        const params: CombatParams = { ...fit.params, batchColumn: o.batch };
        writeJson(o.params, params);
        if (o.out) writeFileAtomically(o.out, replacedCsv(table, fit.adjusted));
        report(o.json, params, fit.findings.map(formatFinding), `fitted ComBat on ${table.ids.length} patients → ${o.params}${o.out ? `, ${o.out}` : ''}`);
      },
    );

  h.command('apply')
    .description('harmonise a table of patients from known batches with frozen parameters')
    .requiredOption('--params <file.json>', 'the parameters (from harmonise fit or estimate-batch)')
    .requiredOption('--data <file.csv>', 'feature table: an ID in the first column')
    .option('--join <file.csv>', 'a second table joined on its first column, for the batch and covariate columns')
    .option('--batch <column>', 'the batch column (default: the one the parameters were fitted with)')
    .requiredOption('--out <file.csv>', 'write the harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action((o: TableOptions & { params: string; out: string }) => {
      const params = readParams(o.params);
      const t = tableFor(o, params);
      const adjusted = applyCombat(params, { batch: t.batch, rowIds: t.table.ids, features: t.features, covariates: t.covariates });
      writeFileAtomically(o.out, replacedCsv(t.table, adjusted));
      report(o.json, params, [], `harmonised ${t.table.ids.length} patients with ${o.params} → ${o.out}`);
    });

  h.command('estimate-batch')
    .description('estimate a new centre’s batch from a group of its own patients against frozen parameters (the training batches do not change)')
    .requiredOption('--params <file.json>', 'the frozen parameters')
    .requiredOption('--data <file.csv>', 'the new centre’s patients: an ID in the first column')
    .option('--join <file.csv>', 'a second table joined on its first column, for the batch and covariate columns')
    .option('--batch <column>', 'the batch column; every row must name the same new batch')
    .option('--name <batch>', 'the new batch’s name (instead of a batch column)')
    .requiredOption('--params-out <file.json>', 'write the parameters with the new batch here')
    .option('--out <file.csv>', 'write the new centre’s harmonised table here')
    .option('--json', 'print a summary as JSON')
    .action((o: TableOptions & { params: string; name?: string; paramsOut: string }) => {
      const params = readParams(o.params);
      const table = readHarmoniseTable(o.data, o.join);
      let name = o.name;
      if (!name) {
        const t = tableFor(o, params);
        const names = [...new Set(t.batch)];
        if (names.length !== 1)
          throw new HilumError({
            code: 'HARMONISE_INVALID',
            message: `estimate-batch takes the patients of one new batch; ${o.data} has ${names.length} (${names.join(', ')})`,
          });
        name = names[0];
      }
      const features = Object.fromEntries([...params.features, ...params.unchanged].map((f) => [f, numericColumn(table, f)]));
      const covariates = Object.fromEntries(params.covariates.map((c) => [c, numericColumn(table, c)]));
      const updated = estimateNewBatch(params, name, { rowIds: table.ids, features, covariates });
      writeJson(o.paramsOut, updated);
      if (o.out) {
        const batch = table.ids.map(() => name);
        writeFileAtomically(o.out, replacedCsv(table, applyCombat(updated, { batch, rowIds: table.ids, features, covariates })));
      }
      const misfit = scalePriorMisfit(updated, name);
      report(
        o.json,
        updated,
        misfit ? [formatFinding(misfit)] : [],
        `estimated batch ${name} from ${table.ids.length} patients → ${o.paramsOut}${o.out ? `, ${o.out}` : ''}`,
      );
    });

  h.command('add-batch')
    .description(
      'add a new centre’s (or scanner’s) batch to a model bundle that harmonises its radiomics: estimated from a group of that batch’s own patients ' +
        '(features extracted with the bundle’s settings) → a new, sealed bundle whose provenance names its parent',
    )
    .requiredOption('--bundle <file>', 'the parent model bundle (from a study with a harmonisation step)')
    .requiredOption('--manifest <file.csv>', 'the new batch’s patients, a cohort manifest as for hilum study (outcomes are not used)')
    .option('--name <batch>', 'the new batch’s name (default: the one value of the bundle’s batch column in the manifest)')
    .requiredOption('--out <bundle.json>', 'write the new bundle here')
    .option('--bundle-name <name>', 'the new bundle’s name (default: <parent>+<batch>)')
    .option('--work <dir>', 'feature cache (default: <out folder>/work)')
    .option('--jobs <n>', 'patients extracted in parallel', '2')
    .option('--json', 'print a summary as JSON')
    .action(async (o: { bundle: string; manifest: string; name?: string; out: string; bundleName?: string; work?: string; jobs: string; json?: boolean }) => {
      const parent = readBundle(o.bundle);
      const h = bundleHarmonisation(parent);
      const { manifest, table } = await extractWithBundle(parent, o.manifest, {
        workDir: o.work ?? path.join(path.dirname(path.resolve(o.out)), 'work'),
        jobs: Number(o.jobs),
      });
      let name = o.name;
      if (!name) {
        const names = [...new Set(manifestBatches(manifest.cases, h.batchColumn)!)];
        if (names.length !== 1 || !names[0])
          throw new HilumError({
            code: 'HARMONISE_INVALID',
            message: `add-batch takes the patients of one new ${h.batchColumn}; ${o.manifest} has ${names.length} (${names.join(', ') || 'none'})`,
            hint: 'Give a manifest of one batch, or name it with --name.',
          });
        name = names[0];
      }
      const index = new Map(table.names.map((n, j) => [n, j]));
      const radiomics = Object.fromEntries(
        [...h.features, ...h.unchanged].map((f) => [f, Float64Array.from(table.rows, (r) => (index.has(f) ? r[index.get(f)!] : Number.NaN))]),
      );
      const bundle = addHarmonisationBatch(parent, name, { ids: table.ids, clinical: manifest.cases.map((c) => c.values), radiomics }, { name: o.bundleName });
      writeBundle(o.out, bundle);
      const added = bundle.signatures.harmonisation!.batches[name];
      const misfit = scalePriorMisfit(bundle.signatures.harmonisation!, name);
      if (o.json) {
        process.stdout.write(
          JSON.stringify(
            {
              bundle: o.out,
              name: bundle.name,
              contentSha256: bundle.contentSha256,
              parent: bundle.provenance.parent,
              batch: name,
              samples: added.samples,
              findings: misfit ? [misfit] : [],
            },
            null,
            1,
          ) + '\n',
        );
        return;
      }
      process.stdout.write(
        [
          `added ${h.batchColumn} ${name} (${added.samples} patients) to ${parent.name} ${parent.contentSha256.slice(0, 12)}…`,
          `  bundle  ${o.out}: ${bundle.name} ${bundle.contentSha256} (parent ${parent.contentSha256})`,
          `  batches ${Object.keys(bundle.signatures.harmonisation!.batches).join(', ')}`,
          ...(misfit ? [`  ${formatFinding(misfit)}`] : []),
        ].join('\n') + '\n',
      );
    });
}

function report(json: boolean | undefined, p: CombatParams, findings: string[], headline: string): void {
  const batches = Object.entries(p.batches).map(([name, b]) => ({ name, samples: b.samples, source: b.source, iterations: b.iterations }));
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          parametric: p.parametric,
          meanOnly: p.meanOnly,
          referenceBatch: p.referenceBatch,
          features: p.features.length,
          unchanged: p.unchanged,
          covariates: p.covariates,
          batches,
          findings,
        },
        null,
        1,
      ) + '\n',
    );
    return;
  }
  const lines = [
    headline,
    `  ComBat, ${p.parametric ? 'parametric' : 'non-parametric'} priors${p.meanOnly ? ', location only' : ''}${p.referenceBatch ? `, reference batch ${p.referenceBatch}` : ''}; ` +
      `${p.features.length} features harmonised${p.unchanged.length ? `, ${p.unchanged.length} unchanged` : ''}; covariates: ${p.covariates.join(', ') || 'none'}`,
    ...batches.map((b) => `  batch ${b.name.padEnd(12)} ${String(b.samples).padStart(5)} patients (${b.source})`),
    ...findings.map((f) => `  ${f}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
