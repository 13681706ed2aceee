import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nomogramPoints } from '../../electron/engine/pipeline/bedside.js';
import { demoClinicalInput, ensureDemoCase } from '../../electron/engine/phantom/demo-case.js';
import { plogis, qlogis } from '../../electron/engine/stats/distributions.js';
import { parseBundle, readBundle } from '../../electron/engine/signatures/bundle.js';
import { linearPredictorOf } from '../../electron/engine/signatures/logistic-signature.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const stats = path.join(ROOT, 'test', 'fixtures', 'stats');
const scores = path.join(stats, 'data', 'recalibration_asah.csv');
const ref = JSON.parse(readFileSync(path.join(stats, 'expected', 'recalibration_asah.json'), 'utf8'));
const parentFile = path.join(ROOT, 'models', 'hilum-demo.bundle.json');
const tmp = tempDir('hilum-cli-recalibrate-');
afterAll(() => tmp.cleanup());

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('hilum recalibrate', () => {
  const parent = readBundle(parentFile);
  const args = (method: string, out: string) => [
    'recalibrate',
    '--bundle',
    parentFile,
    '--scores',
    scores,
    '--id',
    'id',
    '--outcome',
    'outcome',
    '--lp',
    'lp',
    '--method',
    method,
    '--out',
    out,
    '--report',
    path.join(tmp.dir, method),
    '--json',
  ];

  it('intercept and slope: glm(y ~ lp) coefficients to 1e-6, a new sealed bundle naming its parent, the same nomogram points', async () => {
    const out = path.join(tmp.dir, 'slope.bundle.json');
    const r = await runCli(args('intercept-slope', out));
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const c = ref.intercept_slope.coefficients;
    expect(rel(summary.recalibration.intercept, c['(Intercept)'].estimate)).toBeLessThan(1e-6);
    expect(rel(summary.recalibration.slope, c.lp.estimate)).toBeLessThan(1e-6);
    const child = readBundle(out, summary.contentSha256);
    expect(child.provenance.parent).toEqual({ name: parent.name, contentSha256: parent.contentSha256 });
    expect(child.contentSha256).not.toBe(parent.contentSha256);
    // After recalibration the site's logistic calibration is the identity line.
    expect(Math.abs(child.recalibration!.after.intercept)).toBeLessThan(1e-8);
    expect(Math.abs(child.recalibration!.after.slope - 1)).toBeLessThan(1e-8);
    // The combined model: lp' = a + b·lp for any patient; nomogram points unchanged.
    const values: Record<string, number[]> = Object.fromEntries(parent.signatures.combined.terms.map((t, k) => [t, [0.3 * (k + 1)]]));
    const a = summary.recalibration.intercept;
    const b = summary.recalibration.slope;
    const lp = linearPredictorOf(parent.signatures.combined, values, 1)[0];
    expect(linearPredictorOf(child.signatures.combined, values, 1)[0]).toBeCloseTo(a + b * lp, 12);
    const one = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v[0]]));
    expect(nomogramPoints(child, one).totalPoints).toBeCloseTo(nomogramPoints(parent, one).totalPoints, 9);
    expect(existsSync(path.join(tmp.dir, 'intercept-slope', 'calibration.csv'))).toBe(true);
    expect(readFileSync(path.join(tmp.dir, 'intercept-slope', 'calibration.svg'), 'utf8')).toMatch(/^<svg/);
    // Like any bundle, a changed coefficient is refused.
    const text = readFileSync(out, 'utf8').replace(String(child.signatures.combined.intercept), String(child.signatures.combined.intercept + 1));
    expect(() => parseBundle(text)).toThrow(/changed since it was made/);
  });

  it('intercept only: glm(y ~ offset(lp)) to 1e-6; the slope stays 1', async () => {
    const out = path.join(tmp.dir, 'intercept.bundle.json');
    const r = await runCli(args('intercept', out));
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(rel(summary.recalibration.intercept, ref.intercept.coefficients['(Intercept)'].estimate)).toBeLessThan(1e-6);
    expect(summary.recalibration.slope).toBe(1);
    const child = readBundle(out);
    expect(child.signatures.combined.coefficients).toEqual(parent.signatures.combined.coefficients);
    expect(child.signatures.combined.intercept).toBeCloseTo(parent.signatures.combined.intercept + summary.recalibration.intercept, 12);
  });

  it('refuses both or neither cohort source and an unknown method', async () => {
    const out = path.join(tmp.dir, 'x.json');
    const neither = await runCli(['recalibrate', '--bundle', parentFile, '--out', out]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/--manifest or --scores/);
    const bad = await runCli(['recalibrate', '--bundle', parentFile, '--scores', scores, '--method', 'slope', '--out', out]);
    expect(bad.stderr).toMatch(/--method must be/);
  });

  it('hilum predict with the recalibrated bundle: probability plogis(a + b·lp), and it names the bundle it used', async () => {
    const out = path.join(tmp.dir, 'bedside.bundle.json');
    const r = await runCli(args('intercept-slope', out));
    expect(r.code, r.stderr).toBe(0);
    const { a, b } = ((x) => ({ a: x.intercept, b: x.slope }))(JSON.parse(r.stdout).recalibration);
    const child = readBundle(out);
    const demo = await ensureDemoCase();
    const clinical = path.join(tmp.dir, 'clinical.json');
    writeFileSync(clinical, JSON.stringify(demoClinicalInput(demo)));
    const predict = (model: string, json: boolean) =>
      runCli([
        'predict',
        '--image',
        demo.seriesDir,
        '--seed',
        demo.noduleCentreLps.join(','),
        '--clinical',
        clinical,
        '--model',
        model,
        '--out',
        path.join(tmp.dir, 'r.pdf'),
        ...(json ? ['--json'] : []),
      ]);
    const before = JSON.parse((await predict(parentFile, true)).stdout);
    const afterRun = await predict(out, false);
    expect(afterRun.code, afterRun.stderr).toBe(0);
    expect(afterRun.stdout).toContain(`model         ${child.name} ${child.contentSha256} (${out})`);
    const after = JSON.parse((await predict(out, true)).stdout);
    expect(after.record.bundle.contentSha256).toBe(child.contentSha256);
    expect(after.record.result.probability).toBeCloseTo(plogis(a + b * qlogis(before.record.result.probability)), 10);
    expect(after.record.result.threshold).toBeCloseTo(plogis(a + b * qlogis(before.record.result.threshold)), 12);
    expect(after.record.nomogram.totalPoints).toBeCloseTo(before.record.nomogram.totalPoints, 9);
  }, 300_000);
});
