/**
 * The patient and study on screen, for the sidebar's header (App.vue): the image path and the
 * pseudonym as the clinical form holds them, and the study details once a prediction has described
 * the case (record.case). Cleared with the form when another image is opened.
 */
import { reactive } from 'vue';
import type { CaseDescription } from '../../../electron/engine/signatures/prediction-record';

export const currentCase = reactive<{ image: string | null; pseudonym: string; study: CaseDescription | null }>({
  image: null,
  pseudonym: '',
  study: null,
});

/** The last part of a path (the series folder or file), for a header that must stay short. */
export function shortPath(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : p;
}
