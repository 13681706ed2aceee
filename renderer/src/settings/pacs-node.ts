/**
 * The PACS node the worklist queries and results are sent to (docs/pacs.md), kept in localStorage:
 * the engine validates it again (zod) on every request.
 */
import { ref } from 'vue';
import type { ApiRequest } from '../../../electron/api/contract';

export type PacsNodeForm = ApiRequest<'pacs.echo'>['node'];
const KEY = 'hilum.pacsNode';

function stored(): PacsNodeForm | null {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    return text ? (JSON.parse(text) as PacsNodeForm) : null;
  } catch {
    return null;
  }
}

export const pacsNode = ref<PacsNodeForm | null>(stored());

export function setPacsNode(node: PacsNodeForm): void {
  pacsNode.value = node;
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(node));
  } catch {
    // Storage refused: the node holds for this session only.
  }
}
