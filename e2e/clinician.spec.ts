import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { riskWording } from '../electron/engine/report/risk-wording.js';
import { openWorkstation, watchProblems } from './workstation.js';

// The workstation as a clinician reads it, in English and 简体中文 at 1366×768: the start screen, the
// MPR views with the mask, the form with an error, the result, the report preview and the research page (screenshots for review);
// Chinese drawn with the shipped web font (no missing glyph); the result panel and the PDF saying the
// same category, cut-offs and sentence.

const CJK = /[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

/**
 * Every character of the page's visible text in the CJK ranges, and the elements that draw them with
 * another first font. (Browser code as a string: the e2e project is type-checked without the DOM.)
 */
async function cjkOnPage(page: Page): Promise<{ chars: string; offFont: string[] }> {
  return page.evaluate(`(() => {
    const cjk = new RegExp(${JSON.stringify(CJK.source)}, 'g');
    const chars = new Set();
    const offFont = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent || '';
      const found = text.match(cjk);
      const el = node.parentElement;
      if (!found || !el || !el.getClientRects().length) continue;
      for (const c of found) chars.add(c);
      const family = getComputedStyle(el).fontFamily;
      if (!/^"?Hilum CJK SC"?,/.test(family)) offFont.push(el.tagName + ': ' + family + ' — ' + text.trim().slice(0, 30));
    }
    return { chars: [...chars].join(''), offFont };
  })()`);
}

interface GlyphReport {
  control: boolean;
  faces: string[];
  check: boolean;
  wrong: string[];
  fallback: number[];
  sameAsFallback: string;
}

/**
 * The glyph check: the Chinese on screen is drawn with the shipped font. The font's faces are loaded
 * (the browser only loads a unicode-range face when the page uses it), `document.fonts.check` agrees,
 * every element with Chinese text starts its font stack with it, and every character on screen has a
 * glyph there: Noto Sans CJK draws each hanzi and CJK punctuation mark 1 em wide, and draws it unlike
 * the machine's fallback (a missing glyph would be drawn by the fallback: on a machine without CJK
 * fonts a .notdef box, here Droid Sans Fallback).
 */
async function checkGlyphs(page: Page): Promise<number> {
  await page.evaluate('document.fonts.ready.then(() => true)');
  const { chars, offFont } = await cjkOnPage(page);
  expect(offFont).toEqual([]);
  expect(chars.length).toBeGreaterThan(10);
  const res = (await page.evaluate(`(async (text) => {
    await document.fonts.load('16px "Hilum CJK SC"', text);
    await document.fonts.load('bold 16px "Hilum CJK SC"', text);
    const faces = [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'Hilum CJK SC').map((f) => f.weight + ':' + f.status);
    const ctx = document.createElement('canvas').getContext('2d');
    const wrong = [];
    const fallback = [];
    // A glyph's pixels at 48 px: the shipped font's versus whatever the machine falls back to.
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const draw = (font, c) => {
      g.clearRect(0, 0, 64, 64);
      g.font = font;
      g.fillText(c, 8, 52);
      const d = g.getImageData(0, 0, 64, 64).data;
      let sig = '';
      for (let i = 3; i < d.length; i += 4) sig += d[i] > 127 ? '1' : '0';
      return sig;
    };
    const sameAsFallback = [];
    for (const c of text) {
      ctx.font = '16px "Hilum CJK SC", "Hilum no such font"';
      const w = ctx.measureText(c).width;
      if (Math.abs(w - 16) > 0.01) wrong.push(c + '=' + w);
      ctx.font = '16px "Hilum no such font"';
      fallback.push(ctx.measureText(c).width);
      if (draw('48px "Hilum CJK SC", "Hilum no such font"', c) === draw('48px "Hilum no such font"', c)) sameAsFallback.push(c);
    }
    // Control: a character the shipped font lacks (龘) is drawn as the fallback draws it.
    const control = draw('48px "Hilum CJK SC", "Hilum no such font"', '龘') === draw('48px "Hilum no such font"', '龘');
    return { control, faces, check: document.fonts.check('16px "Hilum CJK SC"', text), wrong, fallback: [...new Set(fallback)], sameAsFallback: sameAsFallback.join('') };
  })(${JSON.stringify(chars)})`)) as GlyphReport;
  expect(res.faces.sort()).toEqual(['400:loaded', '600 700:loaded']);
  expect(res.check).toBe(true);
  expect(res.wrong).toEqual([]);
  // A character drawn identically with and without the shipped font was not in it. (A machine with
  // Noto Sans CJK SC itself installed would draw the same pixels either way; there the font-cmap unit
  // test, test/renderer/ui-font.test.ts, is the check.)
  expect(res.sameAsFallback).toBe('');
  expect(res.control).toBe(true);
  testInfoNote(
    `glyphs: ${chars.length} CJK characters on screen, all 16 px wide in the shipped font and drawn unlike the machine's fallback (fallback widths ${res.fallback.join(', ')})`,
  );
  return chars.length;
}
const notes: string[] = [];
function testInfoNote(note: string) {
  notes.push(note);
}

/** The PDF's text (poppler's pdftotext), whitespace removed, as Chinese lines break anywhere. */
function pdfBare(bytes: Buffer, file: string): string {
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

test('clinician view in English and 简体中文: screenshots, the shipped CJK font, result panel = PDF', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  const problems = watchProblems(page);
  const shotsDir = testInfo.outputPath('screens');
  mkdirSync(shotsDir, { recursive: true });
  const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  const lang = (l: 'en' | 'zh-CN') => page.getByTestId('lang-switch').selectOption(l);

  // Start: the patient header says no case is open; technical details sit in the About section.
  await openWorkstation(page);
  await expect(page.getByTestId('patient-none')).toBeVisible();
  await expect(page.getByTestId('engine-status')).toBeHidden();
  await shot('en-1-start');
  await lang('zh-CN');
  await expect(page.getByTestId('patient-none')).toContainText('尚未打开病例');
  await checkGlyphs(page);
  await shot('zh-1-start');
  await lang('en');

  // The demo case, segmented: required fields are marked before any Predict.
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('view-axial')).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('required-legend')).toBeVisible();
  await expect(page.getByTestId('required-cyfra_ng_ml')).toBeVisible();

  // The MPR views with the mask, at the nodule: orientation letters, slice positions, scale bars, the HU under the mouse.
  await expect(page.getByTestId('view-axial')).not.toHaveAttribute('data-mask-version', '-1', { timeout: 60_000 });
  await page.getByTestId('go-to-nodule').click();
  await expect(page.getByTestId('zoom-axial')).toBeVisible();
  const axialBox = (await page.getByTestId('view-axial').boundingBox())!;
  await page.mouse.move(axialBox.x + axialBox.width / 2 + 4, axialBox.y + axialBox.height / 2 + 3);
  await expect(page.getByTestId('hu-readout')).toContainText('HU');
  // The 3D view has drawn the mask's surface too (it renders last, when the page is idle).
  await expect(page.getByTestId('view-3d')).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await shot('en-1b-mpr-mask');
  await lang('zh-CN');
  await expect(page.getByTestId('view-label-axial')).toContainText('轴位');
  await page.mouse.move(axialBox.x + axialBox.width / 2 + 3, axialBox.y + axialBox.height / 2 + 3);
  await expect(page.getByTestId('hu-readout')).toContainText('掩膜');
  await checkGlyphs(page);
  await shot('zh-1b-mpr-mask');
  await lang('en');
  await page.mouse.move(1, 1);

  // Form with an error: the summary names the fields by their labels (never the column) and is fully on screen.
  await page.getByTestId('check').click();
  const summary = page.getByTestId('form-fix');
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('CYFRA 21-1');
  await expect(summary).not.toContainText('cyfra_ng_ml');
  await expect(page.getByTestId('clinical-form')).not.toContainText('cyfra_ng_ml');
  await expect(page.getByTestId('field-error-location')).toHaveText('Location is required by this model');
  const box = (await summary.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(768);
  await shot('en-2-form-error');
  await lang('zh-CN');
  await page.getByTestId('check').click();
  await expect(summary).toContainText('细胞角蛋白 19 片段');
  await expect(summary).toBeInViewport({ ratio: 1 });
  await checkGlyphs(page);
  await shot('zh-2-form-error');
  await lang('en');

  // The result, then the same category, cut-offs and sentence in the PDF.
  await page.getByTestId('fill-demo').click();
  for (const l of ['en', 'zh-CN'] as const) {
    await lang(l);
    await page.getByTestId('predict').click();
    await expect(page.getByTestId('form-progress')).toBeHidden({ timeout: 120_000 });
    const result = page.getByTestId('result');
    await expect(result).toBeVisible();
    await expect(page.getByTestId('open-report')).toHaveAttribute('href', /^blob:/, { timeout: 60_000 });
    const category = await page.getByTestId('result-category').getAttribute('data-category');
    const names = ['low', 'intermediate', 'high'];
    const cut = [0.1, 0.3];
    const words = riskWording({ category: category!, categoryNames: names, categoryCutoffs: cut }, l);
    await expect(page.getByTestId('result-category')).toHaveText(words.category);
    await expect(page.getByTestId('result-meaning')).toHaveText(words.meaning);
    await expect(page.getByTestId('result-cutoffs')).toContainText(words.cutoffs);
    await expect(page.getByTestId('technical-details')).not.toHaveAttribute('open', '');
    await expect(page.getByTestId('nomogram-signs')).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('open-report').click()]);
    const bare = pdfBare(readFileSync((await download.path())!), testInfo.outputPath(`report-${l}.pdf`));
    const onScreen = [
      await page.getByTestId('result-category').innerText(),
      await page.getByTestId('result-meaning').innerText(),
      words.cutoffs,
      await page.getByTestId('nomogram-signs').innerText(),
    ];
    for (const text of onScreen) expect(bare).toContain(text.replace(/\s+/g, ''));
    await page.evaluate(`document.querySelector('[data-testid="result"]').scrollIntoView({ block: 'start' })`);
    if (l === 'zh-CN') await checkGlyphs(page);
    await shot(`${l === 'en' ? 'en' : 'zh'}-3-result`);

    // The report preview, enlarged.
    await expect(page.getByTestId('report-preview')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await page.getByTestId('report-preview-enlarge').click();
    await expect(page.getByTestId('report-preview-dialog-canvas')).toHaveAttribute('data-page', '1', { timeout: 60_000 });
    await shot(`${l === 'en' ? 'en' : 'zh'}-4-report-preview`);
    await page.keyboard.press('Escape');

    // The research page: the manifest described, a template, why Start is disabled, a run-time estimate,
    // a plain-language error with the code in a details line; (English) a synthetic cohort to try.
    await page.getByTestId('open-research').click();
    await expect(page.getByTestId('research')).toBeVisible();
    await page.getByTestId('study-manifest').fill('');
    await expect(page.getByTestId('study-start')).toBeDisabled();
    await expect(page.getByTestId('study-disabled-reason')).toBeVisible();
    await expect(page.getByTestId('study-estimate')).toBeVisible();
    await expect(page.getByTestId('manifest-template')).toHaveAttribute('href', /^blob:/);
    await page.getByTestId('manifest-help').locator('summary').click();
    await expect(page.getByTestId('manifest-help')).toContainText('patient_id');
    await page.getByTestId('study-manifest').fill(testInfo.outputPath('absent.csv'));
    await page.getByTestId('study-out').fill(testInfo.outputPath(`study-${l}`));
    await page.getByTestId('study-start').click();
    await expect(page.getByTestId('study-problem')).toHaveAttribute('data-code', 'PATH_NOT_FOUND');
    await expect(page.getByTestId('study-problem-details')).toContainText('PATH_NOT_FOUND');
    await expect(page.getByTestId('study-problem')).toContainText(l === 'en' ? 'was not found' : '找不到');
    if (l === 'zh-CN') await checkGlyphs(page);
    await shot(`${l === 'en' ? 'en' : 'zh'}-5-research`);
    if (l === 'en') {
      const [template] = await Promise.all([page.waitForEvent('download'), page.getByTestId('manifest-template').click()]);
      expect(readFileSync((await template.path())!, 'utf8')).toMatch(/^patient_id,centre,image_path,mask_path,label,/);
      await page.getByTestId('study-try-synthetic').click();
      await expect(page.getByTestId('synthetic-ready')).toBeVisible({ timeout: 180_000 });
      await expect(page.getByTestId('study-manifest')).toHaveValue(/cohort[\\/]manifest\.csv$/);
      await expect(page.getByTestId('study-start')).toBeEnabled();
      await shot('en-6-research-synthetic');
    }
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('research')).toBeHidden();
  }
  // The header now names the patient and the study.
  await expect(page.getByTestId('patient-name')).toContainText('DEMO0001');
  testInfo.annotations.push({ type: 'note', description: notes.join('\n') });
  console.log(notes.join('\n'));
  expect(problems).toEqual([]);
});
