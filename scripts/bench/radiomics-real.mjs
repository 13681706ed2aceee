// Real-data robustness and throughput of `hilum radiomics`: the 166 LIDC-IDRI nodule crops of
// ../shared/reference/imaging/lidc_nodules (int16 CT, radiologist masks) as one batch with
// --jobs 2, with PyRadiomics 3.1's owl.yaml (original + wavelet + LoG) and owl_1mm.yaml (the same
// after 1 mm B-spline resampling). Every case must give finite features or a named HilumError
// code — never INTERNAL_ERROR — and the batch must go on past a failed case. Prints the errors by
// code and the throughput (cases/min). Skips, saying so, where ../shared is absent (a fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvLine, parseCsv } from '../../dist/electron/engine/core/csv.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'reference');
const lidc = path.join(shared, 'imaging', 'lidc_nodules');
const paramDir = path.join(shared, 'radiomics', 'pyradiomics-3.1');
const JOBS = 2;
const CASE_COLUMNS = new Set(['Case', 'Image', 'Mask', 'Label']);

export async function runRadiomicsRealBench() {
  if (!existsSync(path.join(lidc, 'image')) || !existsSync(path.join(paramDir, 'owl.yaml')))
    return { text: `Radiomics on real nodules: skipped — ${lidc} (the LIDC-IDRI crops) or ${paramDir} is not here (a fresh clone has no ../shared).` };
  const files = readdirSync(path.join(lidc, 'image'))
    .filter((f) => f.endsWith('.nii.gz'))
    .sort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hilum-bench-lidc-'));
  try {
    const manifest = path.join(dir, 'cases.csv');
    writeFileSync(
      manifest,
      csvLine(['ID', 'Image', 'Mask']) +
        files.map((f) => csvLine([f.replace(/\.nii\.gz$/, ''), path.join(lidc, 'image', f), path.join(lidc, 'mask', f)])).join(''),
    );
    const lines = [
      `Radiomics on real nodules: ${files.length} LIDC-IDRI crops (int16 CT, radiologist masks), one batch per parameter file, --jobs ${JOBS}; ${os.cpus().length} cores`,
    ];
    const summary = {};
    for (const params of ['owl.yaml', 'owl_1mm.yaml']) {
      const r = runBatch(manifest, path.join(paramDir, params), path.join(dir, params.replace('.yaml', '.csv')));
      summary[params] = r;
      const codes = Object.entries(r.errorsByCode).sort((a, b) => b[1] - a[1]);
      lines.push(
        `  ${params.padEnd(13)} ${r.extracted} extracted, ${r.failed} named errors, ${r.internal} internal errors, ${r.nonFiniteCases} cases with a non-finite feature; ` +
          `${r.seconds.toFixed(0)} s = ${((files.length / r.seconds) * 60).toFixed(1)} cases/min` +
          (r.exitCode !== 0 && r.failed === 0 ? ` (exit code ${r.exitCode}: ${r.stderrTail})` : ''),
      );
      for (const [code, n] of codes) lines.push(`    ${code.padEnd(32)} ${String(n).padStart(4)}  e.g. ${r.examples[code]}`);
      if (r.nonFiniteCases) lines.push(`    non-finite: ${r.nonFiniteExamples.join('; ')}`);
    }
    return { text: lines.join('\n'), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one batch through the CLI (a fresh process) and reads its output and failures file. */
function runBatch(manifest, params, out) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'hilum.js'), 'radiomics', '--manifest', manifest, '--params', params, '--jobs', String(JOBS), '--out', out],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = existsSync(out) ? parseCsv(readFileSync(out, 'utf8')) : [];
  const header = rows[0] ?? [];
  const featureColumns = header.flatMap((h, k) => (CASE_COLUMNS.has(h) || h.startsWith('diagnostics_') ? [] : [k]));
  const nonFiniteExamples = [];
  let nonFiniteCases = 0;
  for (const row of rows.slice(1)) {
    const bad = featureColumns.filter((k) => !Number.isFinite(Number(row[k])));
    if (bad.length) {
      nonFiniteCases++;
      if (nonFiniteExamples.length < 5) nonFiniteExamples.push(`${row[0]}: ${bad.length} (${header[bad[0]]} = ${row[bad[0]]})`);
    }
  }
  const failuresFile = `${out}.failures.csv`;
  const failures = existsSync(failuresFile) ? parseCsv(readFileSync(failuresFile, 'utf8')).slice(1) : [];
  const errorsByCode = {};
  const examples = {};
  for (const [id, , , code, message] of failures) {
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
    examples[code] ??= message.startsWith(id) ? message.slice(0, 160) : `${id}: ${message.slice(0, 140)}`;
  }
  return {
    seconds,
    exitCode: run.status,
    stderrTail: (run.stderr ?? '').trim().split('\n').slice(-2).join(' | '),
    extracted: Math.max(0, rows.length - 1),
    featureCount: featureColumns.length,
    failed: failures.length,
    internal: errorsByCode.INTERNAL_ERROR ?? 0,
    errorsByCode,
    examples,
    nonFiniteCases,
    nonFiniteExamples,
  };
}
