import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { holdingRelay, startOrthanc } from '../test/orthanc.js';
import { pixels } from './pixels.js';
import { engine, openWorkstation, watchProblems } from './workstation.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Vec3 = [number, number, number];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * What a user types or picks in the form for one of the demo's clinical values: the number or the
 * level as written, and for a yes/no field its positive or negative choice (a binary value that is
 * not the positive one is the negative one).
 */
function formValue(v: { kind: string; positive?: string }, raw: unknown): string {
  const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  if (v.kind !== 'binary') return String(value);
  const text = String(value).trim().toLowerCase();
  return text === v.positive || ['1', 'yes', 'y', 'true', 'present'].includes(text) ? 'pos' : 'neg';
}

/** The LPS point under the mouse, as the readout in the view under it names it (its data-lps). */
async function readoutLps(page: Page): Promise<Vec3> {
  const lps = (await page.getByTestId('hu-readout').getAttribute('data-lps'))?.split(',').map(Number) ?? [];
  expect(lps).toHaveLength(3);
  return lps as Vec3;
}

/** Moves the mouse to a page point and reads the LPS point under it once the readout has followed. */
async function probe(page: Page, x: number, y: number): Promise<Vec3> {
  const readout = page.getByTestId('hu-readout');
  const before = (await readout.count()) ? await readout.getAttribute('data-lps') : null;
  await page.mouse.move(x, y);
  await expect(readout).not.toHaveAttribute('data-lps', before ?? '');
  return readoutLps(page);
}

/**
 * Where an LPS point lies in a view, as an offset from the view's corner (CSS px): the view's own
 * screen-to-patient mapping, read from the readout at three points (whatever the image's
 * orientation), and the point projected onto the view's plane.
 */
async function offsetIn(page: Page, view: Locator, target: Vec3): Promise<{ x: number; y: number }> {
  const box = (await view.boundingBox())!;
  const [x0, y0, d] = [box.width * 0.4, box.height * 0.4, 60];
  const a = await probe(page, box.x + x0, box.y + y0);
  const e1 = sub(await probe(page, box.x + x0 + d, box.y + y0), a);
  const e2 = sub(await probe(page, box.x + x0, box.y + y0 + d), a);
  const r = sub(target, a);
  const [g11, g12, g22] = [dot(e1, e1), dot(e1, e2), dot(e2, e2)];
  const det = g11 * g22 - g12 * g12;
  const u = (dot(r, e1) * g22 - dot(r, e2) * g12) / det;
  const v = (dot(r, e2) * g11 - dot(r, e1) * g12) / det;
  return { x: x0 + u * d, y: y0 + v * d };
}

test('PACS: find the patient on Orthanc, retrieve (progress, cancel), segment by a click, predict, send — Orthanc holds the SEG, the PDF and the SR in the study', async ({
  page,
  baseURL,
}, testInfo) => {
  test.setTimeout(420_000);
  const started = await startOrthanc();
  test.skip(!started.orthanc, `no Orthanc: ${started.reason}`);
  const orthanc = started.orthanc!;
  // The workstation reaches Orthanc through a relay that can stall a transfer part-way (to cancel it).
  const relay = await holdingRelay(orthanc.node);
  const problems = watchProblems(page);
  const client = await engine(baseURL);
  try {
    // The PACS holds the demo patient's CT (as a scanner would have sent it).
    const demo = await client.call('demo.case', {});
    const slices = readdirSync(demo.seriesDir);
    await orthanc.upload(slices.map((f) => path.join(demo.seriesDir, f)));
    const [patient] = await orthanc.rest<{ MainDicomTags: { PatientID: string } }[]>('/patients?expand');
    const [series] = await orthanc.rest<{ MainDicomTags: { SeriesInstanceUID: string } }[]>('/series?expand');
    const pacsDir = path.join(ROOT, 'test-results', `e2e-data-${process.env.HILUM_E2E_PORT}`, 'pacs');
    const retrievedFolder = path.join(pacsDir, series.MainDicomTags.SeriesInstanceUID);
    const pacsFolders = () => {
      try {
        return readdirSync(pacsDir);
      } catch {
        return [];
      }
    };

    // The PACS node, and "Test connection".
    await openWorkstation(page);
    const pacs = page.getByTestId('pacs');
    if (!(await page.getByTestId('pacs-aet').isVisible())) await pacs.locator('summary').click();
    await page.getByTestId('pacs-aet').fill(relay.node.aeTitle);
    await page.getByTestId('pacs-host').fill(relay.node.host);
    await page.getByTestId('pacs-port').fill(String(relay.node.port));
    await page.getByTestId('pacs-calling-aet').fill(relay.node.callingAeTitle);
    await page.getByTestId('pacs-test').click();
    await expect(page.getByTestId('pacs-echo-ok')).toContainText('Connected');

    // Find the patient.
    await page.getByTestId('pacs-patient-id').fill(patient.MainDicomTags.PatientID);
    await page.getByTestId('pacs-find').click();
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
    await expect(page.getByTestId('pacs-study')).toContainText(patient.MainDicomTags.PatientID);
    await page.screenshot({ path: testInfo.outputPath('pacs-found.png') });

    // Retrieve, with the PACS stalling after about three slices: the progress bar shows the images
    // received of those announced; Cancel stops it and nothing of the series is kept.
    relay.hold(3 * statSync(path.join(demo.seriesDir, slices[0])).size);
    await page.getByTestId('pacs-retrieve').click();
    const progress = page.getByTestId('pacs-progress');
    await expect(progress).toHaveAttribute('data-expected', String(slices.length), { timeout: 60_000 });
    await expect(progress).toHaveAttribute('data-received', /^[1-9]\d*$/, { timeout: 60_000 });
    const received = Number(await progress.getAttribute('data-received'));
    expect(received).toBeLessThan(slices.length);
    await expect(page.getByTestId('pacs-progress-text')).toHaveText(`${received} of ${slices.length} images received`);
    await expect(page.getByTestId('pacs-progress-bar')).toHaveAttribute('max', String(slices.length));
    await progress.screenshot({ path: testInfo.outputPath('pacs-progress.png') });
    await page.getByTestId('pacs-cancel').click();
    await expect(page.getByTestId('pacs-cancelled')).toContainText('nothing was kept', { timeout: 30_000 });
    await expect(progress).toHaveCount(0);
    await expect(page.getByTestId('pacs-problem')).toHaveCount(0);
    await expect(page.getByTestId('case-path')).toHaveCount(0);
    expect(pacsFolders()).toEqual([]);

    // Retrieve again, the PACS answering freely: the CT opens in the viewer from the engine's PACS folder.
    relay.release();
    await page.getByTestId('pacs-retrieve').click();
    await expect(page.getByTestId('case-path')).toHaveText(retrievedFolder, { timeout: 120_000 });
    await expect(page.getByTestId('pacs-cancelled')).toHaveCount(0);
    expect(pacsFolders()).toEqual([series.MainDicomTags.SeriesInstanceUID]);
    const axial = page.getByTestId('view-axial');
    for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
      await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
    await expect(page.getByTestId('case-error')).toHaveCount(0);
    // Not the demo folder: the viewer knows no nodule position here.
    await expect(page.getByTestId('segment-demo')).toBeDisabled();

    // Segment as a surgeon does: bring the axial slice to the nodule (a click on it in the coronal
    // view), then click the nodule in the axial view in segment mode. The nodule is where the
    // demo's metadata puts it: same image, same patient coordinates.
    const nodule = demo.noduleCentreLps as Vec3;
    const coronal = page.getByTestId('view-coronal');
    const onCoronal = await offsetIn(page, coronal, nodule);
    const coronalBox = (await coronal.boundingBox())!;
    await page.mouse.click(coronalBox.x + onCoronal.x, coronalBox.y + onCoronal.y);
    await page.mouse.move(2, 2);
    // The axial view's slice position (head–foot, mm) is now the nodule's.
    const axialPosition = async () => Number(await page.getByTestId('slice-position-axial').getAttribute('data-position-mm'));
    await expect.poll(async () => Math.abs((await axialPosition()) - nodule[2]), { timeout: 30_000 }).toBeLessThan(3);
    const onAxial = await offsetIn(page, axial, nodule);
    await page.mouse.move(2, 2);
    await page.getByTestId('segment').click();
    const axialBox = (await axial.boundingBox())!;
    await page.mouse.click(axialBox.x + onAxial.x, axialBox.y + onAxial.y);
    await expect(page.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('measurements')).toHaveAttribute('data-voxel-count', /^[1-9]\d*$/);
    const seed = (await page.getByTestId('segment-seed').innerText())
      .split(/,\s*|\s+mm/)
      .slice(0, 3)
      .map(Number) as Vec3;
    const offset = sub(seed, nodule);
    expect(Math.hypot(offset[0], offset[1])).toBeLessThan(3);
    expect(Math.abs(offset[2])).toBeLessThan(3);
    await expect.poll(async () => (await pixels(axial)).orange, { timeout: 30_000 }).toBeGreaterThan(30);
    // The same nodule as the demo's: its longest diameter as the engine measures it on the demo CT at the demo's centre.
    const measured = (await page.getByTestId('measurements').innerText()).replace(/\s+/g, ' ');
    const diameter = Number(/Longest diameter ([\d.]+) mm/.exec(measured)?.[1]);
    const opened = await client.call('images.open', { path: demo.seriesDir });
    const reference = await client.call('segment.click', { volumeId: opened.volumeId, seedLps: demo.noduleCentreLps });
    expect(Math.abs(diameter - reference.measurements.longestAxialDiameterMm)).toBeLessThan(3);
    await page.screenshot({ path: testInfo.outputPath('pacs-segmented.png') });

    // The clinical values typed into the form (the demo patient's), then predict.
    await expect(page.getByTestId('source-diameter_mm')).toHaveAttribute('data-source', 'measured');
    const schema = await client.call('bundles.schema', {});
    await page.getByTestId('field-pseudonym').fill(demo.clinical.patient?.pseudonym ?? 'DEMO0001');
    for (const v of schema.variables) {
      const raw = demo.clinical.values[v.column];
      if (v.measured || raw === undefined) continue;
      const field = page.getByTestId(`field-${v.column}`);
      if (v.kind === 'numeric') await field.fill(formValue(v, raw));
      else await field.selectOption(formValue(v, raw));
    }
    await page.getByTestId('check').click();
    await expect(page.getByTestId('check-ok')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('predict')).toBeEnabled();
    await page.getByTestId('predict').click();
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 180_000 });
    await expect(page.getByTestId('result-probability')).toHaveText(/^\d{1,3}\.\d %$/);

    // Send the PDF, the SEG and the SR back; Orthanc then holds them in the CT's study.
    await page.getByTestId('pacs-send').click();
    await expect(page.getByTestId('pacs-sent')).toHaveCount(3, { timeout: 60_000 });
    for (const row of await page.getByTestId('pacs-sent').all()) await expect(row).toHaveAttribute('data-stored', '1');
    await page.screenshot({ path: testInfo.outputPath('pacs-sent.png') });
    const [study] = await orthanc.rest<string[]>('/studies');
    const studySeries = await orthanc.rest<{ MainDicomTags: { Modality: string } }[]>(`/studies/${study}/series?expand`);
    expect(studySeries.map((s) => s.MainDicomTags.Modality).sort()).toEqual(['CT', 'DOC', 'SEG', 'SR']);
    expect(await orthanc.rest<string[]>('/studies')).toHaveLength(1);
    expect(problems).toEqual([]);
  } finally {
    client.close();
    await relay.close();
    await orthanc.stop();
  }
});
