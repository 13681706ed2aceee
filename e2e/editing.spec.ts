import { expect, test, type Page } from '@playwright/test';
import { nextFrames, pixels, renderCount } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

/** The measurements as shown (whitespace collapsed) and the mask's voxel count. */
async function measured(page: Page) {
  const dl = page.getByTestId('measurements');
  // The seed is where a segmentation started, not a measurement (an imported mask has none).
  const text = (await dl.innerText()).replace(/\s+/g, ' ').replace(/ Seed .*$/, '');
  return { text, voxels: Number(await dl.getAttribute('data-voxel-count')) };
}

const voxelCount = async (page: Page) => Number(await page.getByTestId('measurements').getAttribute('data-voxel-count'));

test('import by path (errors, scan, findings), brush paint with undo/redo, mask export and re-import', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  await openWorkstation(page);

  // The demo case (generated on first use); its series folder is shown as the case's path.
  await page.getByTestId('open-demo').click();
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  }
  const seriesDir = (await page.getByTestId('case-path').innerText()).trim();
  expect(seriesDir).toMatch(/^\//);

  // A folder that does not exist: the engine's PATH_NOT_FOUND message, with the path, is shown.
  const missing = `${seriesDir}-does-not-exist`;
  await page.getByTestId('import-path').fill(missing);
  await page.getByTestId('import-scan').click();
  await expect(page.getByTestId('case-error')).toContainText(`${missing} does not exist`);
  // … and its hint.
  await expect(page.getByTestId('case-error')).toContainText('Choose an existing folder or file');

  // The demo folder by its path: one series, so it opens at once; the geometry findings are shown.
  await page.getByTestId('import-path').fill(seriesDir);
  await page.getByTestId('import-path').press('Enter');
  await expect(page.getByTestId('import-findings')).toHaveAttribute('data-opened', '1', { timeout: 60_000 });
  await expect(page.getByTestId('case-error')).toHaveCount(0);
  await expect(page.getByTestId('series-choice')).toHaveCount(0);
  await expect(page.getByTestId('import-findings')).toContainText(/No geometry warnings|\S/);
  await expect(page.getByTestId('case-path')).toHaveText(seriesDir);
  await expect(page.getByTestId('progress')).toHaveCount(0);

  // Something dropped on the viewer in a browser: the page says the path must be typed.
  const dataTransfer = await page.evaluateHandle('(() => { const d = new DataTransfer(); d.items.add(new File(["x"], "ct-folder")); return d; })()');
  await page.getByTestId('viewer-area').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('drop-message')).toContainText('Type or paste its path');
  await page.screenshot({ path: testInfo.outputPath('import-panel.png') });

  // Editing needs a mask: the brush is disabled until there is one.
  await expect(page.getByTestId('brush-paint')).toBeDisabled();
  await expect(page.getByTestId('undo')).toBeDisabled();

  // Segment at the demo nodule and note its volume.
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  const original = await measured(page);
  expect(original.voxels).toBeGreaterThan(0);
  await expect(page.getByTestId('undo')).toBeDisabled();
  await expect(page.getByTestId('redo')).toBeDisabled();

  // Paint with a 3 mm brush just outside the nodule's edge, right of its centre (the crosshair) in the axial view.
  const axial = page.getByTestId('view-axial');
  const coronal = page.getByTestId('view-coronal');
  await nextFrames(page);
  const box = (await axial.boundingBox())!;
  const lines = axial.locator('line.crosshair');
  const cx = Number(await lines.nth(0).getAttribute('x1'));
  const cy = Number(await lines.nth(1).getAttribute('y1'));
  const mmPerPx = Number(await axial.getAttribute('data-mm-per-px'));
  const diameter = Number(/Longest diameter ([\d.]+) mm/.exec(original.text)?.[1]);
  expect(mmPerPx).toBeGreaterThan(0);
  const offsetPx = (diameter / 2 + 2) / mmPerPx;
  await page.getByTestId('brush-size').fill('3');
  await page.getByTestId('brush-paint').click();
  await expect(page.getByTestId('brush-paint')).toHaveAttribute('aria-pressed', 'true');
  const orangeBefore = (await pixels(axial)).orange;
  const axialRenders = await renderCount(axial);
  const coronalSlice = await coronal.getAttribute('data-slice');
  await page.mouse.click(box.x + cx + offsetPx, box.y + cy);
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBeGreaterThan(original.voxels);
  const painted = await measured(page);
  expect(painted.text).not.toBe(original.text);
  await expect(page.getByTestId('undo')).toBeEnabled();
  await expect(page.getByTestId('redo')).toBeDisabled();
  // The click painted; it did not move the crosshair (the coronal slice is where it was).
  await expect(coronal).toHaveAttribute('data-slice', coronalSlice!);
  // The axial view (whose slice was painted) rendered the larger overlay.
  await expect.poll(() => renderCount(axial), { timeout: 30_000 }).toBeGreaterThan(axialRenders);
  await nextFrames(page);
  expect((await pixels(axial)).orange).toBeGreaterThan(orangeBefore);
  await page.mouse.move(box.x + cx + offsetPx + 10, box.y + cy + 10);
  await expect(axial.locator('.brush-outline')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('brush-editing.png') });

  // Undo: exactly the original mask again; Redo: the painted one.
  await page.getByTestId('undo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(original.voxels);
  expect(await measured(page)).toEqual(original);
  await expect(page.getByTestId('redo')).toBeEnabled();
  await page.getByTestId('redo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(painted.voxels);
  expect(await measured(page)).toEqual(painted);

  // The same by keyboard while the viewer has focus: Ctrl+Z, then Ctrl+Shift+Z.
  await page.keyboard.press('Control+z');
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(original.voxels);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(painted.voxels);
  await page.getByTestId('brush-paint').click();
  await expect(page.getByTestId('brush-paint')).toHaveAttribute('aria-pressed', 'false');

  // Export (NIfTI from the extension) to an absolute path, then import it back: the same measurements.
  const file = testInfo.outputPath('mask.nii.gz');
  await page.getByTestId('mask-path').fill(file);
  await page.getByTestId('mask-export').click();
  await expect(page.getByTestId('mask-result')).toContainText(file);
  await expect(page.getByTestId('mask-result')).toContainText('nifti');
  await page.getByTestId('mask-import').click();
  await expect(page.getByTestId('mask-result')).toContainText('Imported', { timeout: 30_000 });
  await expect(page.getByTestId('case-error')).toHaveCount(0);
  expect(await measured(page)).toEqual(painted);

  // Exporting again over the same file without "overwrite" is refused, with the engine's message.
  await page.getByTestId('mask-export').click();
  await expect(page.getByTestId('case-error')).toBeVisible();
  await expect(page.getByTestId('mask-result')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('mask-files.png') });

  expect(problems).toEqual([]);
});
