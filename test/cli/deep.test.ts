import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const tmp = tempDir('hilum-cli-deep-');
afterAll(() => tmp.cleanup());
const cohort = path.join(tmp.dir, 'cohort');
const SHIPPED = path.resolve(__dirname, '../../models/hilum-demo-backbone');

describe('hilum deep-bags and hilum deep', () => {
  beforeAll(async () => {
    const r = await runCli(['phantom', '--out', cohort, '--centres', 'A:2,B:1', '--seed', 'deep-cli', '--jobs', '2']);
    expect(r.code).toBe(0);
  }, 120_000);

  it('deep-bags writes every patient’s bag and an index the training recipe reads', async () => {
    const out = path.join(tmp.dir, 'bags');
    const r = await runCli(['deep-bags', '--manifest', path.join(cohort, 'manifest.csv'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote 3 bags \(21 slices of 3×64×64\)/);
    const index = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8'));
    expect(index.cases.map((c: { id: string }) => c.id)).toEqual(['A0001', 'A0002', 'B0001']);
    const manifest = readFileSync(path.join(cohort, 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
    expect(index.cases.map((c: { label: number }) => c.label)).toEqual(manifest.map((l) => Number(l.split(',')[5])));
    expect(readFileSync(path.join(out, 'bags.f32')).length).toBe(3 * 7 * 3 * 64 * 64 * 4);
    expect(index.cases[1].offset).toBe(7 * 3 * 64 * 64);
  });

  it('deep runs the shipped backbone on one patient: bag, slice probabilities, MIL features, provider, model hash', async () => {
    const out = path.join(tmp.dir, 'A0001-deep.json');
    const r = await runCli([
      'deep',
      '--image',
      path.join(cohort, 'images', 'A0001'),
      '--mask',
      path.join(cohort, 'masks', 'A0001.nii.gz'),
      '--providers',
      'cpu',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SYNTHETIC/);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const card = JSON.parse(readFileSync(path.join(SHIPPED, 'card.json'), 'utf8'));
    expect(result.model.sha256).toBe(card.onnx.sha256);
    expect(result.provider).toBe('cpu');
    expect(result.bag.shape).toEqual([7, 3, 64, 64]);
    expect(result.sliceProbabilities).toHaveLength(7);
    for (const p of result.sliceProbabilities) expect(p > 0 && p < 1).toBe(true);
    const mil = Object.keys(result.milFeatures).filter((k) => k.startsWith('mil_'));
    expect(mil).toHaveLength(18);
    const plh = mil.filter((k) => k.startsWith('mil_plh_')).reduce((s, k) => s + result.milFeatures[k], 0);
    expect(plh).toBeCloseTo(1, 12);
  });

  it('deep --manifest writes one row of MIL features per patient; an unknown provider is refused', async () => {
    const out = path.join(tmp.dir, 'mil.csv');
    const r = await runCli(['deep', '--manifest', path.join(cohort, 'manifest.csv'), '--out', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0].split(',').slice(0, 4)).toEqual(['patient_id', 'centre', 'label', 'mil_plh_bin00']);
    const bad = await runCli(['deep', '--image', 'x', '--mask', 'y', '--providers', 'tpu']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown execution provider 'tpu'/);
  });
});
