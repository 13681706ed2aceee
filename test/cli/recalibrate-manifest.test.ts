import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../electron/engine/core/csv.js';
import { readBundle } from '../../electron/engine/signatures/bundle.js';
import { tempDir } from '../helpers.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';
import { runCli } from './run-cli.js';

const tmp = tempDir('hilum-cli-recalibrate-manifest-');
afterAll(() => tmp.cleanup());
const cohort = path.join(tmp.dir, 'cohort');
const study = path.join(tmp.dir, 'study');
const csvRows = (file: string) => parseCsv(readFileSync(file, 'utf8'));

beforeAll(async () => {
  expect((await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS])).code).toBe(0);
  const protocol = writeSmallStudyProtocol(tmp.dir, 'recalibration-test');
  const r = await runCli(['study', '--manifest', path.join(cohort, 'manifest.csv'), '--out', study, '--protocol', protocol, '--jobs', '2']);
  expect(r.code, r.stderr).toBe(0);
}, 600_000);

describe('hilum recalibrate --manifest', () => {
  it('scores the site’s manifest with the bundle as the study did, recalibrates, and writes a bundle naming its parent', async () => {
    // The "site": the external centre's patients, in a manifest of their own (paths stay relative to the cohort folder).
    const rows = csvRows(path.join(cohort, 'manifest.csv'));
    const centre = rows[0].indexOf('centre');
    const site = path.join(cohort, 'site-b.csv');
    writeFileSync(site, [rows[0], ...rows.slice(1).filter((r) => r[centre] === 'B')].map((r) => r.join(',')).join('\n') + '\n');
    const parentFile = path.join(study, 'model-bundle.hilum.json');
    const out = path.join(tmp.dir, 'site-b.bundle.json');
    // The study's feature cache is reused (same bundle settings), so nothing is extracted again.
    const r = await runCli(['recalibrate', '--bundle', parentFile, '--manifest', site, '--method', 'intercept', '--out', out, '--work', study, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.recalibration.cohort.patients).toBe(16);
    const parent = readBundle(parentFile);
    const child = readBundle(out);
    expect(child.provenance.parent?.contentSha256).toBe(parent.contentSha256);
    // Recalibrating the study's own external predictions (predictions.csv) gives the same a.
    const fromScores = path.join(tmp.dir, 'from-scores.bundle.json');
    const predictions = csvRows(path.join(study, 'predictions.csv'));
    const split = predictions[0].indexOf('split');
    const ext = path.join(tmp.dir, 'external-predictions.csv');
    writeFileSync(ext, [predictions[0], ...predictions.slice(1).filter((p) => p[split] === 'external')].map((p) => p.join(',')).join('\n') + '\n');
    const s = await runCli(['recalibrate', '--bundle', parentFile, '--scores', ext, '--method', 'intercept', '--out', fromScores, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).recalibration.intercept).toBeCloseTo(summary.recalibration.intercept, 9);
  }, 300_000);
});
