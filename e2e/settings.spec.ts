import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { clearDemoDraft, watchProblems } from './workstation.js';

// The shipped demonstration bundle, found from this file (whatever the runner's working directory).
const SHIPPED_BUNDLE = fileURLToPath(new URL('../models/hilum-demo.bundle.json', import.meta.url));

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
});

test('settings: import, activate and refuse model bundles; execution providers; default report paper', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const problems = watchProblems(page);
  await page.goto(`/#token=${process.env.HILUM_SERVE_TOKEN}`);
  await expect(page.getByTestId('engine-status')).toContainText('hilum-demo');

  await page.getByTestId('open-settings').click();
  const settings = page.getByTestId('settings');
  await expect(settings).toBeVisible();
  await expect(page.getByTestId('bundle-in-use')).toContainText('hilum-demo');

  // Import the shipped bundle by its absolute path (a second import of the same bundle is answered with its entry).
  await page.getByTestId('bundle-import-path').fill(SHIPPED_BUNDLE);
  await page.getByTestId('bundle-import').click();
  await expect(page.getByTestId('bundle-done')).toContainText('hilum-demo');
  const bundle = JSON.parse(readFileSync(SHIPPED_BUNDLE, 'utf8')) as { contentSha256: string; signatures: { combined: { coefficients: number[] } } };
  const row = page.locator(`[data-testid="bundle-row"][data-sha="${bundle.contentSha256}"]`);
  await expect(row).toContainText('hilum-demo');
  await expect(row.getByTestId('bundle-synthetic')).toHaveText('SYNTHETIC');
  await expect(row.locator('code')).toHaveAttribute('title', bundle.contentSha256);

  // Activate it (it may already be active from an earlier run): the store's bundle is then in use.
  if ((await row.getAttribute('data-status')) !== 'active') await row.getByTestId('bundle-activate').click();
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row.getByTestId('bundle-activate')).toHaveCount(0);
  await expect(page.getByTestId('bundle-in-use')).toHaveAttribute('data-source', 'store');
  await expect(page.getByTestId('engine-bundle-source')).toHaveAttribute('data-source', 'store');

  // A copy with one coefficient changed is refused, plainly.
  bundle.signatures.combined.coefficients[0] += 0.25;
  const tampered = testInfo.outputPath('tampered.bundle.json');
  writeFileSync(tampered, JSON.stringify(bundle));
  await page.getByTestId('bundle-import-path').fill(tampered);
  await page.getByTestId('bundle-import').click();
  const error = page.getByTestId('bundle-error');
  await expect(error).toHaveAttribute('data-code', 'BUNDLE_TAMPERED');
  await expect(error).toContainText('has been changed since it was made');
  await expect(error).toContainText('it will not be used');
  await expect(error).toContainText('Use the bundle file as the study wrote it');

  // Execution providers: ONNX Runtime's CPU provider at least; said plainly when it is the only one.
  await expect(page.locator('[data-testid="provider"][data-provider="cpu"]')).toHaveText('CPU');
  const gpu = await page.locator('[data-testid="provider"]:not([data-provider="cpu"])').count();
  if (gpu === 0) await expect(page.getByTestId('providers-cpu-only')).toContainText('predictions run on the CPU');
  else await expect(page.getByTestId('providers-gpu')).toContainText('otherwise the CPU does');
  await expect(page.getByTestId('last-provider')).toContainText('No prediction');

  // Default report paper: kept in localStorage, used by the clinical form.
  await page.getByTestId('settings-paper').selectOption('Letter');
  expect(await page.evaluate("localStorage.getItem('hilum.paper')")).toBe('Letter');
  await page.getByTestId('bundle-import-path').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('settings.png') });

  // The language switch in the settings changes the page.
  await settings.getByTestId('lang-switch').selectOption('zh-CN');
  await expect(settings).toContainText('模型包');
  await expect(page.getByTestId('bundle-error')).toContainText('has been changed');
  await page.screenshot({ path: testInfo.outputPath('settings-zh-CN.png') });
  await settings.getByTestId('lang-switch').selectOption('en');

  await page.getByTestId('close-settings').click();
  await expect(settings).toHaveCount(0);
  await page.getByTestId('open-settings').click();
  await page.keyboard.press('Escape');
  await expect(settings).toHaveCount(0);
  await page.reload();
  await page.getByTestId('open-settings').click();
  await expect(page.getByTestId('settings-paper')).toHaveValue('Letter');
  expect(problems).toEqual([]);
});

test('drafts: the clinical form keeps what was typed across a reload', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  await clearDemoDraft(baseURL);
  try {
    await page.goto(`/#token=${process.env.HILUM_SERVE_TOKEN}`);
    // The settings' default paper (localStorage, read as the page loads) is the form's first choice.
    await page.evaluate("localStorage.setItem('hilum.paper', 'Letter')");
    await page.reload();
    await page.getByTestId('open-demo').click();
    await expect(page.getByTestId('clinical-form')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('paper')).toHaveValue('Letter');
    await page.getByTestId('segment-demo').click();
    await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
    await page.getByTestId('fill-demo').click();
    const age = page.getByTestId('field-age_years');
    const typed = (await age.inputValue()) === '73' ? '74' : '73';
    await age.fill(typed);
    await page.getByTestId('field-cea_ng_ml').fill('4.2');

    const status = page.getByTestId('draft-status');
    await expect(status).toHaveAttribute('data-dirty', 'false', { timeout: 10_000 });
    await expect(status).toHaveAttribute('data-state', 'saved');
    await expect(status).toContainText(/Draft saved \d\d:\d\d:\d\d/);

    // A reload keeps the address with its token; the same case opened again has its entries back.
    await page.reload();
    expect(page.url()).toContain('#token=');
    await page.getByTestId('open-demo').click();
    await expect(page.getByTestId('clinical-form')).toBeVisible({ timeout: 120_000 });
    await expect(age).toHaveValue(typed);
    await expect(page.getByTestId('field-cea_ng_ml')).toHaveValue('4.2');
    await expect(page.getByTestId('field-pseudonym')).toHaveValue('DEMO0001');
    await expect(status).toHaveAttribute('data-state', 'restored');
    await expect(status).toContainText(/Draft restored \(saved \d\d:\d\d:\d\d\)/);
    // Measured fields stay measured: the segmentation fills them again.
    await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'measured');
    await page.getByTestId('segment-demo').click();
    await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('field-diameter_mm')).not.toHaveValue('');
    await age.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('draft-restored.png') });
  } finally {
    await clearDemoDraft(baseURL);
  }
  expect(problems).toEqual([]);
});
