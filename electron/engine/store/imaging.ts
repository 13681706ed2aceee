/**
 * Studies and series: where a patient's CT came from. A series either references image files in
 * place (`referenced`) or points at a copy Hilum manages (`managed`); `image_sha256` identifies the
 * voxels so a later prediction can tell whether the images changed.
 */
import { HilumError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { requirePatient } from './patients.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, newId, nowIso, optionalJsonText, parseJsonColumn, requireSha256, requireText } from './values.js';

export interface Study {
  id: string;
  patientId: string;
  studyInstanceUid: string | null;
  studyDate: string | null;
  description: string | null;
  accession: string | null;
  createdAt: string;
}

export type StudyInput = Partial<Pick<Study, 'studyInstanceUid' | 'studyDate' | 'description' | 'accession'>>;

export type SeriesStorage = 'referenced' | 'managed';

export interface Series {
  id: string;
  studyId: string;
  seriesInstanceUid: string | null;
  modality: string | null;
  description: string | null;
  sliceThicknessMm: number | null;
  pixelSpacingMm: [number, number] | null;
  dims: [number, number, number] | null;
  contrastAgent: string | null;
  manufacturer: string | null;
  imagePath: string;
  storage: SeriesStorage;
  imageSha256: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

export interface SeriesInput {
  seriesInstanceUid?: string | null;
  modality?: string | null;
  description?: string | null;
  sliceThicknessMm?: number | null;
  pixelSpacingMm?: [number, number] | null;
  dims?: [number, number, number] | null;
  contrastAgent?: string | null;
  manufacturer?: string | null;
  imagePath: string;
  storage: SeriesStorage;
  imageSha256?: string | null;
  metadata?: Record<string, unknown> | null;
}

interface StudyRow {
  id: string;
  patient_id: string;
  study_instance_uid: string | null;
  study_date: string | null;
  description: string | null;
  accession: string | null;
  created_at: string;
}

interface SeriesRow {
  id: string;
  study_id: string;
  series_instance_uid: string | null;
  modality: string | null;
  description: string | null;
  slice_thickness_mm: number | null;
  pixel_spacing_mm: string | null;
  dims: string | null;
  contrast_agent: string | null;
  manufacturer: string | null;
  image_path: string;
  storage: SeriesStorage;
  image_sha256: string | null;
  metadata_json: string | null;
  created_at: string;
}

function toStudy(r: StudyRow): Study {
  return {
    id: r.id,
    patientId: r.patient_id,
    studyInstanceUid: r.study_instance_uid,
    studyDate: r.study_date,
    description: r.description,
    accession: r.accession,
    createdAt: r.created_at,
  };
}

function toSeries(r: SeriesRow): Series {
  return {
    id: r.id,
    studyId: r.study_id,
    seriesInstanceUid: r.series_instance_uid,
    modality: r.modality,
    description: r.description,
    sliceThicknessMm: r.slice_thickness_mm,
    pixelSpacingMm: parseJsonColumn<[number, number]>(r.pixel_spacing_mm),
    dims: parseJsonColumn<[number, number, number]>(r.dims),
    contrastAgent: r.contrast_agent,
    manufacturer: r.manufacturer,
    imagePath: r.image_path,
    storage: r.storage,
    imageSha256: r.image_sha256,
    metadata: parseJsonColumn<Record<string, unknown>>(r.metadata_json),
    createdAt: r.created_at,
  };
}

/** Inserts a complete study row as given. */
export function insertStudy(db: Db, s: Study): void {
  db.prepare('INSERT INTO studies (id, patient_id, study_instance_uid, study_date, description, accession, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    s.id,
    s.patientId,
    s.studyInstanceUid,
    s.studyDate,
    s.description,
    s.accession,
    s.createdAt,
  );
}

/** Inserts a complete series row as given. */
export function insertSeries(db: Db, s: Series): void {
  db.prepare(
    `INSERT INTO series (id, study_id, series_instance_uid, modality, description, slice_thickness_mm, pixel_spacing_mm, dims, contrast_agent,
       manufacturer, image_path, storage, image_sha256, metadata_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.id,
    s.studyId,
    s.seriesInstanceUid,
    s.modality,
    s.description,
    s.sliceThicknessMm,
    optionalJsonText(s.pixelSpacingMm, 'pixel spacing'),
    optionalJsonText(s.dims, 'dimensions'),
    s.contrastAgent,
    s.manufacturer,
    s.imagePath,
    s.storage,
    s.imageSha256,
    optionalJsonText(s.metadata, 'series metadata'),
    s.createdAt,
  );
}

/** Adds a study to a patient. */
export function addStudy(db: Db, patientId: string, input: StudyInput = {}, actor = defaultActor()): Study {
  return writeTransaction(db, () => {
    requirePatient(db, patientId);
    const study: Study = {
      id: newId(),
      patientId,
      studyInstanceUid: input.studyInstanceUid ?? null,
      studyDate: input.studyDate ?? null,
      description: input.description ?? null,
      accession: input.accession ?? null,
      createdAt: nowIso(),
    };
    insertStudy(db, study);
    appendAudit(db, { actor, action: 'study.add', entity: 'studies', entityId: study.id, detail: { patientId, studyInstanceUid: study.studyInstanceUid } });
    return study;
  });
}

/** Adds a series to a study. */
export function addSeries(db: Db, studyId: string, input: SeriesInput, actor = defaultActor()): Series {
  requireText(input.imagePath, 'the series image path');
  if (input.storage !== 'referenced' && input.storage !== 'managed')
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `series storage must be 'referenced' or 'managed', not ${JSON.stringify(input.storage)}` });
  if (input.imageSha256 != null) requireSha256(input.imageSha256, 'the image SHA-256');
  return writeTransaction(db, () => {
    if (!getStudy(db, studyId)) throw new HilumError({ code: 'STUDY_NOT_FOUND', message: `no study ${studyId} in the case store`, data: { studyId } });
    const series: Series = {
      id: newId(),
      studyId,
      seriesInstanceUid: input.seriesInstanceUid ?? null,
      modality: input.modality ?? null,
      description: input.description ?? null,
      sliceThicknessMm: input.sliceThicknessMm ?? null,
      pixelSpacingMm: input.pixelSpacingMm ?? null,
      dims: input.dims ?? null,
      contrastAgent: input.contrastAgent ?? null,
      manufacturer: input.manufacturer ?? null,
      imagePath: input.imagePath,
      storage: input.storage,
      imageSha256: input.imageSha256 ?? null,
      metadata: input.metadata ?? null,
      createdAt: nowIso(),
    };
    insertSeries(db, series);
    appendAudit(db, {
      actor,
      action: 'series.add',
      entity: 'series',
      entityId: series.id,
      detail: { studyId, seriesInstanceUid: series.seriesInstanceUid, imagePath: series.imagePath, storage: series.storage },
    });
    return series;
  });
}

/**
 * Adds a series under the patient's study with the same Study Instance UID (creating the study when
 * there is none, or when the UID is absent) — study and series in one transaction.
 */
export function addStudyWithSeries(
  db: Db,
  patientId: string,
  study: StudyInput,
  series: SeriesInput,
  actor = defaultActor(),
): { study: Study; series: Series } {
  return writeTransaction(db, () => {
    requirePatient(db, patientId);
    const existing = study.studyInstanceUid
      ? (db.prepare('SELECT * FROM studies WHERE patient_id = ? AND study_instance_uid = ?').get(patientId, study.studyInstanceUid) as StudyRow | undefined)
      : undefined;
    const s = existing ? toStudy(existing) : addStudy(db, patientId, study, actor);
    return { study: s, series: addSeries(db, s.id, series, actor) };
  });
}

export function getStudy(db: Db, id: string): Study | undefined {
  const row = db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined;
  return row && toStudy(row);
}

export function getSeries(db: Db, id: string): Series | undefined {
  const row = db.prepare('SELECT * FROM series WHERE id = ?').get(id) as SeriesRow | undefined;
  return row && toSeries(row);
}

/** The patient a series belongs to (through its study), or undefined when the series does not exist. */
export function patientOfSeries(db: Db, seriesId: string): string | undefined {
  const row = db.prepare('SELECT st.patient_id AS patientId FROM series se JOIN studies st ON st.id = se.study_id WHERE se.id = ?').get(seriesId) as
    { patientId: string } | undefined;
  return row?.patientId;
}

export function listStudies(db: Db, patientId: string): Study[] {
  return (db.prepare('SELECT * FROM studies WHERE patient_id = ? ORDER BY created_at, id').all(patientId) as StudyRow[]).map(toStudy);
}

/** Every series of the patient, across studies. */
export function listSeriesOfPatient(db: Db, patientId: string): Series[] {
  return (
    db
      .prepare('SELECT se.* FROM series se JOIN studies st ON st.id = se.study_id WHERE st.patient_id = ? ORDER BY se.created_at, se.id')
      .all(patientId) as SeriesRow[]
  ).map(toSeries);
}
