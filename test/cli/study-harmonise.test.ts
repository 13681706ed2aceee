import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../electron/engine/core/csv.js';
import { readFileSync } from 'node:fs';
import { readBundle } from '../../electron/engine/signatures/bundle.js';
import { tempDir } from '../helpers.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';
import { runCli } from './run-cli.js';

/** ComBat as a protocol step of hilum study, frozen in the bundle; a new centre added with hilum harmonise add-batch; an unknown centre refused at the bedside. */
const tmp = tempDir('hilum-cli-study-harmonise-');
afterAll(() => tmp.cleanup());
const cohort = path.join(tmp.dir, 'cohort');
const study = path.join(tmp.dir, 'study');
const bundleFile = path.join(study, 'model-bundle.hilum.json');
const rows = () => parseCsv(readFileSync(path.join(cohort, 'manifest.csv'), 'utf8'));

beforeAll(async () => {
  expect((await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS])).code).toBe(0);
  const protocol = writeSmallStudyProtocol(tmp.dir, 'harmonised-study');
  // Centre A trains alone, so it is the reference batch; centre B is estimated from its own patients.
  writeFileSync(protocol, readFileSync(protocol, 'utf8') + 'harmonisation:\n  batchColumn: centre\n  referenceBatch: A\n  covariates: [age_years]\n');
  const r = await runCli(['study', '--manifest', path.join(cohort, 'manifest.csv'), '--out', study, '--protocol', protocol, '--jobs', '2']);
  expect(r.code, r.stderr).toBe(0);
}, 600_000);

describe('harmonisation in hilum study', () => {
  it('freezes the batch parameters in the bundle: the training centre, and the external centre estimated from its own patients', () => {
    const b = readBundle(bundleFile);
    const h = b.signatures.harmonisation!;
    expect(h.batchColumn).toBe('centre');
    expect(h.referenceBatch).toBe('A');
    expect(h.covariates).toEqual(['age_years']);
    expect(h.batches.A.source).toBe('training');
    expect(h.batches.B).toMatchObject({ source: 'new-batch', samples: 16 });
    expect(b.protocol.harmonisation?.batchColumn).toBe('centre');
    // The parametric prior of the estimated batch is drawn; the reference batch has none.
    const plot = readFileSync(path.join(study, 'plots', 'harmonisation-prior-B.svg'), 'utf8');
    expect(plot).toContain('ComBat scale prior — batch B');
    expect(existsSync(path.join(study, 'plots', 'harmonisation-prior-A.svg'))).toBe(false);
  });

  it('adds a new centre from a batch of its own patients (a new bundle naming its parent); one patient of an unknown centre is refused at the bedside', async () => {
    // The "new centre" C: centre B's patients relabelled (features are read from the study's cache).
    const all = rows();
    const centre = all[0].indexOf('centre');
    const siteRows = all.slice(1).filter((r) => r[centre] === 'B');
    const site = path.join(cohort, 'site-c.csv');
    writeFileSync(site, [all[0], ...siteRows.map((r) => r.map((v, j) => (j === centre ? 'C' : v)))].map((r) => r.join(',')).join('\n') + '\n');
    const child = path.join(tmp.dir, 'with-c.bundle.json');
    const r = await runCli(['harmonise', 'add-batch', '--bundle', bundleFile, '--manifest', site, '--out', child, '--work', study, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const parent = readBundle(bundleFile);
    expect(summary).toMatchObject({ batch: 'C', samples: 16, parent: { contentSha256: parent.contentSha256 } });
    const c = readBundle(child);
    expect(Object.keys(c.signatures.harmonisation!.batches).sort()).toEqual(['A', 'B', 'C']);
    expect(c.signatures.harmonisation!.batches.B).toEqual(parent.signatures.harmonisation!.batches.B);
    // Adding it again is refused.
    const again = await runCli(['harmonise', 'add-batch', '--bundle', child, '--manifest', site, '--out', path.join(tmp.dir, 'again.json'), '--work', study]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/HARMONISE_BATCH_EXISTS/);

    // One patient of centre D at the bedside: refused by name, before any image work.
    const header = all[0];
    const p = siteRows[0];
    const values = Object.fromEntries(
      [
        'age_years',
        'sex',
        'smoker',
        'cea_ng_ml',
        'cyfra_ng_ml',
        'location',
        'lobulation',
        'spiculation',
        'pleural_indentation',
        'vacuole',
        'air_bronchogram',
        'vascular_convergence',
      ].map((k) => [k, p[header.indexOf(k)]]),
    );
    const clinical = path.join(tmp.dir, 'patient-d.json');
    writeFileSync(clinical, JSON.stringify({ format: 'hilum-clinical/1', values: { ...values, centre: 'D' } }));
    const image = path.resolve(cohort, p[header.indexOf('image_path')]);
    const mask = path.resolve(cohort, p[header.indexOf('mask_path')]);
    const refused = await runCli(['predict', '--image', image, '--mask', mask, '--clinical', clinical, '--model', child, '--out', path.join(tmp.dir, 'd.pdf')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/HARMONISE_UNKNOWN_BATCH/);
    expect(refused.stderr).toMatch(/hilum harmonise add-batch/);
  }, 300_000);
});
