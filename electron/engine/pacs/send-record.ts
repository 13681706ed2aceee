import { HilumError, describeError } from '../core/errors.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction, type Db } from '../store/transaction.js';
import type { PacsNode } from './node.js';
import { stowInstances } from './dicomweb.js';
import { sendToPacs, storeStatusText, type SendOptions, type SentInstance } from './send.js';

/**
 * Sends files to a PACS (C-STORE, or STOW-RS with `via: 'dicomweb'`) and records every instance in the store's audit log with the PACS's
 * answer (`pacs.send` when stored, `pacs.send-failed` otherwise), tied to its `dicom_exports` row
 * when Hilum wrote it. Instances the PACS did not store, after the retries, end in a
 * PACS_SEND_FAILED error that lists them; an association that could not be made at all is
 * recorded for every file and rethrown. Nothing sent or failed goes unrecorded.
 */
export async function sendAndRecord(
  db: Db,
  node: PacsNode,
  files: readonly string[],
  actor: string,
  options: SendOptions & { via?: 'dimse' | 'dicomweb' } = {},
): Promise<SentInstance[]> {
  const where = options.via === 'dicomweb' ? `STOW-RS ${node.dicomWebUrl ?? ''}` : `${node.aeTitle}@${node.host}:${node.port}`;
  let results: SentInstance[];
  try {
    results = options.via === 'dicomweb' ? await stowInstances(node, files) : await sendToPacs(node, files, options);
  } catch (error) {
    writeTransaction(db, () => {
      for (const file of files)
        appendAudit(db, {
          actor,
          action: 'pacs.send-failed',
          entity: 'pacs',
          detail: { node: where, file, error: error instanceof HilumError ? error.code : 'ERROR', answer: describeError(error) },
        });
    });
    throw error;
  }
  const exportId = db.prepare('SELECT id FROM dicom_exports WHERE sop_instance_uid = ?');
  writeTransaction(db, () => {
    for (const r of results) {
      const row = exportId.get(r.sopInstanceUid) as { id: string } | undefined;
      appendAudit(db, {
        actor,
        action: r.stored ? 'pacs.send' : 'pacs.send-failed',
        entity: row ? 'dicom_exports' : 'pacs',
        entityId: row?.id ?? null,
        detail: {
          node: where,
          file: r.file,
          sopInstanceUid: r.sopInstanceUid,
          sopClassUid: r.sopClassUid,
          status: r.status,
          answer: r.error ?? storeStatusText(r.status),
          attempts: r.attempts,
        },
      });
    }
  });
  const failed = results.filter((r) => !r.stored);
  if (failed.length)
    throw new HilumError({
      code: 'PACS_SEND_FAILED',
      message: `The PACS ${where} did not store ${failed.length} of ${results.length} instance(s): ${failed.map((f) => `${f.sopInstanceUid} (${f.error ?? 'no answer'})`).join('; ')}`,
      hint: 'The failures are in the audit log; send them again when the PACS is back.',
      data: { failed: failed.map((f) => ({ file: f.file, sopInstanceUid: f.sopInstanceUid, status: f.status, answer: f.error ?? null })) },
    });
  return results;
}
