/**
 * The one cut-off system of Hilum: the bundle's risk categories (the demonstration bundle: low < 10 %
 * ≤ intermediate < 30 % ≤ high), worded once for the screen (renderer/src/case/ResultPanel.vue) and
 * the PDF (patient-report.ts), so both print the same category, cut-offs and sentence. The Youden
 * threshold stays in the prediction record and the research table (sensitivity/specificity), never as
 * a second bedside cut-off. Also the plain-language notes on nomogram axes whose sign runs against the
 * clinical expectation (bigger, more solid or "yes" scoring fewer points): shown, never hidden.
 *
 * Pure (no Node or DOM imports): the renderer bundles this file as it is.
 */

export type WordingLang = 'en' | 'zh-CN';

/** A probability as both the screen and the PDF print it: "12.3 %". */
export function percentText(p: number, digits = 1): string {
  return `${(p * 100).toFixed(digits)} %`;
}

const CATEGORY_NAMES: Record<WordingLang, Record<string, string>> = {
  en: { low: 'Low risk', intermediate: 'Intermediate risk', high: 'High risk' },
  'zh-CN': { low: '低风险', intermediate: '中风险', high: '高风险' },
};

/** The risk category's name (an unknown category prints as the bundle names it). */
export function riskCategoryName(category: string, lang: WordingLang): string {
  return Object.prototype.hasOwnProperty.call(CATEGORY_NAMES[lang], category) ? CATEGORY_NAMES[lang][category] : category;
}

export interface RiskCategories {
  category: string;
  categoryNames: string[];
  categoryCutoffs: number[];
}

export interface RiskWording {
  /** "Low risk". */
  category: string;
  /** "Low risk < 10 % ≤ Intermediate risk < 30 % ≤ High risk". */
  cutoffs: string;
  /** One sentence on what the category means for this patient. */
  meaning: string;
}

/** The category, the cut-off line and the one sentence on what the cut-off means, in one language. */
export function riskWording(result: RiskCategories, lang: WordingLang): RiskWording {
  const { categoryNames: names, categoryCutoffs: cuts } = result;
  const cutoffs = names.map((n, i) => (i < cuts.length ? `${riskCategoryName(n, lang)} < ${percentText(cuts[i], 0)} ≤ ` : riskCategoryName(n, lang))).join('');
  const index = names.indexOf(result.category);
  const lo = index > 0 ? percentText(cuts[index - 1], 0) : null;
  const hi = index >= 0 && index < cuts.length ? percentText(cuts[index], 0) : null;
  const zh = lang === 'zh-CN';
  let meaning: string;
  if (index === 0 && hi)
    meaning = zh
      ? `估计概率低于 ${hi} 的界值，属低风险组；这不能排除淋巴结转移，只有病理分期才能确定。`
      : `The estimated probability is below the ${hi} cut-off, the low-risk group; this does not rule out nodal metastasis, which only pathological staging can.`;
  else if (lo && hi)
    meaning = zh
      ? `估计概率介于 ${lo} 与 ${hi} 两个界值之间，属中风险组；请结合其他检查结果综合判断。`
      : `The estimated probability lies between the ${lo} and ${hi} cut-offs, the intermediate-risk group; weigh it with the other findings.`;
  else if (lo)
    meaning = zh
      ? `估计概率达到或高于 ${lo} 的界值，属高风险组；这不是淋巴结转移的诊断，只有病理分期才能确定。`
      : `The estimated probability is at or above the ${lo} cut-off, the high-risk group; this is not a diagnosis of nodal metastasis, which only pathological staging can make.`;
  else meaning = zh ? '本模型未给出风险分层界值。' : 'This model defines no risk cut-offs.';
  return { category: riskCategoryName(result.category, lang), cutoffs, meaning };
}

/**
 * The line on the cut-offs (report, screen, model card): which ones the bedside uses, and what the
 * Youden threshold is (and is not) for. `youden` is the combined model's training Youden threshold, or
 * null; `withCutoffs` false leaves out the cut-off list where it is printed just above.
 */
export function cutoffPolicy(categories: Omit<RiskCategories, 'category'>, youden: number | null, lang: WordingLang, withCutoffs = true): string {
  const cutoffs = riskWording({ ...categories, category: categories.categoryNames[0] ?? '' }, lang).cutoffs;
  const y = youden === null ? null : percentText(youden);
  if (lang === 'zh-CN') return (withCutoffs ? `${cutoffs}：` : '') + '唯一使用的界值' + (y ? `；训练集约登阈值 ${y} 仅供研究。` : '。');
  return (
    (withCutoffs ? `${cutoffs}: the only cut-offs used` : 'The only cut-offs used') + (y ? `; the training Youden threshold ${y} is for research only.` : '.')
  );
}

/** One axis of the bundle's nomogram scales (values ascending or descending, with their points). */
export interface NomogramAxisScale {
  name: string;
  label: string;
  values: number[];
  points: number[];
}

/**
 * One paragraph on the nomogram axes whose points fall as the value rises (a bigger tumour, a higher
 * CTR or a sign present scoring fewer points), or '' when there is none: all the demonstration model's
 * predictors are expected to raise the risk, so such a sign is clinically implausible and must be read
 * as a property of the fitted model, not of the patient. `names` translates the axis names.
 */
export function nomogramSignNote(axes: NomogramAxisScale[], lang: WordingLang, names: (name: string, label: string) => string): string {
  const zh = lang === 'zh-CN';
  const items: string[] = [];
  for (const a of axes) {
    if (a.values.length < 2) continue;
    const last = a.values.length - 1;
    const rising = a.values[last] > a.values[0];
    const [lowV, highV] = rising ? [a.values[0], a.values[last]] : [a.values[last], a.values[0]];
    const [pLow, pHigh] = rising ? [a.points[0], a.points[last]] : [a.points[last], a.points[0]];
    if (!(pHigh < pLow)) continue;
    const name = names(a.name, a.label);
    const pts = (p: number) => p.toFixed(0);
    if (a.values.length === 2 && lowV === 0 && highV === 1)
      items.push(zh ? `${name}“是”${pts(pHigh)} 分、“否”${pts(pLow)} 分` : `${name} yes ${pts(pHigh)}, no ${pts(pLow)} points`);
    else
      items.push(
        zh
          ? `${name}越大得分越低（${highV} → ${pts(pHigh)} 分，${lowV} → ${pts(pLow)} 分）`
          : `${name}: higher scores fewer points (${highV} → ${pts(pHigh)}, ${lowV} → ${pts(pLow)})`,
      );
  }
  if (!items.length) return '';
  return zh
    ? `与临床预期相反：${items.join('；')}。这是拟合模型（合成数据）的特性，不是本患者的发现。`
    : `Against clinical expectation: ${items.join('; ')}. A property of the fitted (synthetic) model, not a finding in this patient.`;
}
