import { expect, test } from '@playwright/test';
import { nextFrames } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

const voxelCount = async (page: import('@playwright/test').Page) => Number(await page.getByTestId('measurements').getAttribute('data-voxel-count'));

test('segment mode: a box dragged around the nodule segments it (the box is drawn while dragging); a click still segments at once', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  const axial = page.getByTestId('view-axial');
  await expect(axial).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });

  // The reference: the demo nodule clicked at its centre.
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  const clicked = await voxelCount(page);
  expect(clicked).toBeGreaterThan(0);

  // A 44 mm box around the crosshair (the case opens at its nodule) on the axial view.
  await nextFrames(page);
  const box = (await axial.boundingBox())!;
  const lines = axial.locator('line.crosshair');
  const cx = box.x + Number(await lines.nth(0).getAttribute('x1'));
  const cy = box.y + Number(await lines.nth(1).getAttribute('y1'));
  const half = 22 / Number(await axial.getAttribute('data-mm-per-px'));
  await page.getByTestId('segment').click();
  await page.mouse.move(cx - half, cy - half);
  await page.mouse.down();
  await page.mouse.move(cx + half, cy + half, { steps: 8 });
  await expect(page.getByTestId('segment-box-axial')).toBeVisible();
  await page.mouse.up();
  await expect(page.getByTestId('segment-box-axial')).toHaveCount(0);
  await expect.poll(() => voxelCount(page), { timeout: 120_000 }).not.toBe(0);
  await expect(page.getByTestId('measurements')).toBeVisible();
  const boxed = await voxelCount(page);
  // The same nodule: within a quarter of the click's volume.
  expect(Math.abs(boxed - clicked)).toBeLessThan(0.25 * clicked);
  await expect(page.getByTestId('case-error')).toHaveCount(0);

  // A click (no drag) in segment mode segments at the click, as before.
  await page.getByTestId('segment').click();
  await page.mouse.click(cx, cy);
  await expect.poll(() => voxelCount(page), { timeout: 120_000 }).not.toBe(0);
  expect(Math.abs((await voxelCount(page)) - clicked)).toBeLessThan(0.25 * clicked);
  await expect(page.getByTestId('segment-box-axial')).toHaveCount(0);
  expect(problems).toEqual([]);
});
