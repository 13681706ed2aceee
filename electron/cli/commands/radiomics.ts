import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError, describeError, isHilumError } from '../../engine/core/errors.js';
import type { WorkerPool } from '../../engine/core/worker-pool.js';
import { type RadiomicsResult, extractRadiomics, resultRow } from '../../engine/radiomics/extractor.js';
import { loadRadiomicsCase } from '../../engine/radiomics/load-case.js';
import { createRadiomicsPool } from '../../engine/radiomics/pool.js';
import { type ParameterSet, defaultParameterSet, readParameterFile } from '../../engine/radiomics/settings.js';
import { csvLine, parseCsv } from '../../engine/core/csv.js';
import { formatFinding } from '../output.js';

interface RadiomicsOptions {
  image?: string;
  mask?: string;
  params?: string;
  label?: string;
  out: string;
  manifest?: string;
  jobs?: string;
}

/** One case of a batch: where its image and mask are, and its ID in the output. */
interface CaseSpec {
  id: string;
  image: string;
  mask: string;
  label?: number;
}

/** Columns every output row starts with, before PyRadiomics' diagnostics and features. */
const CASE_COLUMNS = ['Case', 'Image', 'Mask', 'Label'];

export function registerRadiomics(program: Command): void {
  program
    .command('radiomics')
    .description(
      'extract PyRadiomics-compatible radiomics features (same names and values as PyRadiomics 3.1) from an image and mask, ' +
        'or from every case of a manifest; one row per case, diagnostics columns first',
    )
    .option('--image <path>', 'image: NIfTI, NRRD or a DICOM series folder')
    .option('--mask <path>', 'mask: label NIfTI/NRRD on the image grid, or a DICOM-SEG')
    .option('--params <file.yaml>', 'PyRadiomics parameter file (settings, imageType, featureClass); PyRadiomics defaults without it')
    .option('--label <n>', 'label of the ROI in the mask (overrides the parameter file; default 1)')
    .requiredOption('--out <file>', 'output: .csv (one row per case) or .json')
    .option(
      '--manifest <cases.csv>',
      'batch: a CSV with columns Image, Mask and optionally ID and Label (paths relative to the manifest), or a cohort manifest.csv from `hilum phantom`',
    )
    .option('--jobs <n>', 'worker threads (and cases in flight in a batch)')
    .action(async (opts: RadiomicsOptions) => {
      await runRadiomics(opts);
    });
}

async function runRadiomics(opts: RadiomicsOptions): Promise<void> {
  const format = outputFormat(opts.out);
  const params = opts.params ? readParameterFile(opts.params) : defaultParameterSet();
  const label = opts.label === undefined ? undefined : positiveInteger(opts.label, '--label');
  const jobs = opts.jobs === undefined ? undefined : positiveInteger(opts.jobs, '--jobs');
  if (opts.manifest) {
    if (opts.image || opts.mask) throw usage('give either --manifest or --image and --mask, not both');
    const { failed, total, failuresFile } = await runBatch(readManifest(opts.manifest), params, label, jobs, opts.out, format);
    if (failed)
      throw new HilumError({
        code: 'RADIOMICS_BATCH_FAILURES',
        message: `${failed} of ${total} cases failed; their errors are in ${failuresFile} (the other cases are in ${opts.out})`,
        hint: 'Fix the failing inputs and run the same command again: finished cases are skipped.',
      });
    return;
  }
  if (!opts.image || !opts.mask) throw usage('--image and --mask are required (or --manifest for a batch)');
  const pool = createRadiomicsPool(jobs);
  try {
    const spec: CaseSpec = { id: path.basename(opts.image).replace(/\.(nii\.gz|nii|nrrd|nhdr)$/i, ''), image: opts.image, mask: opts.mask, label };
    const result = await extractCase(spec, params, pool);
    for (const f of result.findings) process.stderr.write(formatFinding(f) + '\n');
    if (format === 'json') writeFileSync(opts.out, JSON.stringify(jsonCase(spec, result), null, 2) + '\n');
    else writeFileSync(opts.out, csvLine([...CASE_COLUMNS, ...Object.keys(resultRow(result))]) + csvLine(rowValues(spec, result)));
    process.stdout.write(`wrote ${opts.out}: ${Object.keys(result.features).length} features of ${spec.id}\n`);
  } finally {
    await pool.close();
  }
}

async function extractCase(spec: CaseSpec, params: ParameterSet, pool: WorkerPool): Promise<RadiomicsResult> {
  const loaded = await loadRadiomicsCase(spec.image, spec.mask, { caseId: spec.id, label: spec.label });
  return extractRadiomics(loaded.input, { params, label: loaded.label ?? spec.label, pool });
}

/**
 * Batch extraction: cases run `jobs` at a time over one worker pool; each finished case is appended
 * to the output at once, so an interrupted batch resumes where it stopped (cases already in the
 * output are skipped). A failing case is written to <out>.failures.csv with its error and the batch
 * goes on.
 */
async function runBatch(
  cases: CaseSpec[],
  params: ParameterSet,
  label: number | undefined,
  jobs: number | undefined,
  out: string,
  format: 'csv' | 'json',
): Promise<{ failed: number; total: number; failuresFile: string }> {
  const done = finishedCases(out, format);
  const todo = cases.filter((c) => !done.has(c.id));
  const failuresFile = `${out}.failures.csv`;
  if (existsSync(failuresFile)) writeFileSync(failuresFile, '');
  const pool = createRadiomicsPool(jobs);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'radiomics |{bar}| {value}/{total} cases, {failed} failed, ETA {eta_formatted}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(todo.length, 0, { failed: 0 });
  let failed = 0;
  let finished = 0;
  let header: string[] | null = format === 'csv' && existsSync(out) && readFileSync(out, 'utf8').trim() ? parseCsv(readFileSync(out, 'utf8'))[0] : null;
  // An output from an earlier run whose columns the first case of this run does not match was made
  // with other parameters: stop. Any later mismatch is that one case's (a filter skipped on it).
  let headerConfirmed = header === null;
  const jsonRows: unknown[] = format === 'json' && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as unknown[]) : [];
  const record = (spec: CaseSpec, result: RadiomicsResult) => {
    if (format === 'json') {
      jsonRows.push(jsonCase(spec, result));
      writeFileSync(out, JSON.stringify(jsonRows, null, 2) + '\n');
      return;
    }
    const columns = [...CASE_COLUMNS, ...Object.keys(resultRow(result))];
    if (!header) {
      header = columns;
      writeFileSync(out, csvLine(header));
    } else if (header.join(',') !== columns.join(',')) {
      if (!headerConfirmed)
        throw new HilumError({
          code: 'RADIOMICS_OUTPUT_MISMATCH',
          message: `${out} holds other columns than case ${spec.id} produces (different parameters?)`,
          hint: 'Write this batch to a new output file, or re-run with the parameter file the output was made with.',
        });
      throw columnsDiffer(spec, header, columns);
    }
    headerConfirmed = true;
    appendFileSync(out, csvLine(rowValues(spec, result)));
  };
  const queue = [...todo];
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      try {
        const result = await extractCase({ ...spec, label: spec.label ?? label }, params, pool);
        if (format === 'csv') assertCompleteFeatureSet(spec, result);
        record(spec, result);
      } catch (error) {
        if (isHilumError(error) && error.code === 'RADIOMICS_OUTPUT_MISMATCH') throw error;
        failed++;
        const code = isHilumError(error) ? error.code : 'INTERNAL_ERROR';
        if (!existsSync(failuresFile) || !readFileSync(failuresFile, 'utf8'))
          writeFileSync(failuresFile, csvLine(['Case', 'Image', 'Mask', 'Code', 'Message']));
        appendFileSync(failuresFile, csvLine([spec.id, spec.image, spec.mask, code, describeError(error)]));
        if (!bar) process.stderr.write(`failed ${spec.id}: [${code}] ${describeError(error)}\n`);
      }
      finished++;
      bar?.update(finished, { failed });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, pool.size) }, worker));
  } finally {
    bar?.stop();
    await pool.close();
  }
  process.stdout.write(
    `radiomics: ${finished - failed} of ${todo.length} cases extracted into ${out}` +
      (done.size ? `; ${done.size} already there were skipped` : '') +
      (failed ? `; ${failed} failed (see ${failuresFile})` : '') +
      '\n',
  );
  return { failed, total: todo.length, failuresFile };
}

/**
 * A batch table has one column set: a case on which a filter of the parameter file was skipped (a
 * LoG σ on an image with too few slices, as PyRadiomics skips it) is left out of the CSV with that
 * finding's code instead of writing a row with fewer columns.
 */
function assertCompleteFeatureSet(spec: CaseSpec, result: RadiomicsResult): void {
  const skipped = result.findings.filter((f) => f.code === 'RADIOMICS_LOG_SKIPPED');
  const prefix = `${spec.id}: `;
  const unprefixed = (message: string) => {
    while (message.startsWith(prefix)) message = message.slice(prefix.length);
    return message;
  };
  if (skipped.length)
    throw new HilumError({
      code: 'RADIOMICS_LOG_SKIPPED',
      message: `${prefix}${skipped.map((f) => unprefixed(f.message)).join('; ')} — the batch table needs every feature of the parameter file, so this case is left out`,
      hint: 'Extract this case on its own (its LoG features are absent), resample it (resampledPixelSpacing), or drop LoG from the parameter file.',
      findings: skipped,
    });
}

/** The error of a case whose columns differ from the batch's. */
function columnsDiffer(spec: CaseSpec, header: string[], columns: string[]): HilumError {
  const have = new Set(columns);
  const expected = new Set(header);
  const missing = header.filter((c) => !have.has(c));
  const extra = columns.filter((c) => !expected.has(c));
  const list = (names: string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return new HilumError({
    code: 'RADIOMICS_CASE_COLUMNS_DIFFER',
    message:
      `${spec.id} gives ${columns.length} columns, the batch output has ${header.length}` +
      (missing.length ? `; missing ${list(missing)}` : '') +
      (extra.length ? `; extra ${list(extra)}` : '') +
      (!missing.length && !extra.length ? '; the same names in another order' : ''),
    hint: 'Extract this case on its own, or write the batch as JSON (one object per case).',
  });
}

function readManifest(file: string): CaseSpec[] {
  if (!existsSync(file)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `manifest ${file} does not exist` });
  const rows = parseCsv(readFileSync(file, 'utf8'));
  if (rows.length < 2) throw new HilumError({ code: 'RADIOMICS_MANIFEST_INVALID', message: `manifest ${file} has no cases` });
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const column = (...names: string[]) => header.findIndex((h) => names.includes(h));
  // PyRadiomics' batch format (Image, Mask, Label = the mask's label), or a Hilum cohort manifest
  // (image_path, mask_path, patient_id), whose `label` column is the outcome, not a mask label.
  const pyradiomicsFormat = column('image') >= 0;
  const image = column('image', 'image_path');
  const mask = column('mask', 'mask_path');
  const id = column('id', 'case', 'caseid', 'patientid', 'patient', 'patient_id');
  const labelColumn = pyradiomicsFormat ? column('label') : column('mask_label');
  if (image < 0 || mask < 0)
    throw new HilumError({
      code: 'RADIOMICS_MANIFEST_INVALID',
      message: `manifest ${file} needs the columns Image and Mask; it has ${rows[0].join(', ')}`,
    });
  const base = path.dirname(path.resolve(file));
  const seen = new Set<string>();
  return rows.slice(1).map((r, k) => {
    const spec: CaseSpec = {
      id: id >= 0 && r[id] ? r[id] : `case${k + 1}`,
      image: path.resolve(base, r[image]),
      mask: path.resolve(base, r[mask]),
      label: labelColumn >= 0 && r[labelColumn] ? positiveInteger(r[labelColumn], `Label of row ${k + 2}`) : undefined,
    };
    if (seen.has(spec.id))
      throw new HilumError({
        code: 'RADIOMICS_MANIFEST_INVALID',
        message: `manifest ${file}: case ID ${spec.id} appears twice; IDs must be unique to resume a batch`,
      });
    seen.add(spec.id);
    return spec;
  });
}

/** Case IDs already written to an existing output (first column of the CSV, `case` of the JSON). */
function finishedCases(out: string, format: 'csv' | 'json'): Set<string> {
  if (!existsSync(out)) return new Set();
  const text = readFileSync(out, 'utf8');
  if (!text.trim()) return new Set();
  if (format === 'json') return new Set((JSON.parse(text) as { case: string }[]).map((c) => c.case));
  return new Set(
    parseCsv(text)
      .slice(1)
      .map((r) => r[0]),
  );
}

function rowValues(spec: CaseSpec, result: RadiomicsResult): string[] {
  const label = spec.label === undefined ? '' : String(spec.label);
  return [spec.id, spec.image, spec.mask, label, ...Object.values(resultRow(result)).map(formatValue)];
}

function jsonCase(spec: CaseSpec, result: RadiomicsResult) {
  return { case: spec.id, image: spec.image, mask: spec.mask, diagnostics: result.diagnostics, features: result.features, findings: result.findings };
}

/** Numbers as the shortest text that reads back to the same double; NaN as PyRadiomics writes it. */
function formatValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'nan';
  return String(v);
}

function outputFormat(out: string): 'csv' | 'json' {
  if (/\.csv$/i.test(out)) return 'csv';
  if (/\.json$/i.test(out)) return 'json';
  throw usage(`--out must end in .csv or .json, got ${out}`);
}

function positiveInteger(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw usage(`${what} must be a whole number ≥ 1, got '${s}'`);
  return n;
}

function usage(message: string): HilumError {
  return new HilumError({ code: 'INVALID_ARGUMENT', message, hint: 'Run hilum radiomics --help for the options.' });
}
