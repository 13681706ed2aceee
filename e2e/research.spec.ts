import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { type WebSocketConstructor, createWebSocketClient } from '../electron/api/client.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../test/small-study.js';
import { pixels } from './pixels.js';
import { openWorkstation, watchProblems } from './workstation.js';

// The research workflow in the browser: a small phantom cohort (56 patients, two centres) studied with
// a light radiomics set, cancelled during extraction, resumed, read back, recalibrated on a site cohort, locked and activated.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHIPPED_BUNDLE = path.join(ROOT, 'models', 'hilum-demo.bundle.json');
const dir = mkdtempSync(path.join(tmpdir(), 'hilum-e2e-research-'));
const manifest = path.join(dir, 'cohort', 'manifest.csv');
const protocol = path.join(dir, 'protocol.yaml');
const out = path.join(dir, 'study');
const siteManifest = path.join(dir, 'cohort', 'site-b.csv');

test.describe.configure({ timeout: 420_000 });

test.beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'bin', 'hilum.js'), 'phantom', '--out', path.join(dir, 'cohort'), ...SMALL_COHORT_ARGS], { stdio: 'ignore' });
  writeSmallStudyProtocol(dir, 'e2e-phantom-study', protocol);
  // The "site" of the recalibration: centre B's patients in a manifest of their own.
  const lines = readFileSync(manifest, 'utf8').trim().split('\n');
  const centre = lines[0].split(',').indexOf('centre');
  writeFileSync(siteManifest, [lines[0], ...lines.slice(1).filter((l) => l.split(',')[centre] === 'B')].join('\n') + '\n');
});

test.afterAll(async ({ baseURL }) => {
  // The other specs expect the demonstration bundle in use: make it the active one again.
  const host = new URL(baseURL ?? 'http://127.0.0.1').host;
  const client = await createWebSocketClient(`ws://${host}/api`, process.env.HILUM_SERVE_TOKEN!, { WebSocket: WebSocket as unknown as WebSocketConstructor });
  try {
    const entry = await client.call('bundles.import', { path: SHIPPED_BUNDLE });
    await client.call('bundles.activate', { contentSha256: entry.contentSha256 });
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('research: run a cohort study with progress, cancel and resume it, read the table and plots, lock and activate its bundle', async ({ page }, testInfo) => {
  const problems = watchProblems(page);
  await openWorkstation(page);
  await page.getByTestId('open-research').click();
  const research = page.getByTestId('research');
  await expect(research).toBeVisible();

  // A manifest that does not exist: refused with the engine's code, nothing starts.
  await page.getByTestId('study-manifest').fill(path.join(dir, 'absent.csv'));
  await page.getByTestId('study-out').fill(out);
  await page.getByTestId('study-protocol').fill(protocol);
  await page.getByTestId('study-start').click();
  await expect(page.getByTestId('study-problem')).toHaveAttribute('data-code', 'PATH_NOT_FOUND');

  // Start, watch the extraction progress, cancel part-way.
  await page.getByTestId('study-manifest').fill(manifest);
  await page.getByTestId('study-start').click();
  const status = page.getByTestId('study-status');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('study-cancel')).toBeVisible();
  await expect.poll(async () => Number(await status.getAttribute('data-done')), { timeout: 180_000 }).toBeGreaterThanOrEqual(4);
  await expect(status).toHaveAttribute('data-stage', 'extract');
  await expect(status).toHaveAttribute('data-total', '56');
  await expect(status).toContainText('of 56 patients');
  await page.screenshot({ path: testInfo.outputPath('research-progress.png') });
  await page.getByTestId('study-cancel').click();
  await expect(status).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('study-resume-hint')).toBeVisible();
  const doneAtCancel = Number(await status.getAttribute('data-done'));
  expect(doneAtCancel).toBeLessThan(56);

  // Start again on the same folder: the patients already extracted are reused.
  await page.getByTestId('study-start').click();
  await expect.poll(async () => Number((await status.getAttribute('data-cached')) || 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(doneAtCancel);
  await expect(status).toContainText('reused from the study folder');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 300_000 });

  // The paper's table: five signatures × three cohorts, each an AUC with its interval.
  const results = page.getByTestId('study-results');
  await expect(results).toBeVisible();
  await expect(page.getByTestId('study-synthetic')).toContainText('SYNTHETIC');
  const table = page.getByTestId('study-table');
  await expect(table.locator('tbody tr')).toHaveCount(5);
  await expect(table.locator('td[data-auc]')).toHaveCount(15);
  for (const text of await table.locator('td[data-auc] strong').allTextContents()) expect(text).toMatch(/^[01]\.\d{3} \([01]\.\d{3}–[01]\.\d{3}\)$/);
  const combinedValidation = Number(await table.locator('tr[data-signature="combined"] td[data-split="validation"]').getAttribute('data-auc'));
  expect(combinedValidation).toBeGreaterThan(0.5);

  // The plots render (an SVG image with content), and another one can be chosen.
  const plot = page.getByTestId('study-plot');
  await expect(plot).toHaveAttribute('data-plot', 'roc-validation.svg');
  await expect.poll(() => page.evaluate(`document.querySelector('[data-testid="study-plot"] img').naturalWidth`)).toBeGreaterThan(100);
  expect((await pixels(plot.locator('img'))).sd).toBeGreaterThan(10);
  await page.locator('[data-plot="calibration-external.svg"][role="tab"]').click();
  await expect(plot).toHaveAttribute('data-plot', 'calibration-external.svg');
  // Screenshots of the page as the user sees it (an element screenshot of a scrolled dialog comes out partly black).
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('research-table.png') });
  await plot.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('research-plot.png') });

  // Recalibrate on a site cohort (centre B's patients, features cached in the study folder): a new bundle naming its parent, registered, not in use.
  const sha = await results.getAttribute('data-sha');
  await expect(page.getByTestId('study-recalibrate')).toBeDisabled();
  await page.getByTestId('recalibrate-manifest').fill(siteManifest);
  await page.getByTestId('recalibrate-method').selectOption('intercept');
  await page.getByTestId('study-recalibrate').click();
  const recalibrated = page.getByTestId('study-recalibrated');
  await expect(recalibrated).toContainText(`parent ${sha!.slice(0, 12)}`, { timeout: 120_000 });
  await expect(recalibrated).toContainText('16 patients');
  expect(await recalibrated.getAttribute('data-sha')).not.toBe(sha);

  // Lock and activate: the sidebar shows the study's bundle in use.
  await page.getByTestId('study-lock').click();
  await expect(page.getByTestId('study-locked')).toContainText('e2e-phantom-study');
  await page.getByTestId('close-research').click();
  await expect(page.getByTestId('engine-status')).toContainText('e2e-phantom-study');
  await expect(page.getByTestId('engine-status')).toContainText(sha!.slice(0, 12));
  await expect(page.getByTestId('engine-bundle-source')).toHaveAttribute('data-source', 'store');
  expect(problems).toEqual([]);
});
