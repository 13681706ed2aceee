import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { type ApiClient, type WebSocketConstructor, createWebSocketClient } from '../electron/api/client.js';
import { startOrthanc } from '../test/orthanc.js';
import { openWorkstation, watchProblems } from './workstation.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A client of the same `hilum serve` the page uses (for setup only). */
async function engine(baseURL: string | undefined): Promise<ApiClient> {
  const host = new URL(baseURL ?? 'http://127.0.0.1').host;
  return createWebSocketClient(`ws://${host}/api`, process.env.HILUM_SERVE_TOKEN!, { WebSocket: WebSocket as unknown as WebSocketConstructor });
}

test('PACS: find the patient on Orthanc, retrieve, segment, predict, send — Orthanc holds the SEG, the PDF and the SR in the study', async ({
  page,
  baseURL,
}, testInfo) => {
  test.setTimeout(420_000);
  const started = await startOrthanc();
  test.skip(!started.orthanc, `no Orthanc: ${started.reason}`);
  const orthanc = started.orthanc!;
  const problems = watchProblems(page);
  const client = await engine(baseURL);
  const demo = await client.call('demo.case', {});
  // The demo form's draft is put back afterwards: the specs after this one expect it as it was.
  const demoDraftKey = `clinical-form:${demo.seriesDir}`;
  const demoDraftBefore = (await client.call('drafts.get', { key: demoDraftKey })).draft;
  try {
    // The PACS holds the demo patient's CT (as a scanner would have sent it).
    await orthanc.upload(readdirSync(demo.seriesDir).map((f) => path.join(demo.seriesDir, f)));
    const [patient] = await orthanc.rest<{ MainDicomTags: { PatientID: string } }[]>('/patients?expand');
    const [series] = await orthanc.rest<{ MainDicomTags: { SeriesInstanceUID: string } }[]>('/series?expand');
    const retrievedFolder = path.join(ROOT, 'test-results', `e2e-data-${process.env.HILUM_E2E_PORT}`, 'pacs', series.MainDicomTags.SeriesInstanceUID);

    // The clinical values a user would type for this patient: the demo's, as the form keeps them, under the retrieved folder.
    await openWorkstation(page);
    await page.getByTestId('open-demo').click();
    await expect(page.getByTestId('fill-demo')).toBeEnabled({ timeout: 120_000 });
    await page.getByTestId('fill-demo').click();
    await expect(page.getByTestId('draft-status')).toHaveAttribute('data-dirty', 'false', { timeout: 30_000 });
    const { draft } = await client.call('drafts.get', { key: demoDraftKey });
    const { predictionId: _ignored, ...values } = (draft ?? {}) as Record<string, unknown>;
    await client.call('drafts.save', { key: `clinical-form:${retrievedFolder}`, draft: values });

    // The PACS node, and "Test connection".
    const pacs = page.getByTestId('pacs');
    if (!(await page.getByTestId('pacs-aet').isVisible())) await pacs.locator('summary').click();
    await page.getByTestId('pacs-aet').fill(orthanc.node.aeTitle);
    await page.getByTestId('pacs-host').fill(orthanc.node.host);
    await page.getByTestId('pacs-port').fill(String(orthanc.node.port));
    await page.getByTestId('pacs-calling-aet').fill(orthanc.node.callingAeTitle);
    await page.getByTestId('pacs-test').click();
    await expect(page.getByTestId('pacs-echo-ok')).toContainText('Connected');

    // Find the patient, retrieve the CT: it opens in the viewer from the engine's PACS folder.
    await page.getByTestId('pacs-patient-id').fill(patient.MainDicomTags.PatientID);
    await page.getByTestId('pacs-find').click();
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
    await expect(page.getByTestId('pacs-study')).toContainText(patient.MainDicomTags.PatientID);
    await page.screenshot({ path: testInfo.outputPath('pacs-found.png') });
    await page.getByTestId('pacs-retrieve').click();
    await expect(page.getByTestId('case-path')).toHaveText(retrievedFolder, { timeout: 120_000 });
    for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
      await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
    await expect(page.getByTestId('case-error')).toHaveCount(0);

    // Segment: the nodule's mask placed on the retrieved CT (geometry checked), then predict.
    await page.getByTestId('mask-path').fill(demo.maskPath);
    await page.getByTestId('mask-import').click();
    await expect(page.getByTestId('mask-result')).toContainText('Imported', { timeout: 60_000 });
    await expect(page.getByTestId('measurements')).toBeVisible();
    await expect(page.getByTestId('field-pseudonym')).toHaveValue('DEMO0001');
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
    await client.call('drafts.save', { key: demoDraftKey, draft: demoDraftBefore ?? {} });
    client.close();
    await orthanc.stop();
  }
});
