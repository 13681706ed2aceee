import { HilumError } from '../core/errors.js';
import { runAssociation } from './association.js';
import { CEchoRequest, Status } from './dimse.js';
import type { PacsNode } from './node.js';

export interface EchoResult {
  /** The C-ECHO status (0 = success). */
  status: number;
  roundTripMs: number;
}

/** "Test connection": a C-ECHO (verification service, PS3.4 A.4) over a fresh association. */
export async function echoPacs(node: PacsNode): Promise<EchoResult> {
  const started = performance.now();
  const request = new CEchoRequest();
  let status: number | undefined;
  request.on('response', (response) => {
    status = response.getStatus();
  });
  await runAssociation(node, [request]);
  if (status !== Status.Success)
    throw new HilumError({
      code: 'PACS_ECHO_FAILED',
      message: `The PACS ${node.aeTitle} answered the C-ECHO with status ${status === undefined ? 'none' : '0x' + status.toString(16)}`,
      data: { status: status ?? null },
    });
  return { status, roundTripMs: performance.now() - started };
}
