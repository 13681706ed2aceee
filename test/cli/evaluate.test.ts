import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const stats = path.resolve(__dirname, '../fixtures/stats');
const asah = path.join(stats, 'data', 'asah.csv');
const roc = JSON.parse(readFileSync(path.join(stats, 'expected', 'roc_asah.json'), 'utf8'));
const tmp = tempDir('hilum-cli-evaluate-');
afterAll(() => tmp.cleanup());

describe('hilum evaluate', () => {
  it('reproduces pROC: AUC, DeLong CI, Youden coordinates and the paired DeLong test (aSAH, wfns vs s100b)', async () => {
    const r = await runCli(['evaluate', '--data', asah, '--outcome', 'outcome', '--score', 'wfns', '--score', 's100b', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    for (const s of report.scores) {
      const e = roc.predictors[s.score];
      expect(s.direction).toBe(e.direction);
      expect(s.auc).toBeCloseTo(e.auc, 12);
      expect(s.auc95[0]).toBeCloseTo(e.ci95_delong.lower, 12);
      expect(s.auc95[1]).toBeCloseTo(e.ci95_delong.upper, 12);
      expect(s.youden[0].threshold).toBeCloseTo(e.youden_best[0].threshold, 12);
      expect([s.youden[0].tp, s.youden[0].tn, s.youden[0].fp, s.youden[0].fn]).toEqual([
        e.youden_best[0].tp,
        e.youden_best[0].tn,
        e.youden_best[0].fp,
        e.youden_best[0].fn,
      ]);
    }
    const t = roc.tests.find((x: { roc1: string; roc2: string }) => x.roc1 === 'wfns' && x.roc2 === 's100b');
    expect(report.comparisons[0].z).toBeCloseTo(t.z, 10);
    expect(report.comparisons[0].p).toBeCloseTo(t.p_value, 12);
    const text = await runCli(['evaluate', '--data', asah, '--outcome', 'outcome', '--score', 's100b']);
    expect(text.stdout).toMatch(/s100b\s+AUC 0\.731 \(95 % CI 0\.63–0\.833, DeLong\)/);
  });

  it('with --probability adds Brier, Hosmer-Lemeshow and net benefit; refuses non-probabilities, missing values and unknown columns', async () => {
    // A probability column: the logistic function of s100b (any monotone map keeps the AUC).
    const rows = readFileSync(asah, 'utf8').trim().split('\n');
    const header = rows[0].split(',').map((h) => h.replace(/"/g, ''));
    const col = header.indexOf('s100b');
    const withP = [[...header, 'p'].join(','), ...rows.slice(1).map((line) => `${line},${1 / (1 + Math.exp(-(4 * Number(line.split(',')[col]) - 1)))}`)].join(
      '\n',
    );
    const file = path.join(tmp.dir, 'p.csv');
    writeFileSync(file, withP + '\n');
    const r = await runCli(['evaluate', '--data', file, '--outcome', 'outcome', '--score', 'p', '--probability', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout).scores[0];
    expect(s.auc).toBeCloseTo(roc.predictors.s100b.auc, 12);
    const y = rows.slice(1).map((l) => Number(l.split(',')[header.indexOf('outcome')]));
    const p = withP
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',').at(-1)));
    expect(s.calibration.brier).toBeCloseTo(p.reduce((acc, v, i) => acc + (v - y[i]) ** 2, 0) / y.length, 12);
    expect(s.decisionCurve.thresholds).toHaveLength(99);
    expect(s.calibration.hosmerLemeshow.df).toBe(8);
    const bad = await runCli(['evaluate', '--data', asah, '--outcome', 'outcome', '--score', 'ndka', '--probability']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/NOT_A_PROBABILITY|is not a probability/);
    const missing = path.join(tmp.dir, 'missing.csv');
    writeFileSync(missing, 'y,s\n1,0.4\n0,\n1,0.9\n');
    const m = await runCli(['evaluate', '--data', missing, '--outcome', 'y', '--score', 's']);
    expect(m.stderr).toMatch(/row 3, column 's': '' is not a number/);
    const u = await runCli(['evaluate', '--data', asah, '--outcome', 'outcome', '--score', 'nope']);
    expect(u.stderr).toMatch(/has no column 'nope'/);
  });
});
