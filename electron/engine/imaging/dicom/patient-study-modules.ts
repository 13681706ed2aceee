import type { DataSet } from 'dicom-parser';
import { str } from './dataset.js';
import { TAG } from './tags.js';

/**
 * The Patient module (PS3.3 C.7.1.1) and General Study module (C.7.2.1) of a derived object (a report,
 * a measurement report), copied from its source image so that the PACS files it in the same patient and
 * study: name, ID, birth date and sex; study UID, date, time, accession number, referring physician and
 * study ID. An attribute the source lacks is written empty (type 2).
 */
export function copiedPatientAndStudy(header: DataSet, studyInstanceUid: string): Record<string, string> {
  const copy = (tag: string) => str(header, tag) ?? '';
  return {
    PatientName: copy(TAG.PatientName),
    PatientID: copy(TAG.PatientID),
    PatientBirthDate: copy(TAG.PatientBirthDate),
    PatientSex: copy(TAG.PatientSex),
    StudyInstanceUID: studyInstanceUid,
    StudyDate: copy(TAG.StudyDate),
    StudyTime: copy(TAG.StudyTime),
    AccessionNumber: copy(TAG.AccessionNumber),
    ReferringPhysicianName: copy(TAG.ReferringPhysicianName),
    StudyID: copy(TAG.StudyID),
  };
}
