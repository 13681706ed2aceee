import { HilumError, describeError } from '../core/errors.js';
import { readDicomHeader } from '../imaging/dicom/parse.js';
import { str } from '../imaging/dicom/dataset.js';
import { TAG } from '../imaging/dicom/tags.js';
import { runAssociation } from './association.js';
import { CStoreRequest, Status } from './dimse.js';
import type { PacsNode } from './node.js';

export interface SentInstance {
  file: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** The C-STORE response status (PS3.4 B.2.3); null when the file was never answered. */
  status: number | null;
  /** Success (0000) or a warning (B000, B007, B006: stored with coercion or elements discarded). */
  stored: boolean;
  /** How many associations it took. */
  attempts: number;
  /** Why it was not stored, when it was not. */
  error?: string;
}

export interface SendOptions {
  /** Further attempts for instances not stored (refused, or not answered when the link dropped). Default 1. */
  retries?: number;
  onProgress?: (done: number, total: number) => void;
}

const WARNING_STATUSES = new Set([0xb000, 0xb007, 0xb006]);

/** PS3.4 B.2.3 / GG.4-1 status names for the common C-STORE answers. */
export function storeStatusText(status: number | null): string {
  if (status === null) return 'no answer';
  if (status === 0) return 'success';
  if (WARNING_STATUSES.has(status)) return `warning 0x${status.toString(16)}`;
  if ((status & 0xff00) === 0xa700) return `refused: out of resources (0x${status.toString(16)})`;
  if ((status & 0xff00) === 0xa900) return `refused: data set does not match SOP class (0x${status.toString(16)})`;
  if ((status & 0xf000) === 0xc000) return `refused: cannot understand (0x${status.toString(16)})`;
  if (status === 0x0122 || status === 0x0124) return `refused: SOP class not supported or not authorised (0x${status.toString(16)})`;
  return `failed (0x${status.toString(16)})`;
}

/**
 * Sends DICOM files to a PACS by C-STORE (PS3.4 B.2), all in one association per attempt;
 * instances not stored are tried again on a new association (`retries`). Never throws for a
 * refused instance: every file comes back with the PACS's answer, so the caller can record it. A
 * PACS that cannot be reached or that rejects the association on the first attempt is an error.
 */
export async function sendToPacs(node: PacsNode, files: readonly string[], options: SendOptions = {}): Promise<SentInstance[]> {
  const results: SentInstance[] = files.map((file) => {
    let header;
    try {
      header = readDicomHeader(file).dataSet;
    } catch (error) {
      throw new HilumError({ code: 'PACS_SEND_NOT_DICOM', message: `${file} is not a DICOM file Hilum can send`, data: { file }, cause: error });
    }
    const sopInstanceUid = str(header, TAG.SOPInstanceUID) ?? '';
    const sopClassUid = str(header, TAG.SOPClassUID) ?? '';
    if (!sopInstanceUid || !sopClassUid)
      throw new HilumError({ code: 'PACS_SEND_NOT_DICOM', message: `${file} has no SOP Class or SOP Instance UID`, data: { file } });
    return { file, sopInstanceUid, sopClassUid, status: null, stored: false, attempts: 0 };
  });
  const retries = options.retries ?? 1;
  let done = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const pending = results.filter((r) => !r.stored);
    if (pending.length === 0) break;
    const requests = pending.map((r) => {
      r.attempts++;
      r.status = null;
      const request = new CStoreRequest(r.file);
      request.on('response', (response) => {
        const status = response.getStatus();
        r.status = status;
        r.stored = status === Status.Success || WARNING_STATUSES.has(status);
        if (r.stored) {
          delete r.error;
          options.onProgress?.(++done, results.length);
        } else r.error = storeStatusText(r.status);
      });
      return request;
    });
    try {
      await runAssociation(node, requests);
    } catch (error) {
      const first = attempt === 0 && pending.length === results.length && pending.every((r) => r.status === null);
      if (error instanceof HilumError && first && (error.code === 'PACS_UNREACHABLE' || error.code === 'PACS_ASSOCIATION_REJECTED')) throw error;
      for (const r of pending) if (!r.stored) r.error = r.status === null ? describeError(error) : storeStatusText(r.status);
      continue;
    }
    // Released normally, yet some requests got no answer: dcmjs-dimse sends nothing for a SOP class
    // the PACS accepted no presentation context for (PS3.8 9.3.3.2).
    for (const r of pending)
      if (!r.stored && r.status === null) r.error = 'not sent: the PACS accepted no presentation context for this SOP class (it does not store it)';
  }
  return results;
}
