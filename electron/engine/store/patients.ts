/**
 * Patients: one row per patient, found by pseudonym (the name shown everywhere by default).
 * Identifying fields are optional and never required by the pipeline.
 */
import { HilumError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, newId, nowIso, requireText } from './values.js';

export type Sex = 'female' | 'male' | 'other' | 'unknown';

export interface Patient {
  id: string;
  pseudonym: string;
  name: string | null;
  birthDate: string | null;
  sex: Sex | null;
  hospitalId: string | null;
  createdAt: string;
}

export interface PatientInput {
  pseudonym: string;
  name?: string | null;
  birthDate?: string | null;
  sex?: Sex | null;
  hospitalId?: string | null;
}

interface PatientRow {
  id: string;
  pseudonym: string;
  name: string | null;
  birth_date: string | null;
  sex: Sex | null;
  hospital_id: string | null;
  created_at: string;
}

function toPatient(r: PatientRow): Patient {
  return { id: r.id, pseudonym: r.pseudonym, name: r.name, birthDate: r.birth_date, sex: r.sex, hospitalId: r.hospital_id, createdAt: r.created_at };
}

/** Inserts a complete patient row as given (used by createPatient and the case import). */
export function insertPatient(db: Db, p: Patient): void {
  db.prepare('INSERT INTO patients (id, pseudonym, name, birth_date, sex, hospital_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    p.id,
    p.pseudonym,
    p.name,
    p.birthDate,
    p.sex,
    p.hospitalId,
    p.createdAt,
  );
}

/** Creates a patient; a pseudonym already in the store is refused (PATIENT_EXISTS). */
export function createPatient(db: Db, input: PatientInput, actor = defaultActor()): Patient {
  const pseudonym = requireText(input.pseudonym, 'the pseudonym').trim();
  return writeTransaction(db, () => {
    if (findPatientByPseudonym(db, pseudonym))
      throw new HilumError({ code: 'PATIENT_EXISTS', message: `a patient with pseudonym ${pseudonym} is already in the case store`, data: { pseudonym } });
    const patient: Patient = {
      id: newId(),
      pseudonym,
      name: input.name ?? null,
      birthDate: input.birthDate ?? null,
      sex: input.sex ?? null,
      hospitalId: input.hospitalId ?? null,
      createdAt: nowIso(),
    };
    insertPatient(db, patient);
    appendAudit(db, { actor, action: 'patient.create', entity: 'patients', entityId: patient.id, detail: { pseudonym } });
    return patient;
  });
}

/** The patient with this pseudonym, creating it when absent (one transaction). */
export function findOrCreatePatient(db: Db, input: PatientInput, actor = defaultActor()): Patient {
  const pseudonym = requireText(input.pseudonym, 'the pseudonym').trim();
  return writeTransaction(db, () => findPatientByPseudonym(db, pseudonym) ?? createPatient(db, input, actor));
}

export function findPatientByPseudonym(db: Db, pseudonym: string): Patient | undefined {
  const row = db.prepare('SELECT * FROM patients WHERE pseudonym = ?').get(pseudonym) as PatientRow | undefined;
  return row && toPatient(row);
}

export function getPatient(db: Db, id: string): Patient | undefined {
  const row = db.prepare('SELECT * FROM patients WHERE id = ?').get(id) as PatientRow | undefined;
  return row && toPatient(row);
}

/** The patient, or PATIENT_NOT_FOUND. */
export function requirePatient(db: Db, id: string): Patient {
  const patient = getPatient(db, id);
  if (!patient) throw new HilumError({ code: 'PATIENT_NOT_FOUND', message: `no patient ${id} in the case store`, data: { patientId: id } });
  return patient;
}
