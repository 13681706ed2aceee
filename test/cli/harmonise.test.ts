import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../electron/engine/core/csv.js';
import { tempDir } from '../helpers.js';
import { maxRelDiff } from '../engine/stats/helpers.js';
import { runCli } from './run-cli.js';

const stats = path.resolve(__dirname, '../fixtures/stats');
const bladder = path.join(stats, 'data', 'bladder_combat.csv');
const ref = JSON.parse(readFileSync(path.join(stats, 'expected', 'combat_bladder.json'), 'utf8'));
const tmp = tempDir('hilum-cli-harmonise-');
afterAll(() => tmp.cleanup());

const rowsOf = (file: string) => parseCsv(readFileSync(file, 'utf8'));
/** Largest relative difference between a CSV's feature columns (rows `keep`) and one of sva's cases. */
function deviation(file: string, label: string, keep?: (batch: string) => boolean): number {
  const rows = rowsOf(file);
  const source = rowsOf(bladder).slice(1);
  const rowsExpected = source.flatMap((r, i) => (!keep || keep(r[1]) ? [i] : []));
  let m = 0;
  for (const f of ref.features as string[]) {
    const j = rows[0].indexOf(f);
    const got = rows.slice(1).map((r) => Number(r[j]));
    m = Math.max(
      m,
      maxRelDiff(
        got,
        rowsExpected.map((i) => ref.cases[label][f][i]),
      ),
    );
  }
  return m;
}

/** Writes bladderbatch's header and the given rows as a CSV in the temporary folder. */
function writeBladderRows(name: string, rows: string[][]): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, [rowsOf(bladder)[0], ...rows].map((r) => r.join(',')).join('\n') + '\n');
  return file;
}

/** `harmonise fit` of a bladderbatch table with batch 2 as the reference (the cancer dummies are not features). */
function fitWithReference2(training: string, params: string, ...options: string[]) {
  return runCli([
    'harmonise',
    'fit',
    '--data',
    training,
    '--batch',
    'batch',
    '--exclude',
    'cancerCancer,cancerNormal',
    '--reference-batch',
    '2',
    ...options,
    '--params',
    params,
  ]);
}

describe('hilum harmonise', () => {
  it('fit reproduces sva::ComBat with a covariate, and apply reproduces it from the frozen parameters', async () => {
    const params = path.join(tmp.dir, 'combat.json');
    const out = path.join(tmp.dir, 'harmonised.csv');
    const r = await runCli([
      'harmonise',
      'fit',
      '--data',
      bladder,
      '--batch',
      'batch',
      '--covariates',
      'cancerCancer,cancerNormal',
      '--params',
      params,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/50 features harmonised; covariates: cancerCancer, cancerNormal/);
    expect(deviation(out, 'parametric_covariate')).toBeLessThan(1e-8);
    const again = path.join(tmp.dir, 'again.csv');
    const a = await runCli(['harmonise', 'apply', '--params', params, '--data', bladder, '--out', again]);
    expect(a.code, a.stderr).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('estimate-batch: a centre left out of a reference-batch fit, estimated from its own patients, matches sva; one patient is refused', async () => {
    const source = rowsOf(bladder);
    const write = (name: string, keep: (r: string[]) => boolean) => writeBladderRows(name, source.slice(1).filter(keep));
    const training = write('training.csv', (r) => r[1] !== '5');
    const centre5 = write('centre5.csv', (r) => r[1] === '5');
    const params = path.join(tmp.dir, 'ref.json');
    const fit = await fitWithReference2(training, params, '--non-parametric');
    expect(fit.code, fit.stderr).toBe(0);
    const params5 = path.join(tmp.dir, 'ref5.json');
    const out = path.join(tmp.dir, 'centre5-harmonised.csv');
    const e = await runCli(['harmonise', 'estimate-batch', '--params', params, '--data', centre5, '--params-out', params5, '--out', out]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/batch 5\s+19 patients \(new-batch\)/);
    expect(deviation(out, 'nonparametric_reference', (b) => b === '5')).toBeLessThan(1e-8);

    const single = write('single.csv', (r) => r[0] === source.find((x) => x[1] === '5')![0]);
    const one = await runCli(['harmonise', 'estimate-batch', '--params', params, '--data', single, '--params-out', path.join(tmp.dir, 'x.json')]);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/HARMONISE_BATCH_TOO_SMALL/);
    const unseen = await runCli(['harmonise', 'apply', '--params', params, '--data', single, '--out', path.join(tmp.dir, 'x.csv')]);
    expect(unseen.code).toBe(1);
    expect(unseen.stderr).toMatch(/HARMONISE_UNKNOWN_BATCH/);
  });

  it('estimate-batch warns when the parametric scale prior does not fit the new centre, naming the feature that sets it', async () => {
    const source = rowsOf(bladder);
    const j = source[0].indexOf('1007_s_at');
    const training = writeBladderRows(
      'training-p.csv',
      source.slice(1).filter((r) => r[1] !== '5'),
    );
    const centre5 = source.slice(1).filter((r) => r[1] === '5');
    // One probe set measured on another scale at centre 5 (×1000 around its mean): its variance ratio is ~10⁶.
    const mean5 = centre5.reduce((s, r) => s + Number(r[j]), 0) / centre5.length;
    const scaled = writeBladderRows(
      'centre5-scaled.csv',
      centre5.map((r) => r.map((v, k) => (k === j ? String(mean5 + 1000 * (Number(v) - mean5)) : v))),
    );
    const plain = writeBladderRows('centre5-plain.csv', centre5);
    const params = path.join(tmp.dir, 'ref-p.json');
    const fit = await fitWithReference2(training, params);
    expect(fit.code, fit.stderr).toBe(0);
    const bad = await runCli(['harmonise', 'estimate-batch', '--params', params, '--data', scaled, '--params-out', path.join(tmp.dir, 'p5.json')]);
    expect(bad.code, bad.stderr).toBe(0);
    expect(bad.stdout).toMatch(/warning \[HARMONISE_PRIOR_MISFIT\] harmonisation: ComBat's parametric scale prior does not fit batch 5: .*1007_s_at δ̂² = /);
    expect(bad.stdout).toMatch(/what to do: Use the non-parametric prior/);
    const good = await runCli(['harmonise', 'estimate-batch', '--params', params, '--data', plain, '--params-out', path.join(tmp.dir, 'p5b.json')]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).not.toMatch(/HARMONISE_PRIOR_MISFIT/);
  });

  it('refuses the outcome as a covariate', async () => {
    const r = await runCli([
      'harmonise',
      'fit',
      '--data',
      bladder,
      '--batch',
      'batch',
      '--covariates',
      'cancerCancer',
      '--outcome',
      'cancerCancer',
      '--params',
      path.join(tmp.dir, 'o.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HARMONISE_OUTCOME_COVARIATE/);
  });
});
