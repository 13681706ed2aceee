/**
 * `hilum study --slurm` on a real Slurm cluster: a one-node cluster on 127.0.0.1 (test/slurm-cluster.ts;
 * Debian's slurm-wlm and munge, installed by .ci/run) runs the small phantom study's extraction as a
 * 4-task array job and the merge as a job that waits for it. The jobs run this checkout's built CLI
 * (node bin/hilum.js), as they would on a cluster. Skipped, saying so, only where the daemons cannot start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCohortManifest } from '../../electron/engine/pipeline/cohort-manifest.js';
import { readShardRecord, shardCases } from '../../electron/engine/pipeline/cohort-shards.js';
import type { StudyShardsStatus } from '../../electron/engine/pipeline/slurm-jobs.js';
import { readBundle } from '../../electron/engine/signatures/bundle.js';
import { ROOT, tempDir } from '../helpers.js';
import { type SlurmCluster, startSlurmCluster } from '../slurm-cluster.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../small-study.js';
import { runCli } from './run-cli.js';

const tmp = tempDir('hilum-slurm-');
const cohort = path.join(tmp.dir, 'cohort');
const manifest = path.join(cohort, 'manifest.csv');
const protocolFile = path.join(tmp.dir, 'protocol.yaml');
const reference = path.join(tmp.dir, 'single-process');
let cluster: SlurmCluster | null = null;
const seconds: string[] = [];
let lap = Date.now();
const timed = (what: string) => {
  seconds.push(`${what} ${((Date.now() - lap) / 1000).toFixed(0)} s`);
  lap = Date.now();
};

/** The jobs run dist/ (bin/hilum.js); rebuild it when a source file is newer (npm ci builds it in CI). */
function ensureBuiltCli(): void {
  const built = path.join(ROOT, 'dist', 'electron', 'cli', 'main.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (t, e) => Math.max(t, e.isDirectory() ? newest(path.join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(path.join(dir, e.name)).mtimeMs : 0),
      0,
    );
  if (existsSync(built) && statSync(built).mtimeMs >= newest(path.join(ROOT, 'electron'))) return;
  const r = spawnSync('npm', ['run', '--silent', 'build:engine'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:engine failed:\n${r.stdout}${r.stderr}`);
}

beforeAll(async () => {
  try {
    cluster = await startSlurmCluster();
  } catch (error) {
    console.warn(`SKIPPED test/cli/slurm.test.ts: the one-node Slurm cluster could not start: ${(error as Error).message}`);
    return;
  }
  timed('cluster start');
  process.env.SLURM_CONF = cluster.env.SLURM_CONF;
  ensureBuiltCli();
  timed('CLI build check');
  const r = await runCli(['phantom', '--out', cohort, ...SMALL_COHORT_ARGS]);
  expect(r.code, r.stderr).toBe(0);
  timed('phantom cohort');
  writeSmallStudyProtocol(tmp.dir, 'slurm-study', protocolFile);
  // Four array tasks of one CPU each: two run at a time on the node's 2 CPUs.
  writeFileSync(protocolFile, readFileSync(protocolFile, 'utf8') + 'slurm:\n  shards: 4\n  cpusPerTask: 1\n  mem: 1G\n  time: "00:30:00"\n');
  const single = await runCli(['study', '--manifest', manifest, '--out', reference, '--protocol', protocolFile, '--jobs', '2']);
  expect(single.code, single.stderr).toBe(0);
  timed('single-process study');
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
  tmp.cleanup();
  timed('the two Slurm scenarios and the stop');
  if (seconds.length > 1) console.log(`test/cli/slurm.test.ts wall time: ${seconds.join(', ')}`);
});

async function status(out: string): Promise<StudyShardsStatus> {
  const r = await runCli(['study', '--out', out, '--status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StudyShardsStatus;
}

/** Polls the study's status until `done` holds (or fails with the last status and the daemons' logs). */
async function waitForStatus(out: string, done: (s: StudyShardsStatus) => boolean, seconds = 400): Promise<StudyShardsStatus> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const s = await status(out);
    if (done(s)) return s;
    if (Date.now() > until) throw new Error(`waited ${seconds} s; status: ${JSON.stringify(s, null, 1)}\n${cluster!.logs()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const mergeEnded = (s: StudyShardsStatus) => s.merge !== undefined && s.merge.state !== 'pending' && s.merge.state !== 'running';
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');

describe('hilum study on a one-node Slurm cluster', () => {
  it('runs the extraction as a 4-task array job and the merge after it; the merged table equals a single-process run byte for byte', async (ctx) => {
    if (!cluster) return ctx.skip();
    const out = path.join(tmp.dir, 'study');
    const r = await runCli(['study', '--manifest', manifest, '--out', out, '--protocol', protocolFile, '--slurm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { submission } = JSON.parse(r.stdout);
    expect(submission.tasks).toEqual([1, 2, 3, 4]);
    expect(submission.dependency).toBe(`afterok:${submission.arrayJob}`);
    expect(read(path.join(out, 'slurm'), 'extract.sbatch')).toContain(
      `exec ${process.execPath} ${path.join(ROOT, 'bin', 'hilum.js')} study --manifest ${manifest}`,
    );

    const s = await waitForStatus(out, mergeEnded);
    expect(s.merge, `merge log:\n${existsSync(s.merge!.log) ? readFileSync(s.merge!.log, 'utf8') : ''}`).toMatchObject({
      state: 'done',
      job: submission.mergeJob,
    });
    expect(s.shards.map((x) => [x.state, x.job, x.record?.patients])).toEqual([1, 2, 3, 4].map((i) => ['done', `${submission.arrayJob}_${i}`, 14]));
    expect(read(out, 'features.csv')).toBe(read(reference, 'features.csv'));
    expect(read(out, 'features.json')).toBe(read(reference, 'features.json'));
    expect(read(out, 'table.csv')).toBe(read(reference, 'table.csv'));
    // Where the study ran is no part of the model.
    expect(readBundle(path.join(out, 'model-bundle.hilum.json')).protocol).not.toHaveProperty('slurm');
    // Per-shard logs in the study folder, named by shard and array job.
    expect(read(path.join(out, 'slurm', 'logs'), `shard-3-of-4.${submission.arrayJob}.log`)).toMatch(/shard 3\/4: features of 14 patients/);
    expect(read(path.join(out, 'slurm', 'logs'), `merge.${submission.mergeJob}.log`)).toMatch(/bundle .*model-bundle\.hilum\.json/);
  }, 600_000);

  it('reports a shard killed mid-run (scancel) as failed; a resubmission of that shard alone completes the study', async (ctx) => {
    if (!cluster) return ctx.skip();
    const out = path.join(tmp.dir, 'study-killed');
    const r = await runCli(['study', '--manifest', manifest, '--out', out, '--protocol', protocolFile, '--slurm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout).submission;
    const victim = `${first.arrayJob}_2`;

    // Mid-run: shard 2 has started and cached some of its patients, not all.
    const ids = shardCases(readCohortManifest(manifest).cases, { index: 2, count: 4 }).map((c) => c.id);
    const cachedOfShard2 = () => {
      const dir = path.join(out, 'features');
      const deep = existsSync(dir) ? readdirSync(dir).find((d) => d.startsWith('deep-')) : undefined;
      return deep ? ids.filter((id) => existsSync(path.join(dir, deep, `${id}.json`))).length : 0;
    };
    const until = Date.now() + 300_000;
    while (!(readShardRecord(path.join(out, 'shards'), { index: 2, count: 4 })?.state === 'running' && cachedOfShard2() >= 1)) {
      if (Date.now() > until) throw new Error(`shard 2 did not start: ${JSON.stringify(await status(out))}\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const cancel = cluster.run('scancel', [victim]);
    expect(cancel.status, cancel.stderr).toBe(0);

    // The other shards finish; the merge, waiting on a task that failed, never starts.
    const s = await waitForStatus(out, (x) => x.shards.every((y) => y.state === 'done' || y.state === 'failed') && mergeEnded(x));
    expect(s.shards.map((x) => x.state)).toEqual(['done', 'failed', 'done', 'done']);
    expect(s.shards[1]).toMatchObject({ job: victim, log: path.join(out, 'slurm', 'logs', `shard-2-of-4.${first.arrayJob}.log`) });
    expect(s.shards[1].detail).toMatch(/SHARD_TERMINATED: terminated by SIGTERM.*Slurm: CANCELLED/);
    expect(s.merge).toMatchObject({ state: 'failed', job: first.mergeJob });
    expect(s.merge!.detail).toMatch(/DependencyNeverSatisfied/);
    const cachedWhenKilled = cachedOfShard2();
    expect(cachedWhenKilled).toBeLessThan(ids.length);
    const text = await runCli(['study', '--out', out, '--status']);
    console.log(`hilum study --status after scancel of ${victim}:\n${text.stdout}`);
    expect(text.stdout).toMatch(new RegExp(`shard 2/4 +failed +job ${victim} `));
    expect(text.stdout).toMatch(/failed, missing or stale: 2 — resubmit them alone with: hilum study --out .* --resubmit-failed/);
    // A merge now refuses, naming the shard and why.
    const merge = await runCli(['study', '--manifest', manifest, '--out', out, '--protocol', protocolFile, '--merge']);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/SHARDS_MISSING.*shard\(s\) 2 of 4 have not written their table — 2: failed \(SHARD_TERMINATED/);

    const again = await runCli(['study', '--out', out, '--resubmit-failed', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout).submission;
    expect(second.tasks).toEqual([2]);
    expect(second.dependency).toBe(`afterok:${second.arrayJob}`);
    const done = await waitForStatus(out, (x) => x.merge?.job === second.mergeJob && mergeEnded(x));
    expect(done.merge).toMatchObject({ state: 'done', job: second.mergeJob });
    expect(done.shards.map((x) => [x.state, x.job])).toEqual([
      ['done', `${first.arrayJob}_1`],
      ['done', `${second.arrayJob}_2`],
      ['done', `${first.arrayJob}_3`],
      ['done', `${first.arrayJob}_4`],
    ]);
    // The resubmitted shard extracted only what the killed run had not cached.
    const log = read(path.join(out, 'slurm', 'logs'), `shard-2-of-4.${second.arrayJob}.log`);
    expect(Number(/features: \d+\/(\d+) patients/.exec(log)?.[1])).toBe(ids.length - cachedWhenKilled);
    expect(read(out, 'features.csv')).toBe(read(reference, 'features.csv'));
    expect(read(out, 'table.csv')).toBe(read(reference, 'table.csv'));
  }, 600_000);
});
