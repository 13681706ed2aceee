/**
 * Pure helpers of the research page: the order of the paper's table, how an AUC with its interval
 * is written, the title of each plot file a study writes, and the study form kept between visits.
 */

export const SIGNATURE_ORDER = ['clinical', 'radiomics', 'mil', 'dlrad', 'combined'] as const;
export const SPLIT_ORDER = ['training', 'validation', 'external'] as const;

/** "0.912 (0.871–0.953)": the AUC and its 95 % confidence interval, three decimals as in the paper. */
export function formatAuc(auc: number, ci: readonly [number, number]): string {
  return `${auc.toFixed(3)} (${ci[0].toFixed(3)}–${ci[1].toFixed(3)})`;
}

/**
 * The i18n key and parameters of a plot's title from its file name (`roc-validation.svg`,
 * `calibration-external.svg`, `decision-curve-training.svg`, `nomogram.svg`); an unknown
 * name keeps its file name.
 */
export function plotTitleKey(file: string): { key: string; params: Record<string, string> } {
  const name = file.replace(/\.svg$/, '');
  if (name === 'nomogram') return { key: 'research.plotNames.nomogram', params: {} };
  const m = /^(roc|calibration|decision-curve)-(training|validation|external)$/.exec(name);
  if (!m) return { key: 'research.plotNames.other', params: { name } };
  const kind = m[1] === 'decision-curve' ? 'decision' : m[1];
  return { key: `research.plotNames.${kind}`, params: { split: m[2] } };
}

const PLOT_KINDS = ['roc', 'calibration', 'decision-curve', 'nomogram'];

/** The plots in reading order: ROC, calibration, decision curves (each training → validation → external), then the nomogram; others last. */
export function orderPlots(files: readonly string[]): string[] {
  const rank = (file: string) => {
    const name = file.replace(/\.svg$/, '');
    const kind = PLOT_KINDS.findIndex((k) => name === k || name.startsWith(`${k}-`));
    const split = SPLIT_ORDER.findIndex((s) => name.endsWith(`-${s}`));
    return (kind < 0 ? PLOT_KINDS.length : kind) * 10 + (split < 0 ? 0 : split);
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export interface StudyForm {
  manifest: string;
  out: string;
  protocol: string;
  jobs: number;
}

const FORM_KEY = 'hilum.research.form';

/** The part of Web Storage used here (also runs in Node tests, which have no DOM types). */
interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const browserStorage = (): KeyValueStore | undefined => (globalThis as { localStorage?: KeyValueStore }).localStorage;
const EMPTY: StudyForm = { manifest: '', out: '', protocol: '', jobs: 2 };

/** The study form as last typed (localStorage), or empty; anything malformed is ignored. */
export function readStudyForm(storage: Pick<KeyValueStore, 'getItem'> | undefined = browserStorage()): StudyForm {
  try {
    const stored = JSON.parse(storage?.getItem(FORM_KEY) ?? 'null') as Partial<StudyForm> | null;
    if (!stored || typeof stored !== 'object') return { ...EMPTY };
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const jobs = Number.isInteger(stored.jobs) && stored.jobs! >= 1 && stored.jobs! <= 32 ? stored.jobs! : EMPTY.jobs;
    return { manifest: text(stored.manifest), out: text(stored.out), protocol: text(stored.protocol), jobs };
  } catch {
    return { ...EMPTY };
  }
}

export function writeStudyForm(form: StudyForm, storage: Pick<KeyValueStore, 'setItem'> | undefined = browserStorage()): void {
  try {
    storage?.setItem(FORM_KEY, JSON.stringify(form));
  } catch {
    // Storage refused (private mode): the form holds for this visit only.
  }
}
