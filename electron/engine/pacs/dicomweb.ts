import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HilumError, describeError } from '../core/errors.js';
import { readDicomHeader } from '../imaging/dicom/parse.js';
import { str } from '../imaging/dicom/dataset.js';
import { TAG } from '../imaging/dicom/tags.js';
import type { StudyMatch, StudyQuery } from './find.js';
import type { PacsNode } from './node.js';
import type { SentInstance } from './send.js';

/** One attribute of the DICOM JSON model (PS3.18 F.2): `{ vr, Value }`. */
type JsonDataset = Record<string, { vr: string; Value?: unknown[] } | undefined>;

function baseUrl(node: PacsNode): string {
  if (!node.dicomWebUrl)
    throw new HilumError({
      code: 'PACS_CONFIG_INVALID',
      message: `The PACS node ${node.name} has no DICOMweb URL`,
      hint: 'Add dicomWebUrl to the node, or use DIMSE.',
    });
  return node.dicomWebUrl.replace(/\/+$/, '');
}

/** fetch with the node's timeout; a refused or timed-out connection is PACS_UNREACHABLE. */
async function request(node: PacsNode, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(node.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new HilumError({
      code: 'PACS_UNREACHABLE',
      message: `Cannot reach the DICOMweb service at ${url}: ${describeError(cause ?? error)}`,
      hint: 'Check that the PACS is running and that its DICOMweb URL is right.',
      data: { url },
      cause: error,
    });
  }
}

function value(ds: JsonDataset, tag: string): string {
  const v = ds[tag]?.Value;
  if (!v || v.length === 0) return '';
  return v.map((x) => (x && typeof x === 'object' && 'Alphabetic' in x ? String((x as { Alphabetic: unknown }).Alphabetic) : String(x))).join('\\');
}

function integer(ds: JsonDataset, tag: string): number | null {
  const s = value(ds, tag);
  return s === '' || !Number.isFinite(Number(s)) ? null : Math.round(Number(s));
}

/** QIDO-RS study search (PS3.18 10.6): the same matching keys as the study-level C-FIND. */
export async function qidoStudies(node: PacsNode, query: StudyQuery): Promise<StudyMatch[]> {
  const params = new URLSearchParams();
  const add = (key: string, v: string | undefined) => {
    if (v) params.set(key, v);
  };
  add('PatientID', query.patientId);
  add('PatientName', query.patientName);
  add('StudyDate', query.studyDate);
  add('ModalitiesInStudy', query.modality);
  add('AccessionNumber', query.accessionNumber);
  add('StudyInstanceUID', query.studyInstanceUid);
  for (const field of ['StudyDescription', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'ModalitiesInStudy'])
    params.append('includefield', field);
  const url = `${baseUrl(node)}/studies?${params.toString()}`;
  const response = await request(node, url, { headers: { Accept: 'application/dicom+json' } });
  if (response.status === 204) return [];
  if (!response.ok)
    throw new HilumError({ code: 'PACS_FIND_FAILED', message: `The QIDO-RS query failed: HTTP ${response.status}`, data: { url, status: response.status } });
  const rows = (await response.json()) as JsonDataset[];
  return rows.map((ds) => ({
    studyInstanceUid: value(ds, '0020000D'),
    patientId: value(ds, '00100020'),
    patientName: value(ds, '00100010'),
    studyDate: value(ds, '00080020'),
    studyDescription: value(ds, '00081030'),
    accessionNumber: value(ds, '00080050'),
    modalities: value(ds, '00080061')
      .split('\\')
      .filter((m) => m.length > 0),
    seriesCount: integer(ds, '00201206'),
    instanceCount: integer(ds, '00201208'),
  }));
}

/**
 * STOW-RS (PS3.18 10.5): the files as one multipart/related request of application/dicom parts.
 * Every instance comes back with the service's answer, read from the response's Referenced SOP
 * Sequence (stored) and Failed SOP Sequence (with its Failure Reason, PS3.18 Table 10.5.3-2).
 */
export async function stowInstances(node: PacsNode, files: readonly string[]): Promise<SentInstance[]> {
  const results: SentInstance[] = files.map((file) => {
    const header = readDicomHeader(file).dataSet;
    return {
      file,
      sopInstanceUid: str(header, TAG.SOPInstanceUID) ?? '',
      sopClassUid: str(header, TAG.SOPClassUID) ?? '',
      status: null,
      stored: false,
      attempts: 1,
    };
  });
  const boundary = `hilum-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), readFileSync(file), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const url = `${baseUrl(node)}/studies`;
  const response = await request(node, url, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
    body: Buffer.concat(parts),
  });
  let answer: JsonDataset = {};
  try {
    answer = (await response.json()) as JsonDataset;
  } catch {
    // No body: every instance stays unanswered.
  }
  const stored = new Set(((answer['00081199']?.Value ?? []) as JsonDataset[]).map((item) => value(item, '00081155')));
  const failed = new Map(((answer['00081198']?.Value ?? []) as JsonDataset[]).map((item) => [value(item, '00081155'), integer(item, '00081197')]));
  for (const r of results) {
    if (stored.has(r.sopInstanceUid)) {
      r.status = 0;
      r.stored = true;
    } else if (failed.has(r.sopInstanceUid)) {
      r.status = failed.get(r.sopInstanceUid) ?? null;
      r.error = `refused by STOW-RS (failure reason ${r.status === null ? 'not given' : '0x' + r.status.toString(16)})`;
    } else r.error = `no answer from STOW-RS (HTTP ${response.status})`;
  }
  return results;
}
