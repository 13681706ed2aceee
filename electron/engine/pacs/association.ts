import { HilumError } from '../core/errors.js';
import { Client, CStoreResponse, type DimseCStoreRequest, type DimseCStoreResponse, type DimseRequest } from './dimse.js';
import { tlsOptions, type PacsNode } from './node.js';

export interface AssociationOptions {
  /** Incoming C-STORE sub-operations of a C-GET (PS3.4 C.4.3): answer with a DIMSE status. */
  onStore?: (request: DimseCStoreRequest) => Promise<number>;
  /** Aborting sends an A-ABORT (PS3.8 7.3) and fails with PACS_CANCELLED. */
  signal?: AbortSignal;
}

/** Why an association attempt was refused, from the A-ASSOCIATE-RJ source and reason (PS3.8 9.3.4). */
function rejectReason(source: number, reason: number): string {
  if (source === 1 && reason === 3) return 'the PACS does not recognise the calling AE title';
  if (source === 1 && reason === 7) return 'the PACS does not recognise the called AE title';
  if (source === 1 && reason === 2) return 'the PACS does not support the DICOM application context';
  if (source === 3 && reason === 2) return 'the PACS is temporarily congested';
  if (source === 3 && reason === 1) return 'the PACS is temporarily unavailable';
  return 'the PACS gave no reason';
}

/** A refused TCP connection, an unknown host or a timeout: the PACS cannot be reached at all. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|timeout|timed out/i;

/**
 * Runs one association: connect, A-ASSOCIATE (PS3.8 7.1), the requests in order, A-RELEASE.
 * Resolves when the association was released normally; every other ending is a named error:
 * PACS_UNREACHABLE (no connection), PACS_ASSOCIATION_REJECTED (A-ASSOCIATE-RJ, e.g. a wrong AE
 * title), PACS_ASSOCIATION_ABORTED (the link dropped or an A-ABORT arrived after acceptance),
 * PACS_CANCELLED (the caller's signal).
 */
export function runAssociation(node: PacsNode, requests: readonly DimseRequest[], options: AssociationOptions = {}): Promise<void> {
  const where = `${node.aeTitle}@${node.host}:${node.port}`;
  return new Promise<void>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(cancelled(where));
      return;
    }
    const client = new Client();
    for (const request of requests) client.addRequest(request);
    let accepted = false;
    let released = false;
    let failure: HilumError | undefined;
    let settled = false;
    let abortTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (abortTimer) clearTimeout(abortTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (released) resolve();
      else if (!accepted)
        reject(
          new HilumError({
            code: 'PACS_UNREACHABLE',
            message: `The PACS ${where} closed the connection before the association was set up`,
            data: { node: where },
          }),
        );
      else reject(aborted(where, 'the connection closed before the association was released'));
    };
    const onAbort = () => {
      failure ??= cancelled(where);
      try {
        if (accepted) client.abort();
      } catch {
        // No association yet to abort: closing is enough.
      }
      // The PACS closes the link on A-ABORT; do not wait for it forever.
      abortTimer = setTimeout(finish, 2000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    client.on('associationAccepted', () => {
      accepted = true;
    });
    client.on('associationRejected', (e: { result: number; source: number; reason: number }) => {
      failure ??= new HilumError({
        code: 'PACS_ASSOCIATION_REJECTED',
        message: `The PACS ${where} rejected the association from ${node.callingAeTitle}: ${rejectReason(e.source, e.reason)}`,
        hint: 'Check the PACS AE title and that the PACS knows Hilum under its calling AE title.',
        data: { node: where, callingAeTitle: node.callingAeTitle, result: e.result, source: e.source, reason: e.reason },
      });
    });
    client.on('associationReleased', () => {
      released = true;
    });
    client.on('networkError', (e: Error) => {
      if (failure) return;
      if (!accepted && UNREACHABLE.test(e.message))
        failure = new HilumError({
          code: 'PACS_UNREACHABLE',
          message: `Cannot reach the PACS at ${node.host}:${node.port}: ${e.message.replace(/^.*Connection error: /, '')}`,
          hint: 'Check that the PACS is running and that host and port are right.',
          data: { node: where },
          cause: e,
        });
      else failure = aborted(where, e.message.replace(/^.*-> /, ''));
    });
    if (options.onStore) {
      const onStore = options.onStore;
      client.on('cStoreRequest', (request: DimseCStoreRequest, callback: (response: DimseCStoreResponse) => void) => {
        // A failed write answers "out of resources" (A700, PS3.4 GG.4-1) rather than never answering.
        void onStore(request)
          .catch(() => 0xa700)
          .then((status) => {
            const response = CStoreResponse.fromRequest(request);
            response.setStatus(status);
            callback(response);
          });
      });
    }
    client.on('closed', finish);
    const tls = tlsOptions(node);
    client.send(node.host, node.port, node.callingAeTitle, node.aeTitle, {
      connectTimeout: node.timeoutMs,
      associationTimeout: node.timeoutMs,
      pduTimeout: node.timeoutMs,
      ...(tls ? { securityOptions: tls } : {}),
    });
  });
}

function cancelled(where: string): HilumError {
  return new HilumError({ code: 'PACS_CANCELLED', message: `The transfer with ${where} was cancelled`, data: { node: where } });
}

function aborted(where: string, why: string): HilumError {
  return new HilumError({
    code: 'PACS_ASSOCIATION_ABORTED',
    message: `The association with ${where} was aborted: ${why}`,
    hint: 'The PACS or the network dropped the transfer; nothing partial was kept. Try again.',
    data: { node: where },
  });
}
