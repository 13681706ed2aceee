import { describe, expect, it } from 'vitest';
import { formatAuc, orderPlots, plotTitleKey, readStudyForm, writeStudyForm } from '../../renderer/src/research/study-view.js';

describe('research page helpers', () => {
  it('writes an AUC with its 95 % CI to three decimals', () => {
    expect(formatAuc(0.9404, [0.91149, 0.96951])).toBe('0.940 (0.911–0.970)');
    expect(formatAuc(1, [0.9995, 1])).toBe('1.000 (1.000–1.000)');
  });

  it('names every plot file a study writes, and keeps unknown names', () => {
    expect(plotTitleKey('roc-validation.svg')).toEqual({ key: 'research.plotNames.roc', params: { split: 'validation' } });
    expect(plotTitleKey('calibration-external.svg')).toEqual({ key: 'research.plotNames.calibration', params: { split: 'external' } });
    expect(plotTitleKey('decision-curve-training.svg')).toEqual({ key: 'research.plotNames.decision', params: { split: 'training' } });
    expect(plotTitleKey('nomogram.svg')).toEqual({ key: 'research.plotNames.nomogram', params: {} });
    expect(plotTitleKey('roc-holdout.svg')).toEqual({ key: 'research.plotNames.other', params: { name: 'roc-holdout' } });
  });

  it('orders the plots as they are read: ROC, calibration, decision curves by cohort, then the nomogram', () => {
    const written = [
      'calibration-external.svg',
      'calibration-training.svg',
      'calibration-validation.svg',
      'decision-curve-external.svg',
      'decision-curve-training.svg',
      'decision-curve-validation.svg',
      'extra.svg',
      'nomogram.svg',
      'roc-external.svg',
      'roc-training.svg',
      'roc-validation.svg',
    ];
    expect(orderPlots(written)).toEqual([
      'roc-training.svg',
      'roc-validation.svg',
      'roc-external.svg',
      'calibration-training.svg',
      'calibration-validation.svg',
      'calibration-external.svg',
      'decision-curve-training.svg',
      'decision-curve-validation.svg',
      'decision-curve-external.svg',
      'nomogram.svg',
      'extra.svg',
    ]);
  });

  it('keeps the study form, and ignores a malformed stored one', () => {
    const items = new Map<string, string>();
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
    expect(readStudyForm(storage)).toEqual({ manifest: '', out: '', protocol: '', jobs: 2 });
    writeStudyForm({ manifest: '/c/manifest.csv', out: '/c/study', protocol: '', jobs: 4 }, storage);
    expect(readStudyForm(storage)).toEqual({ manifest: '/c/manifest.csv', out: '/c/study', protocol: '', jobs: 4 });
    items.set('hilum.research.form', '{"manifest": 3, "jobs": 0}');
    expect(readStudyForm(storage)).toEqual({ manifest: '', out: '', protocol: '', jobs: 2 });
    items.set('hilum.research.form', 'not json');
    expect(readStudyForm(storage)).toEqual({ manifest: '', out: '', protocol: '', jobs: 2 });
  });
});
