import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { nextFrames, pixels } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

test('main flow: demo case → segmentation → clinical form with validation → prediction → PDF report → 简体中文 → worklist', async ({ page }, testInfo) => {
  test.setTimeout(360_000);
  const problems = watchProblems(page);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });

  await openWorkstation(page);
  await expect(page.getByTestId('worklist')).toBeVisible();
  await expect(page.getByTestId('lang-switch')).toHaveValue('en');
  await shot('worklist');

  // The demo case opens and the three MPR views show an image.
  await page.getByTestId('open-demo').click();
  const axial = page.getByTestId('view-axial');
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  }
  await expect(page.getByTestId('case-error')).toHaveCount(0);
  await nextFrames(page);
  expect((await pixels(axial)).sd).toBeGreaterThan(20);

  // The form is there before segmentation, but Predict waits for the nodule.
  await expect(page.getByTestId('clinical-form')).toBeVisible();
  await expect(page.getByTestId('predict')).toBeDisabled();

  // Segment at the demo nodule: the overlay is drawn and diameter/CTR arrive in the form as measured.
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  await expect.poll(async () => (await pixels(axial)).orange, { timeout: 30_000 }).toBeGreaterThan(30);
  const measured = (await page.getByTestId('measurements').innerText()).replace(/\s+/g, ' ');
  const diameter = /Longest diameter ([\d.]+) mm/.exec(measured)?.[1];
  const ctr = /CTR ([\d.]+)/.exec(measured)?.[1];
  expect(diameter).toBeTruthy();
  await expect(page.getByTestId('field-diameter_mm')).toHaveValue(diameter!);
  await expect(page.getByTestId('field-ctr')).toHaveValue(ctr!);
  await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'measured');
  await expect(page.getByTestId('source-ctr')).toHaveAttribute('data-source', 'measured');
  await expect(page.getByTestId('predict')).toBeEnabled();
  await shot('mpr-with-mask');

  // Editing a measured value marks it entered; "measured" puts the segmentation's value back.
  await page.getByTestId('field-diameter_mm').fill('20');
  await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'entered');
  await page.getByTestId('use-measured-diameter_mm').click();
  await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'measured');
  await expect(page.getByTestId('field-diameter_mm')).toHaveValue(diameter!);

  // The engine names a missing required field under that field.
  await page.getByTestId('check').click();
  await expect(page.getByTestId('field-error-age_years')).toBeVisible();
  await expect(page.getByTestId('field-error-age_years')).toContainText('required');

  // The demo's clinical values fill the form; a negative CEA is refused at once, client side.
  await expect(page.getByTestId('form-fix')).toBeVisible();
  await page.getByTestId('fill-demo').click();
  await expect(page.getByTestId('field-error-age_years')).toHaveCount(0);
  await expect(page.getByTestId('form-fix')).toHaveCount(0);
  await expect(page.getByTestId('field-pseudonym')).toHaveValue('DEMO0001');
  await page.getByTestId('field-cea_ng_ml').fill('-3');
  await expect(page.getByTestId('field-error-cea_ng_ml')).toContainText('plausible range 0–1000');
  await expect(page.getByTestId('field-cea_ng_ml')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('field-cea_ng_ml').scrollIntoViewIfNeeded();
  await shot('form-validation-error');
  await page.getByTestId('field-cea_ng_ml').fill('1.86');
  await expect(page.getByTestId('field-error-cea_ng_ml')).toHaveCount(0);
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-ok')).toBeVisible();

  // Predict: probability, interval, category, the five signatures, the synthetic notice.
  await page.getByTestId('predict').click();
  const result = page.getByTestId('result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('result-probability')).toHaveText(/^\d{1,3}\.\d %$/);
  await expect(page.getByTestId('result-interval')).toContainText('95 % interval');
  await expect(page.getByTestId('result-category')).toHaveAttribute('data-category', /^(low|intermediate|high)$/);
  await expect(page.getByTestId('result-category')).toContainText(/(Low|Intermediate|High) risk/);
  await expect(page.getByTestId('result-threshold')).toContainText('Threshold');
  await expect(page.getByTestId('signature-row')).toHaveCount(5);
  await expect(page.getByTestId('result-signatures')).toContainText('Radiomics');
  await expect(page.getByTestId('result-synthetic')).toContainText('SYNTHETIC');
  await expect(page.getByTestId('decision-support')).toContainText('does not replace pathological nodal staging');
  await expect(page.getByTestId('nomogram-total')).toHaveText(/^-?\d+\.\d$/);
  await expect(page.getByTestId('result-bag').locator('li')).not.toHaveCount(0);
  await expect(page.getByTestId('report-id')).not.toBeEmpty();

  // The report link gives the PDF (a download of the blob URL; the CSP allows no fetch of blob: URLs).
  const link = page.getByTestId('open-report');
  await expect(link).toHaveAttribute('href', /^blob:/);
  await expect(result).toContainText('verified');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const pdf = readFileSync((await download.path())!);
  expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
  expect(pdf.length).toBeGreaterThan(50_000);
  expect(download.suggestedFilename()).toMatch(/^hilum-report-.+\.pdf$/);
  await shot('result-bottom');
  await page.getByTestId('result-synthetic').scrollIntoViewIfNeeded();
  await shot('result');

  // The worklist was refreshed after the prediction.
  const row = page.getByTestId('worklist-row').filter({ hasText: 'DEMO0001' });
  await expect(row.locator('td[data-status]')).toHaveAttribute('data-status', /^(reported|predicted)$/);
  await expect(row).toContainText('%');

  // 简体中文: the result's category and labels follow the language switch.
  await page.getByTestId('lang-switch').selectOption('zh-CN');
  await expect(page.getByTestId('result-category')).toContainText(/风险分层: (低|中|高)风险/);
  await expect(result).toContainText('隐匿性淋巴结转移风险');
  await expect(page.getByTestId('result-signatures')).toContainText('影像组学');
  await expect(page.getByTestId('result-signatures')).toContainText('多示例学习');
  await expect(page.getByTestId('result-signatures')).toContainText('临床');
  await expect(result).toContainText('列线图');
  await expect(page.getByTestId('decision-support')).toContainText('决策支持');
  await expect(page.getByTestId('synthetic-banner')).toContainText('合成数据');
  await expect(row).toContainText(/已出报告|已预测/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await shot('result-zh-CN');
  await page.getByTestId('open-report').scrollIntoViewIfNeeded();
  await shot('result-zh-CN-bottom');
  // The viewer follows the language too.
  await expect(page.getByTestId('preset-lung')).toHaveText('肺窗');

  expect(problems).toEqual([]);
});
