import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Vec3 } from '../imaging/vec.js';
import { PHANTOM_VERSION, samplePatient } from './patient.js';
import { SYNTHETIC_NOTICE, writePatientFiles } from './patient-files.js';

/** The demo patient: seed, id and phenotype are fixed, so every installation shows the same case. */
export const DEMO_CASE = {
  seed: 'hilum-demo',
  id: 'DEMO0001',
  centre: 'A',
  overrides: { kind: 'part-solid' as const, diameterMm: 21, location: 'peripheral' as const },
};

export interface DemoCase {
  dir: string;
  seriesDir: string;
  maskPath: string;
  clinicalPath: string;
  /** Where a user would click: the nodule's centre (LPS, mm). */
  noduleCentreLps: Vec3;
  notice: string;
}

/** Where generated data is cached: $HILUM_CACHE, or ~/.cache/hilum. */
export function cacheDirectory(): string {
  return process.env.HILUM_CACHE ?? path.join(os.homedir(), '.cache', 'hilum');
}

/**
 * The bedside demo case: a full-field-of-view (512 × 512, 100 mm of z) contrast-enhanced chest CT
 * of a synthetic patient with a part-solid nodule, its ground-truth mask and clinical data. It is
 * generated on first use (a few seconds) into the cache, not kept in the repository, and generated
 * again when the phantom version changes. Writing goes to a temporary folder renamed at the end, so
 * an interrupted run never leaves half a case.
 */
export async function ensureDemoCase(root = cacheDirectory()): Promise<DemoCase> {
  const dir = path.join(root, `demo-case-v${PHANTOM_VERSION}`);
  const descriptor = path.join(dir, 'demo.json');
  if (existsSync(descriptor)) return JSON.parse(readFileSync(descriptor, 'utf8')) as DemoCase;
  mkdirSync(root, { recursive: true });
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const patient = samplePatient(DEMO_CASE.seed, DEMO_CASE.id, DEMO_CASE.centre, DEMO_CASE.overrides);
  const row = await writePatientFiles(patient, tmp, { images: true, render: { fullFieldOfView: true, regionMm: [0, 0, 100] } });
  const demo: DemoCase = {
    dir,
    seriesDir: path.join(dir, row.image_path),
    maskPath: path.join(dir, row.mask_path),
    clinicalPath: path.join(dir, row.clinical_path),
    noduleCentreLps: patient.nodule.centreLps,
    notice: SYNTHETIC_NOTICE,
  };
  writeFileSync(path.join(tmp, 'demo.json'), JSON.stringify(demo, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return demo;
}

/**
 * The demo patient's clinical data as a surgeon would enter it at the bedside (format
 * `hilum-clinical/1`): history, tumour markers with their units, location and the CT signs read by
 * the radiologist. Tumour diameter and CTR are left out: the bedside pipeline measures them on the
 * segmentation.
 */
export function demoClinicalInput(demo: DemoCase): Record<string, unknown> {
  const record = JSON.parse(readFileSync(demo.clinicalPath, 'utf8')) as {
    patientId: string;
    clinical: { ageYears: number; sex: string; smoker: boolean; ceaNgMl: number; cyfraNgMl: number; location: string };
    ctSigns: Record<string, boolean | number | string>;
  };
  const c = record.clinical;
  const s = record.ctSigns;
  return {
    format: 'hilum-clinical/1',
    patient: { pseudonym: record.patientId },
    author: 'demo',
    values: {
      age_years: { value: c.ageYears, unit: 'years' },
      sex: c.sex,
      smoker: c.smoker,
      cea_ng_ml: { value: c.ceaNgMl, unit: 'ng/mL' },
      cyfra_ng_ml: { value: c.cyfraNgMl, unit: 'ng/mL' },
      location: c.location,
      lobulation: s.lobulation,
      spiculation: s.spiculation,
      pleural_indentation: s.pleuralIndentation,
      vacuole: s.vacuole,
      air_bronchogram: s.airBronchogram,
      vascular_convergence: s.vascularConvergence,
    },
  };
}
