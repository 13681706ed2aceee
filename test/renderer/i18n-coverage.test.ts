/**
 * Key coverage of the renderer's languages: every English key has a zh-CN message, of the same kind,
 * with the same {placeholders}, and none is left identical to the English text except the names and
 * units on the allow-list below (abbreviations, product names, symbols that read the same in Chinese).
 */
import { describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/en.js';
import zh from '../../renderer/src/i18n/zh-CN.js';

/** Keys whose zh-CN text may equal the English: names, abbreviations and symbols. */
const SAME_AS_ENGLISH = new Set([
  'case.ctr', // CTR (consolidation-to-tumour ratio), spelled out in vars.ctr
  'form.choose', // "—", the empty choice
  'research.plotNames.other', // "{name}": the plot's own file name
]);

function flatten(o: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, o);
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('zh-CN key coverage', () => {
  const enKeys = flatten(en);
  const zhKeys = flatten(zh);

  it('has a message for every English key and no extra key', () => {
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k))).toEqual([]);
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([]);
  });

  it('translates every message (identical to English only on the allow-list)', () => {
    const same = [...enKeys].filter(([k, v]) => typeof v === 'string' && zhKeys.get(k) === v && !SAME_AS_ENGLISH.has(k)).map(([k]) => k);
    expect(same).toEqual([]);
  });

  it('writes every translated message with Chinese characters unless it is on the allow-list', () => {
    const latinOnly = [...zhKeys]
      .filter(([k, v]) => typeof v === 'string' && !SAME_AS_ENGLISH.has(k) && !/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/.test(v))
      .map(([k]) => k);
    expect(latinOnly).toEqual([]);
  });

  it('keeps the placeholders of every message', () => {
    const differ = [...enKeys]
      .filter(([k, v]) => typeof v === 'string' && placeholders(v).join() !== placeholders(String(zhKeys.get(k))).join())
      .map(([k]) => k);
    expect(differ).toEqual([]);
  });

  it('allow-lists only keys that exist', () => {
    expect([...SAME_AS_ENGLISH].filter((k) => !enKeys.has(k))).toEqual([]);
  });
});
