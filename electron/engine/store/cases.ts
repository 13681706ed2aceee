/**
 * Case views: the worklist (every patient with counts and a status, searchable by pseudonym) and the
 * full read of one case (everything the store holds about a patient).
 */
import { listClinicalRecords, type ClinicalRecord } from './clinical.js';
import { listFeatureSetsOfPatient, type FeatureSet } from './features.js';
import { listSeriesOfPatient, listStudies, type Series, type Study } from './imaging.js';
import { requirePatient, type Patient } from './patients.js';
import { listDicomExportsOfPatient, listPredictions, listReportsOfPatient, type DicomExport, type Prediction, type Report } from './predictions.js';
import { listSegmentations, type Segmentation } from './segmentations.js';
import type { Db } from './transaction.js';

/** How far a case has come: registered/imported → segmented → predicted → reported. */
export type CaseStatus = 'imported' | 'segmented' | 'predicted' | 'reported';

export interface CaseSummary {
  patientId: string;
  pseudonym: string;
  createdAt: string;
  /** Time of the case's latest change (any of its rows). */
  updatedAt: string;
  status: CaseStatus;
  studies: number;
  series: number;
  segmentations: number;
  clinicalRecords: number;
  predictions: number;
  reports: number;
  latestPrediction: { id: string; probability: number | null; category: string | null; createdAt: string } | null;
}

export interface CaseRecord {
  patient: Patient;
  studies: Study[];
  series: Series[];
  /** Every version of every series' segmentation (by series, then version). */
  segmentations: Segmentation[];
  clinicalRecords: ClinicalRecord[];
  featureSets: FeatureSet[];
  predictions: Prediction[];
  reports: Report[];
  dicomExports: DicomExport[];
}

interface SummaryRow {
  id: string;
  pseudonym: string;
  created_at: string;
  studies: number;
  series: number;
  segmentations: number;
  clinical_records: number;
  predictions: number;
  reports: number;
  updated_at: string;
  p_id: string | null;
  p_probability: number | null;
  p_category: string | null;
  p_created_at: string | null;
}

const SUMMARY_SQL = `
WITH
  st AS (SELECT patient_id, count(*) AS n, max(created_at) AS at FROM studies GROUP BY patient_id),
  se AS (SELECT s.patient_id, count(*) AS n, max(x.created_at) AS at FROM series x JOIN studies s ON s.id = x.study_id GROUP BY s.patient_id),
  sg AS (SELECT s.patient_id, count(*) AS n, max(g.created_at) AS at
         FROM segmentations g JOIN series x ON x.id = g.series_id JOIN studies s ON s.id = x.study_id GROUP BY s.patient_id),
  cr AS (SELECT patient_id, count(*) AS n, max(created_at) AS at FROM clinical_records GROUP BY patient_id),
  pr AS (SELECT patient_id, count(*) AS n, max(created_at) AS at FROM predictions GROUP BY patient_id),
  rp AS (SELECT p.patient_id, count(*) AS n, max(r.created_at) AS at FROM reports r JOIN predictions p ON p.id = r.prediction_id GROUP BY p.patient_id)
SELECT pa.id, pa.pseudonym, pa.created_at,
  coalesce(st.n, 0) AS studies, coalesce(se.n, 0) AS series, coalesce(sg.n, 0) AS segmentations,
  coalesce(cr.n, 0) AS clinical_records, coalesce(pr.n, 0) AS predictions, coalesce(rp.n, 0) AS reports,
  max(pa.created_at, coalesce(st.at, ''), coalesce(se.at, ''), coalesce(sg.at, ''), coalesce(cr.at, ''), coalesce(pr.at, ''), coalesce(rp.at, '')) AS updated_at,
  lp.id AS p_id, lp.probability AS p_probability, lp.category AS p_category, lp.created_at AS p_created_at
FROM patients pa
  LEFT JOIN st ON st.patient_id = pa.id
  LEFT JOIN se ON se.patient_id = pa.id
  LEFT JOIN sg ON sg.patient_id = pa.id
  LEFT JOIN cr ON cr.patient_id = pa.id
  LEFT JOIN pr ON pr.patient_id = pa.id
  LEFT JOIN rp ON rp.patient_id = pa.id
  LEFT JOIN predictions lp ON lp.id = (SELECT id FROM predictions WHERE patient_id = pa.id ORDER BY created_at DESC, id DESC LIMIT 1)
WHERE (@search IS NULL OR pa.pseudonym LIKE '%' || @search || '%' ESCAPE '\\')
ORDER BY updated_at DESC, pa.pseudonym
LIMIT @limit OFFSET @offset`;

function statusOf(r: SummaryRow): CaseStatus {
  if (r.reports > 0) return 'reported';
  if (r.predictions > 0) return 'predicted';
  if (r.segmentations > 0) return 'segmented';
  return 'imported';
}

/** The worklist, most recently changed case first; `search` matches part of the pseudonym (case-insensitive). */
export function listCases(db: Db, options: { search?: string; limit?: number; offset?: number } = {}): CaseSummary[] {
  const search = options.search?.trim() ? options.search.trim().replace(/[\\%_]/g, (c) => '\\' + c) : null;
  const rows = db.prepare(SUMMARY_SQL).all({ search, limit: options.limit ?? -1, offset: options.offset ?? 0 }) as SummaryRow[];
  return rows.map((r) => ({
    patientId: r.id,
    pseudonym: r.pseudonym,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    status: statusOf(r),
    studies: r.studies,
    series: r.series,
    segmentations: r.segmentations,
    clinicalRecords: r.clinical_records,
    predictions: r.predictions,
    reports: r.reports,
    latestPrediction: r.p_id ? { id: r.p_id, probability: r.p_probability, category: r.p_category, createdAt: r.p_created_at as string } : null,
  }));
}

/** Everything the store holds about one patient (PATIENT_NOT_FOUND when absent); masks only with `withMasks`. */
export function readCase(db: Db, patientId: string, options: { withMasks?: boolean } = {}): CaseRecord {
  const read = db.transaction(() => {
    const patient = requirePatient(db, patientId);
    const series = listSeriesOfPatient(db, patientId);
    return {
      patient,
      studies: listStudies(db, patientId),
      series,
      segmentations: series.flatMap((s) => listSegmentations(db, s.id, { withMask: options.withMasks ?? false })),
      clinicalRecords: listClinicalRecords(db, patientId),
      featureSets: listFeatureSetsOfPatient(db, patientId),
      predictions: listPredictions(db, patientId),
      reports: listReportsOfPatient(db, patientId),
      dicomExports: listDicomExportsOfPatient(db, patientId),
    };
  });
  // One read transaction: a consistent snapshot even while another process writes.
  return read.deferred();
}
