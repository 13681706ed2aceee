/**
 * The API's research handlers: a cohort study run in the background (start, progress, cancel;
 * a new start on the same folder resumes from the cached features), its results read back from
 * the study folder, its plots, locking its bundle for bedside use (registered, hash verified,
 * activated), and recalibrating it on a site's own cohort.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../engine/core/errors.js';
import type { Finding } from '../engine/core/errors.js';
import { StudyJob } from '../engine/pipeline/study-job.js';
import { generateCohort } from '../engine/phantom/index.js';
import { BUNDLE_FILE } from '../engine/pipeline/study-outputs.js';
import { recalibrateOnSiteManifest } from '../engine/pipeline/recalibrate-site.js';
import { readBundle } from '../engine/signatures/bundle.js';
import * as store from '../engine/store/index.js';
import type { ApiParams } from './contract.js';
import type { HandlerResult } from './dispatch.js';

/**
 * The studies running in one engine process. They outlive a handler table (the loopback host makes
 * one per connection), so a reloaded page finds its study still running; the host or the engine
 * worker owns one and cancels them all when it closes.
 */
export class StudyJobs {
  private readonly jobs = new Map<string, StudyJob>();

  add(job: StudyJob): void {
    this.jobs.set(job.id, job);
  }

  get(jobId: string): StudyJob | undefined {
    return this.jobs.get(jobId);
  }

  runningIn(out: string): StudyJob | undefined {
    return [...this.jobs.values()].find((j) => j.status().state === 'running' && j.request.out === out);
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.cancel()));
  }
}

export interface StudyContext {
  /** Runs a body on the case store (opened read-write unless readonly). */
  withStore: <T>(body: (db: store.Db) => T, readonly?: boolean) => T;
  jobs: StudyJobs;
}

function absolute(p: string, what: string): string {
  if (!path.isAbsolute(p)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `the ${what} must be an absolute path, got '${p}'` });
  return path.normalize(p);
}

function existingFile(p: string, what: string): string {
  const file = absolute(p, what);
  if (!existsSync(file) || !statSync(file).isFile())
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `the ${what} ${file} does not exist`, hint: 'Choose an existing file.', data: { path: file } });
  return file;
}

function studyBundleFile(out: string): string {
  const file = path.join(absolute(out, 'study folder'), BUNDLE_FILE);
  if (!existsSync(file))
    throw new HilumError({
      code: 'STUDY_NOT_FINISHED',
      message: `${out} holds no finished study (no ${BUNDLE_FILE})`,
      hint: 'Run the study to the end first; a cancelled study resumes when started again on the same folder.',
      data: { out },
    });
  return file;
}

/** The synthetic cohort of "Try it on a synthetic cohort": 56 phantom patients, centres A (40) and B (16), seed 11. */
const SYNTHETIC_CENTRES = [
  { id: 'A', count: 40 },
  { id: 'B', count: 16 },
];
/** A light radiomics set (shape + first order) and a protocol loosened for so few patients (as test/small-study.ts). */
const SYNTHETIC_RADIOMICS =
  'imageType:\n  Original: {}\nfeatureClass:\n  shape:\n  firstorder:\nsetting:\n  binWidth: 25\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkBSpline\n  label: 1\n';
const SYNTHETIC_PROTOCOL =
  'name: synthetic-try-out\ndataSource: synthetic\nradiomics:\n  parameterFile: light.yaml\nclinical:\n  pEnter: 0.3\n  pKeep: 0.3\nselection:\n  pThreshold: 0.3\n  lasso:\n    nFolds: 4\ndeep:\n  pcaComponents: 4\n';

export function studyHandlers(ctx: StudyContext) {
  const { jobs } = ctx;

  function jobOf(jobId: string): StudyJob {
    const job = jobs.get(jobId);
    if (!job)
      throw new HilumError({
        code: 'STUDY_JOB_UNKNOWN',
        message: 'no study with this ID runs in this session',
        hint: 'Start the study again on the same folder: extracted features are reused.',
        data: { jobId },
      });
    return job;
  }

  const handlers = {
    async 'study.start'(p: ApiParams<'study.start'>): Promise<HandlerResult<'study.start'>> {
      const manifest = existingFile(p.manifest, 'cohort manifest');
      const protocol = p.protocol ? existingFile(p.protocol, 'study protocol') : undefined;
      const out = absolute(p.out, 'study folder');
      const running = jobs.runningIn(out);
      if (running)
        throw new HilumError({
          code: 'STUDY_RUNNING',
          message: `a study is already running in ${out}`,
          hint: 'Wait for it to finish or cancel it first.',
          data: { jobId: running.id },
        });
      const job = new StudyJob({ manifest, out, protocol, jobs: p.jobs });
      jobs.add(job);
      return { jobId: job.id };
    },

    async 'study.status'(p: ApiParams<'study.status'>): Promise<HandlerResult<'study.status'>> {
      return jobOf(p.jobId).status();
    },

    async 'study.cancel'(p: ApiParams<'study.cancel'>): Promise<HandlerResult<'study.cancel'>> {
      return jobOf(p.jobId).cancel();
    },

    async 'study.results'(p: ApiParams<'study.results'>): Promise<HandlerResult<'study.results'>> {
      const bundleFile = studyBundleFile(p.out);
      const out = path.dirname(bundleFile);
      const bundle = readBundle(bundleFile);
      const summaryFile = path.join(out, 'study.json');
      const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { findings?: Finding[] }) : {};
      const plotsDir = path.join(out, 'plots');
      const plots = existsSync(plotsDir)
        ? readdirSync(plotsDir)
            .filter((f) => f.endsWith('.svg'))
            .sort()
        : [];
      return {
        out,
        bundleFile,
        name: bundle.name,
        contentSha256: bundle.contentSha256,
        synthetic: bundle.synthetic,
        notice: bundle.notice,
        createdAt: bundle.createdAt,
        cohorts: bundle.provenance.cohorts as HandlerResult<'study.results'>['cohorts'],
        rows: bundle.metrics.rows,
        delong: bundle.metrics.delong as unknown as Record<string, unknown>[],
        findings: summary.findings ?? [],
        plots,
      };
    },

    async 'study.plot'(p: ApiParams<'study.plot'>): Promise<HandlerResult<'study.plot'>> {
      const plotsDir = path.join(absolute(p.out, 'study folder'), 'plots');
      const file = path.join(plotsDir, p.name);
      const missing = () => new HilumError({ code: 'PATH_NOT_FOUND', message: `the study has no plot ${p.name}`, data: { out: p.out, name: p.name } });
      if (!existsSync(file)) throw missing();
      // The name is a plain file name (contract); a link out of the plots folder is refused all the same.
      if (path.dirname(realpathSync(file)) !== realpathSync(plotsDir)) throw missing();
      return readFileSync(file, 'utf8');
    },

    async 'study.synthetic'(p: ApiParams<'study.synthetic'>): Promise<HandlerResult<'study.synthetic'>> {
      const folder = absolute(p.folder, 'folder for the synthetic cohort');
      const cohortDir = path.join(folder, 'cohort');
      const manifest = path.join(cohortDir, 'manifest.csv');
      const reused = existsSync(manifest);
      let patients: number;
      if (reused) patients = readFileSync(manifest, 'utf8').trim().split('\n').length - 1;
      else patients = (await generateCohort({ outDir: cohortDir, centres: SYNTHETIC_CENTRES, seed: '11', jobs: 2 })).rows.length;
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'light.yaml'), SYNTHETIC_RADIOMICS);
      const protocol = path.join(folder, 'protocol.yaml');
      writeFileSync(protocol, SYNTHETIC_PROTOCOL);
      return { manifest, protocol, out: path.join(folder, 'study'), patients, reused };
    },

    async 'study.recalibrate'(p: ApiParams<'study.recalibrate'>): Promise<HandlerResult<'study.recalibrate'>> {
      const parentFile = studyBundleFile(p.out);
      const manifest = existingFile(p.manifest, 'site cohort manifest');
      const out = path.dirname(parentFile);
      if (jobs.runningIn(out))
        throw new HilumError({ code: 'STUDY_RUNNING', message: `a study is running in ${out}`, hint: 'Wait for it to finish or cancel it first.' });
      const parent = readBundle(parentFile);
      const dir = path.join(out, 'recalibrated', path.basename(manifest).replace(/\.csv$/i, '') || 'site');
      const r = await recalibrateOnSiteManifest(parent, manifest, {
        method: p.method,
        bundleFile: path.join(dir, BUNDLE_FILE),
        reportDir: dir,
        workDir: out,
        jobs: p.jobs,
      });
      const entry = ctx.withStore((db) => {
        const imported = store.importBundle(db, r.bundle, 'hilum', r.files.bundle);
        return p.activate ? store.activateBundle(db, imported.contentSha256, 'hilum') : imported;
      });
      const summary = (c: typeof r.recalibration.before) => ({
        meanPredicted: c.meanPredicted,
        observedRate: c.observedRate,
        slope: c.slope,
        interceptInTheLarge: c.interceptInTheLarge,
      });
      return {
        bundleFile: r.files.bundle,
        calibrationSvg: r.files.calibrationSvg,
        entry,
        parentSha256: parent.contentSha256,
        method: r.recalibration.method,
        intercept: r.recalibration.intercept,
        slope: r.recalibration.slope,
        cohort: { patients: r.recalibration.cohort.patients, events: r.recalibration.cohort.events },
        before: summary(r.recalibration.before),
        after: summary(r.recalibration.after),
      };
    },

    async 'study.lock'(p: ApiParams<'study.lock'>): Promise<HandlerResult<'study.lock'>> {
      const bundleFile = studyBundleFile(p.out);
      const bundle = readBundle(bundleFile);
      return ctx.withStore((db) => {
        const entry = store.importBundle(db, bundle, 'hilum', bundleFile);
        return p.activate ? store.activateBundle(db, entry.contentSha256, 'hilum') : entry;
      });
    },
  };

  return handlers;
}
