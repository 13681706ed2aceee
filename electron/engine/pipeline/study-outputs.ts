/**
 * What a finished cohort study leaves in its folder: the sealed model bundle
 * (`model-bundle.hilum.json`) and the study report (table, DeLong tests, calibration, plots,
 * nomogram). Shared by `hilum study` and the workstation's research page, so both write the same files.
 */
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { writeStudyReport } from '../report/study-report.js';
import { writeBundle } from '../signatures/bundle.js';
import type { StudyResult } from './cohort-study.js';

export const BUNDLE_FILE = 'model-bundle.hilum.json';

/** Writes the bundle and the report of a complete study; returns the bundle's path. */
export function writeStudyOutputs(out: string, result: StudyResult): string {
  if (!result.bundle || !result.fit || !result.metrics)
    throw new HilumError({ code: 'STUDY_INCOMPLETE', message: 'the study stopped before its signatures were fitted and evaluated; nothing to write' });
  const bundleFile = path.join(out, BUNDLE_FILE);
  writeBundle(bundleFile, result.bundle);
  const t0 = performance.now();
  const cases = result.manifest.cases;
  writeStudyReport({
    out,
    ids: cases.map((c) => c.id),
    centres: cases.map((c) => c.centre),
    y: cases.map((c) => c.label),
    split: result.split,
    latent: cases.some((c) => c.latentProbability !== undefined) ? cases.map((c) => c.latentProbability) : undefined,
    fit: result.fit,
    metrics: result.metrics,
    bundle: result.bundle,
    bundleFile,
    findings: result.findings,
    seconds: result.seconds,
  });
  result.seconds.report = (performance.now() - t0) / 1000;
  return bundleFile;
}
