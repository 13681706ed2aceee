import { expect, test, type Locator, type Page } from '@playwright/test';
import { clearDemoDraft, engine, openWorkstation, watchProblems } from './workstation.js';

type Vec3 = [number, number, number];

/** The LPS point the HU readout names (the point under the mouse, in the view under it). */
async function underMouse(page: Page): Promise<Vec3> {
  const lps = (await page.getByTestId('hu-readout').getAttribute('data-lps'))?.split(',').map(Number) ?? [];
  expect(lps).toHaveLength(3);
  return lps as Vec3;
}

/** Moves the mouse onto (x, y) from one pixel beside it, so the view reads the point under it afresh. */
async function hover(page: Page, x: number, y: number) {
  await page.mouse.move(x + 1, y);
  await page.mouse.move(x, y);
}

const distance = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const positionMm = async (view: Locator) => Number(await view.getAttribute('data-position-mm'));

test('viewer basics: orientation letters, slice position in mm, scale bar, zoom about the mouse, maximise/restore, go to nodule', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  await clearDemoDraft(baseURL);
  const client = await engine(baseURL);
  const nodule = (await client.call('demo.case', {})).noduleCentreLps as Vec3;
  client.close();
  const problems = watchProblems(page);
  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });

  // Orientation letters in radiological convention: the patient's right on the screen's left.
  const letters = { axial: ['R', 'L', 'A', 'P'], coronal: ['R', 'L', 'S', 'I'], sagittal: ['A', 'P', 'S', 'I'] };
  for (const [plane, [left, right, top, bottom]] of Object.entries(letters)) {
    await expect(page.getByTestId(`orient-${plane}-left`)).toHaveText(left);
    await expect(page.getByTestId(`orient-${plane}-right`)).toHaveText(right);
    await expect(page.getByTestId(`orient-${plane}-top`)).toHaveText(top);
    await expect(page.getByTestId(`orient-${plane}-bottom`)).toHaveText(bottom);
  }
  // … and they are where the anatomy is: in the axial view, the mouse moved right goes toward the
  // patient's left (+x), moved down goes posterior (+y).
  const axial = page.getByTestId('view-axial');
  const box = (await axial.boundingBox())!;
  await hover(page, box.x + box.width * 0.4, box.y + box.height * 0.5);
  const p0 = await underMouse(page);
  await hover(page, box.x + box.width * 0.6, box.y + box.height * 0.6);
  const p1 = await underMouse(page);
  expect(p1[0]).toBeGreaterThan(p0[0] + 10);
  expect(p1[1]).toBeGreaterThan(p0[1] + 5);

  // The case opened at the demo's nodule: each view's slice position in mm is the nodule's, in plain words.
  const axialPosition = page.getByTestId('slice-position-axial');
  await expect(axialPosition).toHaveText(/^z = −?\d+\.\d mm$/);
  await expect(page.getByTestId('slice-position-coronal')).toHaveText(/^y = −?\d+\.\d mm$/);
  await expect(page.getByTestId('slice-position-sagittal')).toHaveText(/^x = −?\d+\.\d mm$/);
  expect(Math.abs((await positionMm(axialPosition)) - nodule[2])).toBeLessThan(1);
  expect(Math.abs((await positionMm(page.getByTestId('slice-position-coronal'))) - nodule[1])).toBeLessThan(1);
  expect(Math.abs((await positionMm(page.getByTestId('slice-position-sagittal'))) - nodule[0])).toBeLessThan(1);
  await expect(page.getByTestId('view-label-axial')).toContainText(/slice \d+\/100/);
  await expect(page.getByTestId('viewer-area')).not.toContainText('LPS');
  // One slice further by the wheel: the position moves by the slice spacing (1 mm).
  const z0 = await positionMm(axialPosition);
  await page.mouse.wheel(0, 100);
  await expect.poll(() => positionMm(axialPosition)).not.toBe(z0);
  expect(Math.abs(Math.abs((await positionMm(axialPosition)) - z0) - 1)).toBeLessThan(0.01);

  // Scale bar: a round length, at most a quarter of the view's width, its pixels matching the view's mm per pixel.
  const bar = page.getByTestId('scale-bar-axial');
  const barMm = Number(await bar.getAttribute('data-mm'));
  const barPx = Number(await bar.getAttribute('data-px'));
  const mmPerPx = Number(await axial.getAttribute('data-mm-per-px'));
  expect([1, 2, 5, 10, 20, 50, 100, 200]).toContain(barMm);
  expect(barPx).toBeLessThanOrEqual(box.width / 4);
  expect(Math.abs(barPx * mmPerPx - barMm)).toBeLessThan(0.05 * barMm);
  await expect(bar).toHaveText(`${barMm} mm`);

  // Ctrl+wheel zooms about the mouse: the point under it stays (within 1 mm); the view's centre does not.
  const [mx, my] = [box.x + box.width * 0.3, box.y + box.height * 0.35];
  await hover(page, box.x + box.width / 2, box.y + box.height / 2);
  const centreBefore = await underMouse(page);
  await hover(page, mx, my);
  const before = await underMouse(page);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await expect(page.getByTestId('zoom-axial')).toBeVisible();
  expect(Number(await axial.getAttribute('data-mm-per-px'))).toBeLessThan(mmPerPx / 1.5);
  await hover(page, mx, my);
  expect(distance(await underMouse(page), before)).toBeLessThan(1);
  await hover(page, box.x + box.width / 2, box.y + box.height / 2);
  expect(distance(await underMouse(page), centreBefore)).toBeGreaterThan(10);
  // Zoomed in, the scale bar is shorter in mm.
  expect(Number(await bar.getAttribute('data-mm'))).toBeLessThan(barMm);

  // Reset view undoes the zoom.
  await page.getByTestId('reset-view').click();
  await expect(page.getByTestId('zoom-axial')).toHaveCount(0);
  expect(Number(await axial.getAttribute('data-mm-per-px'))).toBeCloseTo(mmPerPx, 3);

  // Maximise by the button, restore by Esc.
  const grid = page.getByTestId('viewer-grid');
  await page.getByTestId('maximise-axial').click();
  await expect(grid).toHaveAttribute('data-maximised', 'axial');
  await expect(page.getByTestId('view-coronal')).toBeHidden();
  await expect.poll(async () => (await axial.boundingBox())!.width).toBeGreaterThan(box.width * 1.6);
  await page.getByTestId('viewer-area').focus();
  await page.keyboard.press('Escape');
  await expect(grid).toHaveAttribute('data-maximised', '');
  await expect(page.getByTestId('view-coronal')).toBeVisible();

  // Double click maximises (and restores) the view, and leaves the crosshair where it was.
  const sagittal = page.getByTestId('view-sagittal');
  const slices = [await axial.getAttribute('data-slice'), await page.getByTestId('view-coronal').getAttribute('data-slice')];
  const sBox = (await sagittal.boundingBox())!;
  await page.mouse.dblclick(sBox.x + sBox.width * 0.3, sBox.y + sBox.height * 0.3);
  await expect(grid).toHaveAttribute('data-maximised', 'sagittal');
  expect([await axial.getAttribute('data-slice'), await page.getByTestId('view-coronal').getAttribute('data-slice')]).toEqual(slices);
  const big = (await sagittal.boundingBox())!;
  await page.mouse.dblclick(big.x + big.width * 0.5, big.y + big.height * 0.5);
  await expect(grid).toHaveAttribute('data-maximised', '');

  // Go to nodule: after moving the crosshair away, it comes back to the nodule, centred and zoomed in.
  await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.8);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 100);
  await expect.poll(async () => Math.abs((await positionMm(axialPosition)) - nodule[2])).toBeGreaterThan(3);
  await page.getByTestId('go-to-nodule').click();
  await expect.poll(async () => Math.abs((await positionMm(axialPosition)) - nodule[2])).toBeLessThan(1);
  await expect(page.getByTestId('zoom-axial')).toHaveText('×2.5');
  const lines = axial.locator('line.crosshair');
  expect(Math.abs(Number(await lines.nth(0).getAttribute('x1')) - box.width / 2)).toBeLessThan(3);
  expect(Math.abs(Number(await lines.nth(1).getAttribute('y1')) - box.height / 2)).toBeLessThan(3);
  await hover(page, box.x + box.width / 2, box.y + box.height / 2);
  expect(distance(await underMouse(page), nodule)).toBeLessThan(1.5);

  expect(problems).toEqual([]);
});
