import { HilumError } from '../core/errors.js';
import { runAssociation } from './association.js';
import { CFindRequest, Status, type DimseDataset } from './dimse.js';
import type { PacsNode } from './node.js';

/** Study-level matching keys (PS3.4 C.6.2.1.2); empty ones match everything. */
export interface StudyQuery {
  patientId?: string;
  /** PN with `*` / `?` wildcards (PS3.4 C.2.2.2.4), e.g. `DOE^*`. */
  patientName?: string;
  /** A DA or a DA range: `20260101`, `20260101-20261231`, `-20261231`. */
  studyDate?: string;
  /** A modality the study must contain, e.g. CT. */
  modality?: string;
  accessionNumber?: string;
  studyInstanceUid?: string;
}

export interface StudyMatch {
  studyInstanceUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  studyDescription: string;
  accessionNumber: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface SeriesMatch {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber: number | null;
  seriesDescription: string;
  instanceCount: number | null;
}

const DATE_QUERY = /^(\d{8})?(-(\d{8})?)?$/;

/** C-FIND at study level (Study Root, PS3.4 C.6.2). */
export async function findStudies(node: PacsNode, query: StudyQuery): Promise<StudyMatch[]> {
  if (query.studyDate !== undefined && !DATE_QUERY.test(query.studyDate))
    throw new HilumError({
      code: 'PACS_QUERY_INVALID',
      message: `The study date "${query.studyDate}" is not a DICOM date or range`,
      hint: 'Use YYYYMMDD, YYYYMMDD-YYYYMMDD, -YYYYMMDD or YYYYMMDD-.',
    });
  const keys: Record<string, string> = {
    PatientID: query.patientId ?? '',
    PatientName: query.patientName ?? '',
    StudyDate: query.studyDate ?? '',
    ModalitiesInStudy: query.modality ?? '',
    AccessionNumber: query.accessionNumber ?? '',
    StudyInstanceUID: query.studyInstanceUid ?? '',
  };
  const rows = await runFind(node, CFindRequest.createStudyFindRequest(keys));
  return rows.map((e) => ({
    studyInstanceUid: text(e.StudyInstanceUID),
    patientId: text(e.PatientID),
    patientName: personName(e.PatientName),
    studyDate: text(e.StudyDate),
    studyDescription: text(e.StudyDescription),
    accessionNumber: text(e.AccessionNumber),
    modalities: text(e.ModalitiesInStudy)
      .split('\\')
      .filter((m) => m.length > 0),
    seriesCount: integer(e.NumberOfStudyRelatedSeries),
    instanceCount: integer(e.NumberOfStudyRelatedInstances),
  }));
}

/** C-FIND at series level within one study (PS3.4 C.6.2.1.2), optionally one modality. */
export async function findSeries(node: PacsNode, studyInstanceUid: string, modality?: string): Promise<SeriesMatch[]> {
  const keys = { StudyInstanceUID: studyInstanceUid, Modality: modality ?? '' };
  const rows = await runFind(node, CFindRequest.createSeriesFindRequest(keys));
  return rows.map((e) => ({
    studyInstanceUid: text(e.StudyInstanceUID) || studyInstanceUid,
    seriesInstanceUid: text(e.SeriesInstanceUID),
    modality: text(e.Modality),
    seriesNumber: integer(e.SeriesNumber),
    seriesDescription: text(e.SeriesDescription),
    instanceCount: integer(e.NumberOfSeriesRelatedInstances),
  }));
}

async function runFind(node: PacsNode, request: InstanceType<typeof CFindRequest>): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let finalStatus: number | undefined;
  request.on('response', (response) => {
    const status = response.getStatus();
    if (status === Status.Pending && response.hasDataset()) rows.push((response.getDataset() as DimseDataset).getElements());
    else if (status !== Status.Pending) finalStatus = status;
  });
  await runAssociation(node, [request]);
  if (finalStatus !== Status.Success)
    throw new HilumError({
      code: 'PACS_FIND_FAILED',
      message: `The PACS ${node.aeTitle} failed the query with status ${finalStatus === undefined ? 'none' : '0x' + finalStatus.toString(16)}`,
      data: { status: finalStatus ?? null },
    });
  return rows;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join('\\');
  if (value === undefined || value === null) return '';
  return String(value).trim();
}

/** dcmjs gives PN as `[{ Alphabetic: 'DOE^JANE' }]` or a plain string. */
function personName(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first && typeof first === 'object' && 'Alphabetic' in first) return text((first as { Alphabetic: unknown }).Alphabetic);
  return text(first);
}

function integer(value: unknown): number | null {
  const n = Number(text(value));
  return text(value) === '' || !Number.isFinite(n) ? null : Math.round(n);
}
