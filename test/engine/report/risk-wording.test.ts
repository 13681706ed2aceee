import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cutoffPolicy, nomogramSignNote, percentText, riskCategoryName, riskWording } from '../../../electron/engine/report/risk-wording.js';
import type { ModelBundle } from '../../../electron/engine/signatures/bundle.js';

const CATS = { categoryNames: ['low', 'intermediate', 'high'], categoryCutoffs: [0.1, 0.3] };

describe('risk wording (one cut-off system for screen and PDF)', () => {
  it('names the category, the cut-offs and what the cut-off means, in both languages', () => {
    expect(percentText(0.064)).toBe('6.4 %');
    const low = riskWording({ ...CATS, category: 'low' }, 'en');
    expect(low.category).toBe('Low risk');
    expect(low.cutoffs).toBe('Low risk < 10 % ≤ Intermediate risk < 30 % ≤ High risk');
    expect(low.meaning).toContain('below the 10 % cut-off');
    expect(low.meaning).toContain('does not rule out');
    expect(riskWording({ ...CATS, category: 'intermediate' }, 'en').meaning).toContain('between the 10 % and 30 % cut-offs');
    expect(riskWording({ ...CATS, category: 'high' }, 'en').meaning).toContain('at or above the 30 % cut-off');
    expect(riskWording({ ...CATS, category: 'high' }, 'zh-CN')).toMatchObject({ category: '高风险', cutoffs: '低风险 < 10 % ≤ 中风险 < 30 % ≤ 高风险' });
    expect(riskCategoryName('other', 'en')).toBe('other');
    expect(cutoffPolicy(CATS, 0.229, 'en')).toContain('Youden threshold 22.9 % is for research only');
  });

  it('explains every nomogram axis of the demonstration bundle that runs against the clinical expectation', () => {
    const bundle = JSON.parse(readFileSync('models/hilum-demo.bundle.json', 'utf8')) as ModelBundle;
    const note = nomogramSignNote(bundle.nomogram.axes, 'en', (n) => n);
    expect(note).toContain('vascular_convergence yes 0, no 17 points');
    for (const axis of ['cea_ng_ml', 'diameter_mm', 'ctr', 'spiculation']) expect(note).not.toContain(axis);
    expect(nomogramSignNote([{ name: 'x', label: 'x', values: [0, 1], points: [0, 10] }], 'en', (n) => n)).toBe('');
  });
});
