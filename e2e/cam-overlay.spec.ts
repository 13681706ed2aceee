import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { nextFrames } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How many pixels of two same-sized screenshots differ clearly (any channel by more than 30). */
function changedPixels(a: PNG, b: PNG): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let p = 0; p < a.data.length; p += 4)
    if (Math.abs(a.data[p] - b.data[p]) > 30 || Math.abs(a.data[p + 1] - b.data[p + 1]) > 30 || Math.abs(a.data[p + 2] - b.data[p + 2]) > 30) n++;
  return n;
}

test('class-activation maps: overlay on the bag’s slices with its scale and meaning, toggleable; contributions listed largest first', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  const out = path.join(ROOT, 'test-results', 'cam-overlay');
  mkdirSync(out, { recursive: true });
  const shot = async (name: string) => {
    await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
    await page.screenshot({ path: path.join(out, `${name}.png`) });
  };

  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('view-axial')).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  await page.getByTestId('segment-demo').click();
  await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('fill-demo').click();
  await expect(page.getByTestId('predict')).toBeEnabled();
  await expect(page.getByTestId('toggle-cam')).toHaveCount(0);
  await page.getByTestId('predict').click();
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 120_000 });

  // The overlay is on, on the bag's central slice, with its colour scale, meaning and the synthetic notice.
  await expect(page.getByTestId('toggle-cam')).toBeChecked();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');
  await expect(page.getByTestId('cam-coronal')).toHaveAttribute('data-cam-offset', '');
  const legend = page.getByTestId('cam-legend');
  await expect(legend).toContainText('log-odds per feature cell');
  await expect(legend).toContainText(/lowers −\d+\.\d\d/);
  await expect(page.getByTestId('cam-notice')).toContainText('SYNTHETIC');
  await expect(page.getByTestId('cam-here')).toContainText('bag offset 0 mm');
  // Bring the nodule (at the crosshair) to the middle of the axial view (Shift+drag pans) and zoom in (Ctrl+wheel).
  const axial = page.getByTestId('view-axial');
  await axial.scrollIntoViewIfNeeded();
  const box = (await axial.boundingBox())!;
  const lines = axial.locator('line.crosshair');
  const cx = Number(await lines.nth(0).getAttribute('x1'));
  const cy = Number(await lines.nth(1).getAttribute('y1'));
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + cx, box.y + cy);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -1100);
  await page.keyboard.up('Control');
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');
  await nextFrames(page);
  const on = PNG.sync.read(await axial.screenshot({ path: path.join(out, 'cam-axial-view-on.png') }));
  await shot('cam-overlay-on');

  // Off: the same slice without colour.
  await page.getByTestId('toggle-cam').uncheck();
  await expect(page.getByTestId('cam-legend')).toBeHidden();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '');
  await nextFrames(page);
  const off = PNG.sync.read(await axial.screenshot({ path: path.join(out, 'cam-axial-view-off.png') }));
  const changed = changedPixels(on, off);
  testInfo.annotations.push({ type: 'cam pixels', description: `${changed} of ${on.width * on.height} axial-view pixels change when the overlay is toggled` });
  expect(changed).toBeGreaterThan(1000);
  await page.getByTestId('toggle-cam').check();
  await expect(page.getByTestId('cam-axial')).toHaveAttribute('data-cam-offset', '0');

  // Contributions: both logistic models, largest |log-odds| first, with units.
  const combined = page.getByTestId('contributions-combined');
  await combined.scrollIntoViewIfNeeded();
  await expect(combined.getByTestId('contribution-row')).toHaveCount(6);
  const sizes = (await combined.getByTestId('contribution-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-log-odds'))))).map(Math.abs);
  expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  await expect(combined).toContainText('ng/mL');
  await expect(page.getByTestId('contributions-clinical')).toBeVisible();
  await shot('contributions');
  expect(problems).toEqual([]);
});
