/**
 * The renderer's languages (English by default, 简体中文). vue-i18n 11 compiles messages to ASTs
 * and evaluates them without `eval`/`new Function`, so the strict CSP holds.
 */
import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['code'];

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});

export function currentLang(): Lang {
  return i18n.global.locale.value as Lang;
}

export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang;
  document.documentElement.lang = lang;
}

/** A message for a key that may not exist (engine-given names), else the fallback text. */
export function tOr(key: string, fallback: string): string {
  return i18n.global.te(key) || i18n.global.te(key, 'en') ? i18n.global.t(key) : fallback;
}
