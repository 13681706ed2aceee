import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeCtSeries, type SeriesEncoding } from '../imaging/dicom/write-series.js';
import { uidFromSeed } from '../imaging/dicom/uid.js';
import { writeNifti } from '../imaging/nifti.js';
import type { LabelMap, Volume } from '../imaging/volume.js';
import { SOLID_THRESHOLD_HU, longestAxialDiameter } from '../segmentation/measurements.js';
import { noduleBody, solidComponent } from '../segmentation/solid-component.js';
import { type PhantomPatient, type RenderOptions, renderPatient } from './patient.js';
import { centreProfile } from './scanner.js';

/** Said in every file a phantom produces. */
export const SYNTHETIC_NOTICE = 'SYNTHETIC PHANTOM - NOT A PATIENT';

/** One row of a cohort manifest. */
export interface ManifestRow {
  patient_id: string;
  centre: string;
  image_path: string;
  mask_path: string;
  clinical_path: string;
  label: number;
  latent_probability: number;
  age_years: number;
  sex: string;
  smoker: number;
  pack_years: number;
  cea_ng_ml: number;
  cyfra_ng_ml: number;
  lobe: string;
  location: string;
  nodule_type: string;
  diameter_mm: number;
  solid_diameter_mm: number;
  ctr: number;
  lobulation: number;
  spiculation: number;
  pleural_contact: number;
  pleural_indentation: number;
  vacuole: number;
  air_bronchogram: number;
  vascular_convergence: number;
}

export const MANIFEST_COLUMNS: (keyof ManifestRow)[] = [
  'patient_id',
  'centre',
  'image_path',
  'mask_path',
  'clinical_path',
  'label',
  'latent_probability',
  'age_years',
  'sex',
  'smoker',
  'pack_years',
  'cea_ng_ml',
  'cyfra_ng_ml',
  'lobe',
  'location',
  'nodule_type',
  'diameter_mm',
  'solid_diameter_mm',
  'ctr',
  'lobulation',
  'spiculation',
  'pleural_contact',
  'pleural_indentation',
  'vacuole',
  'air_bronchogram',
  'vascular_convergence',
];

export interface PatientFileOptions {
  /** Write the CT and mask (false: clinical data only, for quick statistical checks). */
  images: boolean;
  encoding?: SeriesEncoding;
  render?: RenderOptions;
}

/**
 * Renders a patient and writes what a hospital export would hold, all relative to `outDir`:
 * images/<id>/ (a DICOM CT series through Hilum's writer, with seeded UIDs so the same seed gives
 * the same bytes), masks/<id>.nii.gz (the ground-truth tumour), clinical/<id>.json (clinical data,
 * CT signs, the latent probability and the label). Returns the manifest row.
 */
export async function writePatientFiles(p: PhantomPatient, outDir: string, options: PatientFileOptions): Promise<ManifestRow> {
  const imageRel = path.join('images', p.id);
  const maskRel = path.join('masks', `${p.id}.nii.gz`);
  const clinicalRel = path.join('clinical', `${p.id}.json`);
  let measuredDiameter = p.tumour.diameterMm;
  let measuredSolid = p.tumour.ctr * p.tumour.diameterMm;
  if (options.images) {
    const rendered = renderPatient(p, options.render);
    const volume: Volume = {
      dims: rendered.grid.dims,
      spacingMm: rendered.grid.spacingMm,
      originLps: rendered.grid.originLps,
      direction: rendered.grid.direction,
      voxels: rendered.hu,
    };
    const mask: LabelMap = { ...volume, voxels: rendered.mask };
    measuredDiameter = +longestAxialDiameter(noduleBody(rendered.mask, rendered.grid.dims, rendered.grid.spacingMm), rendered.grid).diameterMm.toFixed(1);
    // Measured as Hilum measures a segmented nodule, so the manifest's CTR is what a reader would record.
    const solid = solidComponent(rendered.mask, rendered.hu, rendered.grid.dims, rendered.grid.spacingMm, SOLID_THRESHOLD_HU);
    measuredSolid = +longestAxialDiameter(solid, rendered.grid).diameterMm.toFixed(1);
    const profile = centreProfile(p.centre);
    const base = `${p.seed}/${p.id}`;
    await writeCtSeries(volume, path.join(outDir, imageRel), {
      encoding: options.encoding ?? 'explicit-little',
      studyInstanceUid: uidFromSeed(`${base}/study`),
      seriesInstanceUid: uidFromSeed(`${base}/series`),
      frameOfReferenceUid: uidFromSeed(`${base}/frame-of-reference`),
      sopInstanceUid: (k) => uidFromSeed(`${base}/image/${k}`),
      seriesDescription: `CHEST CE ${profile.convolutionKernel} - ${SYNTHETIC_NOTICE}`,
      patientId: p.id,
      patientName: `SYNTHETIC^${p.id}`,
      studyDate: new Date(2026, 0, 1, 9, 0, 0),
      extra: {
        Manufacturer: profile.manufacturer,
        ManufacturerModelName: profile.model,
        InstitutionName: `Synthetic centre ${p.centre}`,
        ConvolutionKernel: profile.convolutionKernel,
        KVP: profile.kvp,
        ContrastBolusAgent: `Iodinated contrast (${profile.contrastPhase}, synthetic)`,
        BodyPartExamined: 'CHEST',
        PatientSex: p.clinical.sex === 'female' ? 'F' : 'M',
        PatientAge: `${String(p.clinical.ageYears).padStart(3, '0')}Y`,
        ImageComments: SYNTHETIC_NOTICE,
      },
    });
    mkdirSync(path.join(outDir, 'masks'), { recursive: true });
    writeNifti(path.join(outDir, maskRel), mask, { description: SYNTHETIC_NOTICE });
  }
  mkdirSync(path.join(outDir, 'clinical'), { recursive: true });
  const record = {
    notice: SYNTHETIC_NOTICE,
    patientId: p.id,
    centre: p.centre,
    seed: p.seed,
    phantomVersion: p.phantomVersion,
    clinical: p.clinical,
    ctSigns: { ...p.semantics, measuredDiameterMm: measuredDiameter, measuredSolidDiameterMm: measuredSolid },
    tumour: p.tumour,
    truth: {
      label: p.label,
      latentProbability: p.latent.probability,
      logit: p.latent.logit,
      terms: p.latent.terms,
      riskModelVersion: p.latent.riskModelVersion,
      noduleCentreLps: p.nodule.centreLps,
    },
  };
  writeFileSync(path.join(outDir, clinicalRel), JSON.stringify(record, null, 2) + '\n');
  const flag = (b: boolean) => (b ? 1 : 0);
  return {
    patient_id: p.id,
    centre: p.centre,
    image_path: options.images ? imageRel : '',
    mask_path: options.images ? maskRel : '',
    clinical_path: clinicalRel,
    label: p.label,
    latent_probability: +p.latent.probability.toFixed(6),
    age_years: p.clinical.ageYears,
    sex: p.clinical.sex,
    smoker: flag(p.clinical.smoker),
    pack_years: p.clinical.packYears,
    cea_ng_ml: p.clinical.ceaNgMl,
    cyfra_ng_ml: p.clinical.cyfraNgMl,
    lobe: p.clinical.lobe,
    location: p.clinical.location,
    nodule_type: p.tumour.kind,
    diameter_mm: measuredDiameter,
    solid_diameter_mm: measuredSolid,
    ctr: measuredDiameter > 0 ? +Math.min(1, measuredSolid / measuredDiameter).toFixed(3) : 0,
    lobulation: flag(p.semantics.lobulation),
    spiculation: flag(p.semantics.spiculation),
    pleural_contact: flag(p.semantics.pleuralContact),
    pleural_indentation: flag(p.semantics.pleuralIndentation),
    vacuole: flag(p.semantics.vacuole),
    air_bronchogram: flag(p.semantics.airBronchogram),
    vascular_convergence: flag(p.semantics.vascularConvergence),
  };
}

/** CSV text of manifest rows (RFC 4180 quoting where needed). */
export function manifestCsv(rows: ManifestRow[]): string {
  const quote = (v: unknown) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [MANIFEST_COLUMNS.join(','), ...rows.map((r) => MANIFEST_COLUMNS.map((c) => quote(r[c])).join(','))].join('\n') + '\n';
}
