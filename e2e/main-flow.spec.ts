import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { difference, nextFrames, pixels } from './pixels.js';
import { clearDemoDraft, openWorkstation, watchProblems } from './workstation.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('main flow: demo case → segmentation → clinical form with validation → prediction → PDF report → 简体中文 → worklist → a second patient', async ({
  page,
  baseURL,
}, testInfo) => {
  test.setTimeout(360_000);
  // The flow starts from the demo case's empty form, whatever an earlier spec typed into it.
  await clearDemoDraft(baseURL);
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
  await expect(page.getByTestId('field-error-cea_ng_ml')).toContainText('plausible range 0.05–1000');
  await expect(page.getByTestId('field-cea_ng_ml')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('field-cea_ng_ml').scrollIntoViewIfNeeded();
  await shot('form-validation-error');
  await page.getByTestId('field-cea_ng_ml').fill('1.86');
  await expect(page.getByTestId('field-error-cea_ng_ml')).toHaveCount(0);
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-ok')).toBeVisible();

  // Predict: probability, interval, category with its cut-off sentence, the five signatures (in the technical details).
  await page.getByTestId('predict').click();
  const result = page.getByTestId('result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('result-probability')).toHaveText(/^\d{1,3}\.\d %$/);
  await expect(page.getByTestId('result-interval')).toContainText('95 % interval');
  await expect(page.getByTestId('result-category')).toHaveAttribute('data-category', /^(low|intermediate|high)$/);
  await expect(page.getByTestId('result-category')).toContainText(/(Low|Intermediate|High) risk/);
  await expect(page.getByTestId('result-meaning')).toContainText('cut-off');
  await expect(page.getByTestId('signature-row')).toHaveCount(5);
  await expect(page.getByTestId('result-signatures')).toContainText('Radiomics');
  await expect(page.getByTestId('decision-support')).toContainText('does not replace pathological nodal staging');
  await expect(page.getByTestId('nomogram-total')).toHaveText(/^-?\d+\.\d$/);
  await expect(page.getByTestId('result-bag').locator('li')).not.toHaveCount(0);
  await expect(page.getByTestId('report-id')).not.toBeEmpty();

  // Why: the class-activation maps over the bag's slices (on by default, the crosshair on the bag's
  // central slice), their colour scale, meaning and the synthetic notice; toggled off and on.
  await expect(page.getByTestId('toggle-cam')).toBeChecked();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');
  await expect(page.getByTestId('cam-coronal')).toHaveAttribute('data-cam-offset', '');
  const legend = page.getByTestId('cam-legend');
  await expect(legend).toContainText('log-odds per feature cell');
  await expect(legend).toContainText(/lowers −\d+\.\d\d/);
  await expect(page.getByTestId('cam-notice')).toContainText('SYNTHETIC');
  await expect(page.getByTestId('cam-here')).toContainText('bag offset 0 mm');
  // Bring the nodule (at the crosshair) to the middle of the axial view (Shift+drag pans), zoom in (Ctrl+wheel).
  await axial.scrollIntoViewIfNeeded();
  const box = (await axial.boundingBox())!;
  const lines = axial.locator('line.crosshair');
  const [cx, cy] = [Number(await lines.nth(0).getAttribute('x1')), Number(await lines.nth(1).getAttribute('y1'))];
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + cx, box.y + cy);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -1100);
  await page.keyboard.up('Control');
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');
  await nextFrames(page);
  const camOn = await pixels(axial);
  await shot('cam-overlay');
  await page.getByTestId('toggle-cam').uncheck();
  await expect(legend).toBeHidden();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '');
  await nextFrames(page);
  const camOff = await pixels(axial);
  expect(difference(camOn.png, camOff.png)).toBeGreaterThan(0.5);
  await shot('cam-overlay-off');
  await page.getByTestId('toggle-cam').check();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');
  await axial.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
  // Each input's log-odds contribution to both logistic models, largest first, with units.
  const combined = page.getByTestId('contributions-combined');
  await expect(combined.getByTestId('contribution-row')).toHaveCount(6);
  const sizes = (await combined.getByTestId('contribution-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-log-odds'))))).map(Math.abs);
  expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  await expect(combined).toContainText('ng/mL');
  await expect(page.getByTestId('contributions-clinical')).toBeVisible();
  await combined.scrollIntoViewIfNeeded();
  await shot('result-contributions');

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

  // The report preview: pdf.js draws the report's pages in the app; pages change by button and keyboard.
  const preview = page.getByTestId('report-preview');
  await expect(preview).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const pageCount = Number(await page.getByTestId('report-pages').textContent()); // in the collapsed technical details
  expect(pageCount).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('report-preview-page')).toHaveText(`Page 1 of ${pageCount}`);
  const canvas = page.getByTestId('report-preview-canvas');
  await expect(canvas).toHaveAttribute('data-page', '1', { timeout: 60_000 });
  const ink = await page.evaluate(`(() => {
    const c = document.querySelector('[data-testid="report-preview-canvas"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let p = 0; p < d.length; p += 4) if (d[p] + d[p + 1] + d[p + 2] < 384) dark++;
    return { width: c.width, fraction: dark / (c.width * c.height) };
  })()`);
  const { width: canvasWidth, fraction } = ink as { width: number; fraction: number };
  expect(canvasWidth).toBeGreaterThan(300);
  expect(fraction).toBeGreaterThan(0.005);
  expect(fraction).toBeLessThan(0.6);
  await page.getByTestId('report-preview-next').click();
  await expect(page.getByTestId('report-preview-page')).toHaveText(`Page 2 of ${pageCount}`);
  await expect(canvas).toHaveAttribute('data-page', '2');
  await page.getByTestId('report-preview-focus').focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('report-preview-page')).toHaveText(`Page ${pageCount} of ${pageCount}`);
  await page.keyboard.press('Home');
  await expect(canvas).toHaveAttribute('data-page', '1');
  await preview.scrollIntoViewIfNeeded();
  await shot('result-report-preview-column');
  // Enlarged: a readable page in a dialog (Escape closes it).
  await page.getByTestId('report-preview-enlarge').click();
  await expect(page.getByTestId('report-preview-dialog')).toBeVisible();
  await expect(page.getByTestId('report-preview-dialog-canvas')).toHaveAttribute('data-page', '1', { timeout: 60_000 });
  expect((await pixels(page.getByTestId('report-preview-dialog-canvas'))).sd).toBeGreaterThan(20);
  await shot('result-report-preview');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('report-preview-dialog-page')).toHaveText(`Page 2 of ${pageCount}`);
  await expect(page.getByTestId('report-preview-dialog-canvas')).toHaveAttribute('data-page', '2');
  await shot('result-report-preview-page-2');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('report-preview-dialog')).toBeHidden();

  // Export to DICOM: the Encapsulated PDF and the DICOM-SEG land in a new folder; a second export there is refused.
  await expect(page.getByTestId('dicom-objects').locator('li')).toHaveCount(2);
  const dicomFolder = testInfo.outputPath('dicom-export');
  await page.getByTestId('dicom-out').fill(dicomFolder);
  await page.getByTestId('dicom-export-button').click();
  await expect(page.getByTestId('dicom-written-file')).toHaveCount(2, { timeout: 30_000 });
  const dicomFiles = await page.getByTestId('dicom-written-file').allInnerTexts();
  for (const file of dicomFiles) {
    expect(file.startsWith(dicomFolder)).toBe(true);
    expect(readFileSync(file.trim()).subarray(128, 132).toString('latin1')).toBe('DICM');
  }
  await page.getByTestId('dicom-export').scrollIntoViewIfNeeded();
  await shot('result-dicom-export');
  await page.getByTestId('dicom-export-button').click();
  await expect(page.getByTestId('dicom-problem')).toContainText('exists');
  await expect(page.getByTestId('dicom-problem')).toContainText('Choose an empty folder');

  await page.getByTestId('result-probability').scrollIntoViewIfNeeded();
  await shot('result');

  // The worklist was refreshed after the prediction.
  const row = page.getByTestId('worklist-row').filter({ hasText: 'DEMO0001' });
  await expect(row.locator('td[data-status]')).toHaveAttribute('data-status', /^(reported|predicted)$/);
  await expect(row).toContainText('%');
  await row.scrollIntoViewIfNeeded();
  await shot('worklist-with-case');

  // 简体中文: the result's category and labels follow the language switch.
  await page.getByTestId('lang-switch').selectOption('zh-CN');
  await expect(page.getByTestId('result-category')).toHaveText(/^(低|中|高)风险$/);
  await expect(result).toContainText('隐匿性淋巴结转移风险');
  await expect(page.getByTestId('result-signatures')).toContainText('影像组学');
  await expect(page.getByTestId('result-signatures')).toContainText('多示例学习');
  await expect(page.getByTestId('result-signatures')).toContainText('临床');
  await expect(result).toContainText('列线图');
  await expect(page.getByTestId('decision-support')).toContainText('决策支持');
  await expect(page.getByTestId('synthetic-banner')).toContainText('合成数据');
  await expect(page.getByTestId('report-preview-page')).toHaveText(new RegExp(`^第 \\d+ 页，共 ${pageCount} 页$`));
  await expect(page.getByTestId('dicom-export')).toContainText('导出为 DICOM');
  await expect(row).toContainText(/已出报告|已预测/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await shot('result-zh-CN');
  await page.getByTestId('open-report').scrollIntoViewIfNeeded();
  await shot('result-zh-CN-bottom');
  // The viewer follows the language too.
  await expect(page.getByTestId('preset-lung')).toHaveText('肺窗');
  await expect(page.getByTestId('cam-legend')).toContainText('类激活图');

  // A second patient (a phantom CT written as DICOM): nothing of the first patient's result,
  // segmentation or measured values stays on screen with the new images.
  await page.getByTestId('lang-switch').selectOption('en');
  const second = testInfo.outputPath('second-patient');
  execFileSync(process.execPath, [path.join(ROOT, 'bin', 'hilum.js'), 'phantom', '--out', second, '--n', '1', '--centres', 'B:1', '--seed', '5'], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  const secondSeries = path.join(second, 'images', 'B0001');
  await page.getByTestId('import-path').fill(secondSeries);
  await page.getByTestId('import-scan').click();
  await expect(page.getByTestId('case-path')).toHaveText(secondSeries, { timeout: 60_000 });
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  await expect(page.getByTestId('result')).toHaveCount(0);
  await expect(page.getByTestId('measurements')).toHaveCount(0);
  await expect(page.getByTestId('toggle-cam')).toHaveCount(0);
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '');
  // The views start at the new image's centre: slice 24 of 48 axially (not the last patient's nodule level).
  await expect(page.getByTestId('view-axial')).toHaveAttribute('data-slice', /^2[34]$/);
  await expect(page.getByTestId('predict')).toBeDisabled();
  await expect(page.getByTestId('field-diameter_mm')).toHaveValue('');
  await expect(page.getByTestId('field-age_years')).toHaveValue('');
  await expect(page.getByTestId('field-cea_ng_ml')).toHaveValue('');
  await nextFrames(page);
  expect((await pixels(axial)).orange).toBe(0);
  await shot('second-case');
  // The first patient is still on the worklist.
  await expect(page.getByTestId('worklist-row').filter({ hasText: 'DEMO0001' })).toHaveCount(1);

  expect(problems).toEqual([]);
});
