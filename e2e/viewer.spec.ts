import { expect, test, type Locator, type Page } from '@playwright/test';
import { difference, nextFrames, pixels, renderCount } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

/** Waits until a view has rendered again after `before` renders, and for the next frame to be composited. */
async function waitForRender(page: Page, view: Locator, before: number) {
  await expect.poll(() => renderCount(view), { timeout: 30_000 }).toBeGreaterThan(before);
  await nextFrames(page);
}

test('the demo case opens in the MPR viewer, windows change the pixels, and the segmented nodule is overlaid and measured', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const problems = watchProblems(page);
  await openWorkstation(page);

  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  const axial = page.getByTestId('view-axial');
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  }
  await expect(page.getByTestId('case-error')).toHaveCount(0);

  // Everything fits a 1366×768 screen: the four views are side by side, inside the viewport.
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal', 'view-3d']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.width).toBeGreaterThan(200);
    expect(box.height).toBeGreaterThan(200);
    expect(box.x + box.width).toBeLessThanOrEqual(1366);
    expect(box.y + box.height).toBeLessThanOrEqual(768);
  }

  // The default (lung) window shows an image, not a blank canvas.
  await nextFrames(page);
  const lung = await pixels(axial);
  expect(lung.sd).toBeGreaterThan(20);
  await expect(page.getByTestId('window-readout')).toHaveText('W 1500 / L -600');

  // The mediastinal window renders the same slice differently.
  let before = await renderCount(axial);
  await page.getByTestId('preset-mediastinum').click();
  await waitForRender(page, axial, before);
  await expect(page.getByTestId('window-readout')).toHaveText('W 350 / L 40');
  const mediastinum = await pixels(axial);
  expect(mediastinum.sd).toBeGreaterThan(20);
  expect(difference(lung.png, mediastinum.png)).toBeGreaterThan(10);
  await page.screenshot({ path: testInfo.outputPath('mpr-mediastinum.png') });

  // Left of the square field of view there are no voxels, and the readout says so.
  const box = (await axial.boundingBox())!;
  await page.mouse.move(box.x + 8, box.y + box.height / 2);
  await expect(page.getByTestId('hu-readout')).toContainText('outside the volume');

  // A click in the axial view moves the coronal and sagittal slices (linked crosshair); the axial
  // slice stays, so the axial view does not render again.
  const coronal = page.getByTestId('view-coronal');
  const sagittal = page.getByTestId('view-sagittal');
  const coronalSlice = await coronal.getAttribute('data-slice');
  const axialRenders = await renderCount(axial);
  before = await renderCount(coronal);
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.3);
  await expect(coronal).not.toHaveAttribute('data-slice', coronalSlice!);
  await waitForRender(page, coronal, before);
  expect(await renderCount(axial)).toBe(axialRenders);

  // The wheel steps the axial slice by one; only the axial view renders.
  const axialSlice = Number(await axial.getAttribute('data-slice'));
  const others = [await renderCount(coronal), await renderCount(sagittal)];
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.wheel(0, 100);
  await expect(axial).toHaveAttribute('data-slice', String(axialSlice + 1));
  await waitForRender(page, axial, axialRenders);
  expect([await renderCount(coronal), await renderCount(sagittal)]).toEqual(others);

  // Right drag changes the window.
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(box.x + box.width * 0.5 + 40, box.y + box.height * 0.5 + 20, { steps: 4 });
  await page.mouse.up({ button: 'right' });
  await expect(page.getByTestId('window-readout')).not.toHaveText('W 350 / L 40');

  // Segment at the demo nodule: the measurements appear and the overlay is drawn on the axial slice.
  await page.getByTestId('preset-lung').click();
  before = await renderCount(axial);
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  const text = (await page.getByTestId('measurements').innerText()).replace(/\s+/g, ' ');
  const diameter = Number(/Longest diameter ([\d.]+) mm/.exec(text)?.[1]);
  expect(diameter).toBeGreaterThan(15);
  expect(diameter).toBeLessThan(30);
  expect(text).toMatch(/Volume [\d.]+ mL/);
  expect(text).toMatch(/Solid diameter [\d.]+ mm/);
  expect(text).toMatch(/CTR [\d.]+/);
  await waitForRender(page, axial, before);
  await expect.poll(async () => (await pixels(axial)).orange, { timeout: 30_000 }).toBeGreaterThan(30);
  expect(lung.orange).toBe(0);

  // Over the nodule's centre the readout gives the nodule's HU (ground glass or solid, not lung air), inside the mask.
  const crossLines = axial.locator('line.crosshair');
  const nx = Number(await crossLines.nth(0).getAttribute('x1'));
  const ny = Number(await crossLines.nth(1).getAttribute('y1'));
  await page.mouse.move(box.x + nx, box.y + ny);
  await expect(page.getByTestId('hu-readout')).toContainText('in mask');
  const huValue = Number(/(-?\d+) HU/.exec(await page.getByTestId('hu-readout').innerText())?.[1]);
  expect(huValue).toBeGreaterThan(-750);
  expect(huValue).toBeLessThan(300);

  // Click-to-segment: in segment mode a click on the nodule (where the crosshair now is) segments it.
  await page.getByTestId('segment').click();
  const demoSeed = await page.getByTestId('segment-seed').innerText();
  await page.mouse.click(box.x + nx + 3, box.y + ny + 2);
  await expect(page.getByTestId('segment-seed')).not.toHaveText(demoSeed, { timeout: 60_000 });
  const again = (await page.getByTestId('measurements').innerText()).replace(/\s+/g, ' ');
  expect(Math.abs(Number(/Longest diameter ([\d.]+) mm/.exec(again)?.[1]) - diameter)).toBeLessThan(3);

  // The 3D view renders (reduced quality) once the 2D views are done.
  await expect(page.getByTestId('view-3d')).toHaveAttribute('data-rendered', '1', { timeout: 60_000 });
  await page.screenshot({ path: testInfo.outputPath('mpr-with-mask.png') });
  await testInfo.attach('mpr-with-mask', { path: testInfo.outputPath('mpr-with-mask.png'), contentType: 'image/png' });
  await axial.screenshot({ path: testInfo.outputPath('axial-with-mask.png') });
  await testInfo.attach('axial-with-mask', { path: testInfo.outputPath('axial-with-mask.png'), contentType: 'image/png' });

  const ms = await Promise.all(['view-axial', 'view-3d'].map((id) => page.getByTestId(id).getAttribute('data-render-ms')));
  testInfo.annotations.push({ type: 'render-ms', description: `axial ${ms[0]} ms, 3D ${ms[1]} ms` });
  console.log(`last render: axial ${ms[0]} ms, 3D ${ms[1]} ms`);
  expect(problems).toEqual([]);
});
