/**
 * Preferences the settings screen changes and other parts of the page read: the default report
 * paper (kept in localStorage) and the execution provider of the last prediction (this session).
 */
import { ref } from 'vue';

export type Paper = 'A4' | 'Letter';
const PAPER_KEY = 'hilum.paper';

function storedPaper(): Paper {
  try {
    const value = globalThis.localStorage?.getItem(PAPER_KEY);
    return value === 'Letter' ? 'Letter' : 'A4';
  } catch {
    return 'A4';
  }
}

/** The report paper the clinical form starts with. */
export const defaultPaper = ref<Paper>(storedPaper());

export function setDefaultPaper(paper: Paper): void {
  defaultPaper.value = paper;
  try {
    globalThis.localStorage?.setItem(PAPER_KEY, paper);
  } catch {
    // Storage refused (private mode): the choice holds for this session only.
  }
}

/** The ONNX Runtime execution provider the last prediction of this session ran on (`record.provider`). */
export const lastProvider = ref<string | null>(null);
/** Why a GPU provider was not used in the last prediction (the engine's `gpuNotice`), if it said so. */
export const lastGpuNotice = ref<string | null>(null);
