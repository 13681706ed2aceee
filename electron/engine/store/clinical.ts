/**
 * Clinical record versions: the values typed or imported for a patient (age, CEA, smoking, …), by
 * the protocol's field names. A correction is a new version; a version is never changed (a trigger
 * refuses UPDATE), so every prediction can cite exactly the values it used.
 */
import { HilumError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { requirePatient } from './patients.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, jsonText, newId, nowIso } from './values.js';

export type ClinicalValues = Record<string, number | string | boolean | null>;

export interface ClinicalRecord {
  id: string;
  patientId: string;
  version: number;
  values: ClinicalValues;
  author: string;
  createdAt: string;
}

interface ClinicalRow {
  id: string;
  patient_id: string;
  version: number;
  values_json: string;
  author: string;
  created_at: string;
}

function toClinical(r: ClinicalRow): ClinicalRecord {
  return {
    id: r.id,
    patientId: r.patient_id,
    version: r.version,
    values: JSON.parse(r.values_json) as ClinicalValues,
    author: r.author,
    createdAt: r.created_at,
  };
}

/** Inserts a complete clinical record row as given. */
export function insertClinicalRecord(db: Db, c: ClinicalRecord): void {
  db.prepare('INSERT INTO clinical_records (id, patient_id, version, values_json, author, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    c.id,
    c.patientId,
    c.version,
    jsonText(c.values, 'the clinical values'),
    c.author,
    c.createdAt,
  );
}

/** Adds the next version of the patient's clinical record. */
export function addClinicalRecord(db: Db, patientId: string, values: ClinicalValues, actor = defaultActor(), author = actor): ClinicalRecord {
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: 'clinical values must be an object of field name → value' });
  return writeTransaction(db, () => {
    requirePatient(db, patientId);
    const { next } = db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM clinical_records WHERE patient_id = ?').get(patientId) as { next: number };
    const record: ClinicalRecord = { id: newId(), patientId, version: next, values: { ...values }, author, createdAt: nowIso() };
    insertClinicalRecord(db, record);
    appendAudit(db, {
      actor,
      action: 'clinical.add',
      entity: 'clinical_records',
      entityId: record.id,
      detail: { patientId, version: next, fields: Object.keys(values).sort() },
    });
    return record;
  });
}

export function getClinicalRecord(db: Db, id: string): ClinicalRecord | undefined {
  const row = db.prepare('SELECT * FROM clinical_records WHERE id = ?').get(id) as ClinicalRow | undefined;
  return row && toClinical(row);
}

/** Every version, oldest first. */
export function listClinicalRecords(db: Db, patientId: string): ClinicalRecord[] {
  return (db.prepare('SELECT * FROM clinical_records WHERE patient_id = ? ORDER BY version').all(patientId) as ClinicalRow[]).map(toClinical);
}

export function latestClinicalRecord(db: Db, patientId: string): ClinicalRecord | undefined {
  const row = db.prepare('SELECT * FROM clinical_records WHERE patient_id = ? ORDER BY version DESC LIMIT 1').get(patientId) as ClinicalRow | undefined;
  return row && toClinical(row);
}
