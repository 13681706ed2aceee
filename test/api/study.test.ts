import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../electron/api/contract.js';
import { type HandlerTable, dispatch } from '../../electron/api/dispatch.js';
import { createHandlerTable } from '../../electron/api/handlers.js';
import { readBundle } from '../../electron/engine/signatures/bundle.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../cli/run-cli.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';

/** The research workflow through the API: a small phantom cohort studied in the background, cancelled, resumed, read back and locked. */
const tmp = tempDir('hilum-api-study-');
afterAll(async () => {
  table?.dispose?.();
  tmp.cleanup();
});
const cohort = path.join(tmp.dir, 'cohort');
const manifest = path.join(cohort, 'manifest.csv');
const protocol = path.join(tmp.dir, 'protocol.yaml');
let table: HandlerTable;

beforeAll(async () => {
  const r = await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS]);
  expect(r.code).toBe(0);
  writeSmallStudyProtocol(tmp.dir, 'api-study', protocol);
  table = createHandlerTable({ dataDir: path.join(tmp.dir, 'data'), dbFile: path.join(tmp.dir, 'data', 'hilum.sqlite'), log: () => {}, checkResponses: true });
}, 300_000);

let nextId = 1;
async function call<T = unknown>(method: string, params: unknown): Promise<T> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if ('error' in answer) throw Object.assign(new Error(answer.error.message), answer.error);
  return answer.result as T;
}
async function errorOf(method: string, params: unknown): Promise<{ code: string; message: string }> {
  const answer = await dispatch(table, { id: nextId++, method, params });
  if (!('error' in answer)) throw new Error(`${method} succeeded`);
  return answer.error;
}
type Status = ReturnType<(typeof API)['study.status']['response']['parse']>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(jobId: string, until: (s: Status) => boolean, seen: Status[] = []): Promise<Status> {
  for (;;) {
    const s = API['study.status'].response.parse(await call('study.status', { jobId }));
    seen.push(s);
    if (until(s)) return s;
    await sleep(100);
  }
}
const cachedFiles = (out: string) => readdirSync(path.join(out, 'features'), { recursive: true }).filter((f) => String(f).endsWith('.json')).length;

describe('cohort studies through the API', () => {
  const out = path.join(tmp.dir, 'study');

  it('runs a study in the background with progress; a cancel keeps the extracted patients and a new start resumes from them', async () => {
    const first = await call<{ jobId: string }>('study.start', { manifest, out, protocol, jobs: 2 });
    expect((await errorOf('study.start', { manifest, out, protocol })).code).toBe('STUDY_RUNNING');
    const before: Status[] = [];
    await waitFor(first.jobId, (s) => s.state !== 'running' || (s.stage === 'extract' && s.done >= 6), before);
    expect(before.at(-1)?.cached).toBe(0);
    expect(before.at(-1)?.total).toBe(56);
    const cancelled = API['study.cancel'].response.parse(await call('study.cancel', { jobId: first.jobId }));
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done).toBeLessThan(56);
    // The workers stopped: no patient is added to the cache after the cancel.
    const kept = cachedFiles(out);
    expect(kept).toBeGreaterThanOrEqual(12); // radiomics + deep per patient
    await sleep(1500);
    expect(cachedFiles(out)).toBe(kept);
    expect((await errorOf('study.results', { out })).code).toBe('STUDY_NOT_FINISHED');

    const second = await call<{ jobId: string }>('study.start', { manifest, out, protocol, jobs: 2 });
    const seen: Status[] = [];
    const end = await waitFor(second.jobId, (s) => s.state !== 'running', seen);
    expect(end.error).toBeNull();
    expect(end.state).toBe('done');
    expect(end.endedAt).not.toBeNull();
    // Only the patients the cache lacked were extracted, patient by patient, then the signatures fitted.
    expect(end.cached).toBeGreaterThanOrEqual(6);
    const extracting = seen.filter((s) => s.stage === 'extract');
    expect(extracting.length).toBeGreaterThan(1);
    expect(extracting.every((s) => s.total === 56 - end.cached!)).toBe(true);
    expect(new Set(extracting.map((s) => s.done)).size).toBeGreaterThan(1);

    const results = API['study.results'].response.parse(await call('study.results', { out }));
    const bundle = readBundle(results.bundleFile);
    expect(results.contentSha256).toBe(bundle.contentSha256);
    expect(results.synthetic).toBe(true);
    expect(results.notice).toMatch(/SYNTHETIC/);
    expect(results.rows).toHaveLength(15);
    expect(new Set(results.rows.map((r) => r.signature))).toEqual(new Set(['clinical', 'radiomics', 'mil', 'dlrad', 'combined']));
    for (const r of results.rows) {
      expect(r.auc).toBeGreaterThanOrEqual(0);
      expect(r.auc).toBeLessThanOrEqual(1);
      expect(r.aucCi[0]).toBeLessThanOrEqual(r.auc);
    }
    expect(results.rows).toEqual(
      bundle.metrics.rows.map(({ signature, split, n, events, auc, aucCi, threshold, accuracy, sensitivity, specificity }) => ({
        signature,
        split,
        n,
        events,
        auc,
        aucCi,
        threshold,
        accuracy,
        sensitivity,
        specificity,
      })),
    );
    expect(results.cohorts.training.patients + results.cohorts.validation.patients + results.cohorts.external.patients).toBe(56);
    expect(results.plots).toContain('roc-validation.svg');
    expect(results.plots).toContain('nomogram.svg');
    const svg = await call<string>('study.plot', { out, name: 'roc-validation.svg' });
    expect(svg).toMatch(/^<svg|^<\?xml/);
    expect((await errorOf('study.plot', { out, name: '../model-bundle.hilum.json' })).code).toBe('API_INVALID_REQUEST');
    expect((await errorOf('study.plot', { out, name: 'absent.svg' })).code).toBe('PATH_NOT_FOUND');
  }, 600_000);

  it('locks the bundle: registered with its hash and active for bedside predictions', async () => {
    const results = API['study.results'].response.parse(await call('study.results', { out }));
    const entry = API['study.lock'].response.parse(await call('study.lock', { out }));
    expect(entry.contentSha256).toBe(results.contentSha256);
    expect(entry.status).toBe('active');
    const info = API['app.info'].response.parse(await call('app.info', {}));
    expect(info.activeBundle?.contentSha256).toBe(results.contentSha256);
    expect(info.activeBundle?.source).toBe('store');
    const schema = API['bundles.schema'].response.parse(await call('bundles.schema', {}));
    expect(schema.contentSha256).toBe(results.contentSha256);
    // Locking again changes nothing.
    expect(API['study.lock'].response.parse(await call('study.lock', { out })).contentSha256).toBe(results.contentSha256);
  });

  it('recalibrates the bundle on a site cohort: a new bundle naming its parent, registered, activated when asked', async () => {
    const results = API['study.results'].response.parse(await call('study.results', { out }));
    // The "site": the external centre's patients in a manifest of their own (features already cached in the study folder).
    const lines = readFileSync(manifest, 'utf8').trim().split('\n');
    const centre = lines[0].split(',').indexOf('centre');
    const site = path.join(cohort, 'site-b.csv');
    writeFileSync(site, [lines[0], ...lines.slice(1).filter((l) => l.split(',')[centre] === 'B')].join('\n') + '\n');
    const r = API['study.recalibrate'].response.parse(await call('study.recalibrate', { out, manifest: site, method: 'intercept', activate: true }));
    expect(r.parentSha256).toBe(results.contentSha256);
    expect(r.cohort.patients).toBe(16);
    expect(r.slope).toBe(1);
    expect(r.bundleFile).toBe(path.join(out, 'recalibrated', 'site-b', 'model-bundle.hilum.json'));
    const child = readBundle(r.bundleFile);
    expect(child.provenance.parent?.contentSha256).toBe(results.contentSha256);
    expect(r.entry.contentSha256).toBe(child.contentSha256);
    expect(r.entry.status).toBe('active');
    expect(existsSync(r.calibrationSvg)).toBe(true);
    const info = API['app.info'].response.parse(await call('app.info', {}));
    expect(info.activeBundle?.contentSha256).toBe(child.contentSha256);
    // Inputs are checked before anything runs.
    expect((await errorOf('study.recalibrate', { out, manifest: site, method: 'slope-only' })).code).toBe('API_INVALID_REQUEST');
    expect((await errorOf('study.recalibrate', { out, manifest: path.join(tmp.dir, 'absent.csv') })).code).toBe('PATH_NOT_FOUND');
    expect((await errorOf('study.recalibrate', { out: path.join(tmp.dir, 'empty'), manifest: site })).code).toBe('STUDY_NOT_FINISHED');
    // Back to the study's own bundle for what follows.
    await call('study.lock', { out });
  }, 300_000);

  it('refuses what it cannot do, with a specific code', async () => {
    expect((await errorOf('study.status', { jobId: 'nope' })).code).toBe('STUDY_JOB_UNKNOWN');
    expect((await errorOf('study.start', { manifest: path.join(tmp.dir, 'absent.csv'), out: path.join(tmp.dir, 'x') })).code).toBe('PATH_NOT_FOUND');
    expect((await errorOf('study.start', { manifest, out: 'relative/folder' })).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf('study.lock', { out: path.join(tmp.dir, 'empty') })).code).toBe('STUDY_NOT_FINISHED');
    // A manifest that is not one fails the job with the engine's own error, reported by study.status.
    const bad = path.join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'name,age\nx,1\n');
    const { jobId } = await call<{ jobId: string }>('study.start', { manifest: bad, out: path.join(tmp.dir, 'study-bad') });
    const end = await waitFor(jobId, (s) => s.state !== 'running');
    expect(end.state).toBe('failed');
    expect(end.error?.code).toMatch(/^MANIFEST_/);
  }, 120_000);
});
