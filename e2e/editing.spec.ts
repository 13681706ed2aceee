import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { nextFrames, pixels, renderCount } from './pixels.js';
import { openWorkstation, recordSentRequests, watchProblems } from './workstation.js';

/** The measurements as shown (whitespace collapsed) and the mask's voxel count. */
async function measured(page: Page) {
  const dl = page.getByTestId('measurements');
  // The seed is where a segmentation started, not a measurement (an imported mask has none).
  const text = (await dl.innerText()).replace(/\s+/g, ' ').replace(/ Seed .*$/, '');
  return { text, voxels: Number(await dl.getAttribute('data-voxel-count')) };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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

  // The same by keyboard while the viewer has focus: Ctrl+Z, then Ctrl+Shift+Z. The last click was on Redo,
  // which is now disabled and has dropped the focus; a user's press in the viewer gives it back (focusViewer).
  await page.getByTestId('viewer-area').focus();
  await expect(page.getByTestId('viewer-area')).toBeFocused();
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

/** Waits until no brush request is in flight and the voxel count has settled; returns it. */
async function settledCount(page: Page): Promise<number> {
  await expect(page.getByTestId('edit-progress')).toHaveCount(0, { timeout: 30_000 });
  await nextFrames(page);
  await expect(page.getByTestId('edit-progress')).toHaveCount(0, { timeout: 30_000 });
  return voxelCount(page);
}

/** A mouse drag in page coordinates, in small steps (each step a brush point or a ruler update). */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 8) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

test('paint from nothing on a new mask, one undo per brush stroke, and a ruler distance on the axial view', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  const axial = page.getByTestId('view-axial');
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  }

  // No mask yet: "New mask" gives an empty one that measures as zeros (diameters "—"), the brush on.
  await page.getByTestId('new-mask').click();
  await expect(page.getByTestId('measurements')).toHaveAttribute('data-voxel-count', '0', { timeout: 30_000 });
  await expect(page.getByTestId('empty-mask')).toBeVisible();
  await expect(page.getByTestId('measurements')).toContainText('—');
  await expect(page.getByTestId('case-error')).toHaveCount(0);
  await expect(page.getByTestId('brush-paint')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('new-mask')).toHaveCount(0);

  // First stroke: a drag of many brush points paints from nothing.
  await nextFrames(page);
  const box = (await axial.boundingBox())!;
  const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.getByTestId('brush-size').fill('3');
  await drag(page, { x: mid.x - 40, y: mid.y - 30 }, { x: mid.x + 20, y: mid.y - 30 });
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBeGreaterThan(0);
  const afterFirst = await settledCount(page);
  expect(afterFirst).toBeGreaterThan(0);
  await expect(page.getByTestId('empty-mask')).toHaveCount(0);
  await expect(page.getByTestId('measurements')).toContainText(/Longest diameter\s*[\d.]+ mm/);

  // Second stroke, elsewhere: ONE undo brings back exactly the count before it, a second one the empty mask.
  await drag(page, { x: mid.x - 40, y: mid.y + 40 }, { x: mid.x + 30, y: mid.y + 50 }, 10);
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBeGreaterThan(afterFirst);
  const afterSecond = await settledCount(page);
  await page.getByTestId('undo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(afterFirst);
  await page.getByTestId('undo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByTestId('undo')).toBeDisabled();
  await page.getByTestId('redo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(afterFirst);
  await page.getByTestId('redo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(afterSecond);
  await expect(page.getByTestId('redo')).toBeDisabled();

  // The ruler: a drag across a known pixel distance in the axial view; the length is the pixel
  // distance times the view's scale, within half a voxel.
  await page.getByTestId('tool-ruler').click();
  await expect(page.getByTestId('tool-ruler')).toHaveAttribute('aria-pressed', 'true');
  const mmPerPx = Number(await axial.getAttribute('data-mm-per-px'));
  const spacing = /, ([\d.]+) × ([\d.]+) × ([\d.]+) mm/.exec(await page.locator('.case-side').innerText());
  const halfVoxel = Math.min(Number(spacing?.[1]), Number(spacing?.[2])) / 2;
  expect(halfVoxel).toBeGreaterThan(0);
  const axialRenders = await renderCount(axial);
  const [dx, dy] = [120, 50];
  const start = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.3 };
  await drag(page, start, { x: start.x + dx, y: start.y + dy }, 6);
  await expect(page.getByTestId('ruler-item')).toHaveCount(1);
  const length = Number(await page.getByTestId('ruler-item').getAttribute('data-length-mm'));
  expect(Math.abs(length - Math.hypot(dx, dy) * mmPerPx)).toBeLessThan(halfVoxel);
  await expect(axial.locator('g.ruler')).toHaveCount(1);
  await expect(axial.locator('g.ruler text')).toHaveText(`${length.toFixed(1)} mm`);
  await expect(page.getByTestId('view-coronal').locator('g.ruler')).toHaveCount(0);
  // Drawing is an SVG overlay: the axial view's WebGL did not render for it.
  expect(await renderCount(axial)).toBe(axialRenders);
  await page.screenshot({ path: testInfo.outputPath('ruler-mpr.png') });
  await page.screenshot({ path: 'test-results/ruler-mpr.png' });

  // The line stays on its slice: another slice does not show it, coming back does.
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.8);
  await page.mouse.wheel(0, 100);
  await expect(axial.locator('g.ruler')).toHaveCount(0);
  await page.mouse.wheel(0, -100);
  await expect(axial.locator('g.ruler')).toHaveCount(1);

  // A two-click line follows the mouse; Escape drops it.
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.7);
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.75);
  await expect(axial.locator('g.ruler.draft')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(axial.locator('g.ruler.draft')).toHaveCount(0);
  await expect(page.getByTestId('ruler-item')).toHaveCount(1);

  // The length goes to the form's tumour diameter as an entered value.
  await page.getByTestId('ruler-to-diameter').click();
  await expect(page.getByTestId('field-diameter_mm')).toHaveValue(length.toFixed(1));
  await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'entered');
  await expect(page.getByTestId('ruler-sent')).toBeVisible();
  // The same line as the solid component: CTR = solid ÷ tumour diameter (here the same length → 1.00), entered.
  await page.getByTestId('ruler-to-solid').click();
  await expect(page.getByTestId('field-ctr')).toHaveValue('1.00');
  await expect(page.getByTestId('source-ctr')).toHaveAttribute('data-source', 'entered');
  await expect(page.getByTestId('ruler-sent')).toContainText('CTR computed');

  // Select the line by a click on it, then Delete removes it.
  await page.mouse.click(start.x + dx / 2, start.y + dy / 2);
  await expect(axial.locator('g.ruler.selected')).toHaveCount(1);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('ruler-item')).toHaveCount(0);
  await expect(axial.locator('g.ruler')).toHaveCount(0);

  expect(problems).toEqual([]);
});

test('a fast brush drag on a new mask paints one continuous stripe; an edit reads back only the changed box, never the whole mask', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  // The API requests as the page sends them over its WebSocket (the honest count of downloads).
  const sent = recordSentRequests(page);
  const count = (method: string) => sent.filter((m) => m.method === method).length;
  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  const axial = page.getByTestId('view-axial');
  const coronal = page.getByTestId('view-coronal');
  for (const id of ['view-axial', 'view-coronal', 'view-sagittal']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  }
  await page.getByTestId('new-mask').click();
  await expect(page.getByTestId('measurements')).toHaveAttribute('data-voxel-count', '0', { timeout: 30_000 });
  await page.getByTestId('brush-size').fill('3');
  await nextFrames(page);

  // A horizontal drag of 100 px in 5 steps (20 px apart, far more than the 6 mm brush), above the
  // crosshair and beside it (on the side with room: the case opens at its nodule), so it crosses
  // neither the coronal nor the sagittal slice.
  const box = (await axial.boundingBox())!;
  const lines = axial.locator('line.crosshair');
  const cx = Number(await lines.nth(0).getAttribute('x1'));
  const cy = Number(await lines.nth(1).getAttribute('y1'));
  const mmPerPx = Number(await axial.getAttribute('data-mm-per-px'));
  const radiusPx = 3 / mmPerPx;
  const leftOfCrosshair = cx > box.width / 2;
  const x1 = leftOfCrosshair ? Math.round(cx - 2 * radiusPx - 8) : Math.round(cx + 2 * radiusPx + 108);
  const x0 = x1 - 100;
  const y = Math.round(cy - 4 * radiusPx - 10);
  expect(x0).toBeGreaterThan(radiusPx);
  expect(x1).toBeLessThan(box.width - radiusPx);
  expect(y).toBeGreaterThan(radiusPx);
  const fullDownloads = count('segment.mask');
  const coronalRenders = await renderCount(coronal);
  await drag(page, { x: box.x + x0, y: box.y + y }, { x: box.x + x1, y: box.y + y }, 5);
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBeGreaterThan(0);
  const painted = await settledCount(page);
  // Off the view: no brush outline in the screenshot.
  await page.mouse.move(1, 1);
  await expect(axial.locator('.brush-outline')).toHaveCount(0);
  await nextFrames(page);

  // Every pointer position went to the engine (press + 5 moves at least), as paths.
  const edits = sent.filter((m) => m.method === 'mask.edit');
  const points = new Set(edits.flatMap((m) => ((m.params.pathLps as number[][] | undefined) ?? []).map((p) => p.join(','))));
  expect(points.size).toBeGreaterThanOrEqual(6);
  expect(edits.every((m) => m.params.centreLps === undefined)).toBe(true);
  expect(new Set(edits.map((m) => m.params.stroke)).size).toBe(1);
  // After the edits no whole mask was downloaded: only the changed boxes.
  expect(count('segment.mask')).toBe(fullDownloads);
  expect(count('segment.maskRegion')).toBeGreaterThan(0);
  expect(count('segment.maskRegion')).toBeLessThanOrEqual(edits.length);

  // The voxel count is a stripe's, not a few dots': at least 80 % of the swept disc's area.
  const spacing = /, ([\d.]+) × ([\d.]+) × ([\d.]+) mm/.exec(await page.locator('.case-side').innerText());
  const voxelArea = Number(spacing?.[1]) * Number(spacing?.[2]);
  expect(voxelArea).toBeGreaterThan(0);
  const stripeArea = 100 * mmPerPx * 6 + Math.PI * 9;
  expect(painted).toBeGreaterThan((0.8 * stripeArea) / voxelArea);

  // In the axial view's pixels: every column along the drag shows the mask's orange (its outline)
  // within the brush's reach of the line; the longest run of columns without it is the gap.
  const shot = await pixels(axial);
  const { png } = shot;
  const scale = png.width / box.width;
  const isOrange = (px: number, py: number) => {
    const p = 4 * (py * png.width + px);
    const [r, g, b] = [png.data[p], png.data[p + 1], png.data[p + 2]];
    return r > 150 && r - b > 100 && r - g > 40;
  };
  let gap = 0;
  let longestGap = 0;
  for (let x = x0; x <= x1; x++) {
    let hit = false;
    for (let dy = -Math.ceil(radiusPx) - 2; dy <= Math.ceil(radiusPx) + 2 && !hit; dy++) hit = isOrange(Math.round(x * scale), Math.round((y + dy) * scale));
    gap = hit ? 0 : gap + 1;
    longestGap = Math.max(longestGap, gap);
  }
  console.log(
    `fast drag: ${painted} voxels, ${edits.length} mask.edit requests, ${points.size} points, longest gap ${longestGap} px (brush Ø ${(2 * radiusPx).toFixed(1)} px)`,
  );
  expect(longestGap).toBeLessThan(2 * radiusPx);
  expect(longestGap).toBe(0);
  // The coronal view's slice is not crossed by the stroke: it did not render again.
  expect(await renderCount(coronal)).toBe(coronalRenders);
  await axial.screenshot({ path: testInfo.outputPath('brush-stroke-axial.png') });
  await page.screenshot({ path: testInfo.outputPath('brush-stroke.png') });
  await page.screenshot({ path: 'test-results/brush-stroke.png' });
  await axial.screenshot({ path: 'test-results/brush-stroke-axial.png' });

  // The whole fast drag is ONE undo step, read back as a box too.
  await page.getByTestId('undo').click();
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBe(0);
  await settledCount(page);
  expect(count('segment.mask')).toBe(fullDownloads);
  await nextFrames(page);
  expect((await pixels(axial)).orange).toBeLessThan(shot.orange);

  expect(problems).toEqual([]);
});

test('a folder with two series: the chosen series travels with the prediction', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchProblems(page);
  // The API requests as the page sends them over its WebSocket.
  const sent = recordSentRequests(page);
  await openWorkstation(page);
  await page.getByTestId('open-demo').click();
  await expect(page.getByTestId('view-axial')).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  const seriesDir = (await page.getByTestId('case-path').innerText()).trim();

  // Two series of one study in one folder, written by the engine's own DICOM writer from the demo CT.
  const out = testInfo.outputPath('two-series');
  const dist = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'electron', 'engine', 'imaging', file)).href);
  const script = [
    `import { loadVolume } from ${dist('load.js')};`,
    `import { writeCtSeries } from ${dist('dicom/write-series.js')};`,
    `import { newUid } from ${dist('dicom/uid.js')};`,
    'const [src, out] = process.argv.slice(2);',
    'const { volume } = await loadVolume(src);',
    'const study = newUid();',
    "await writeCtSeries(volume, out + '/a', { studyInstanceUid: study, seriesDescription: 'Lung 1.0', seriesNumber: 2 });",
    "await writeCtSeries(volume, out + '/b', { studyInstanceUid: study, seriesDescription: 'Soft tissue', seriesNumber: 3 });",
    'process.exit(0);',
  ].join('\n');
  // A script file, not --eval: the engine's DICOM workers inherit the process's options.
  const scriptFile = testInfo.outputPath('write-two-series.mjs');
  writeFileSync(scriptFile, script);
  execFileSync(process.execPath, [scriptFile, seriesDir, out], { stdio: 'inherit', timeout: 120_000 });

  await page.getByTestId('import-path').fill(out);
  await page.getByTestId('import-scan').click();
  await expect(page.getByTestId('series-choice')).toHaveCount(2, { timeout: 60_000 });
  await page.getByTestId('series-choice').nth(1).click();
  await expect(page.getByTestId('case-path')).toContainText(`${out} (`, { timeout: 60_000 });
  await expect(page.getByTestId('view-axial')).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
  const opened = sent.filter((m) => m.method === 'images.open').at(-1)!;
  expect(opened.params.series).toEqual(expect.any(String));

  // Paint a mask from nothing, then Predict: the request names the chosen series and the mask.
  await page.getByTestId('new-mask').click();
  await expect(page.getByTestId('measurements')).toHaveAttribute('data-voxel-count', '0', { timeout: 30_000 });
  const box = (await page.getByTestId('view-axial').boundingBox())!;
  await page.getByTestId('brush-size').fill('4');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect.poll(() => voxelCount(page), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('predict')).toBeEnabled();
  await page.getByTestId('predict').click();
  await expect.poll(() => sent.filter((m) => m.method === 'predict.run').length, { timeout: 30_000 }).toBe(1);
  const predict = sent.find((m) => m.method === 'predict.run')!;
  expect(predict.params).toMatchObject({ image: out, series: opened.params.series, maskId: expect.any(String) });
  expect(predict.params).not.toHaveProperty('seedLps');

  expect(problems).toEqual([]);
});
