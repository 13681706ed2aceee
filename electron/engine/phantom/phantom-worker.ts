/** Worker entry: generates and writes one phantom patient (see cohort.ts). */
import { serveWorker } from '../core/worker-host.js';
import { samplePatient } from './patient.js';
import { type PatientFileOptions, writePatientFiles } from './patient-files.js';

export interface PatientTask {
  seed: string;
  id: string;
  centre: string;
  outDir: string;
  options: PatientFileOptions;
}

serveWorker({
  patient: (task: PatientTask) => writePatientFiles(samplePatient(task.seed, task.id, task.centre), task.outDir, task.options),
});
