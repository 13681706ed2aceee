// Renderer benchmark: the built renderer's size (JavaScript and CSS, raw and gzip), and the time
// from pressing "Open demo case" to the three MPR views having rendered, in Debian's Chromium with
// software WebGL2 (SwiftShader) against the loopback host — the workstation as `hilum serve` runs it.
// The renderer is built first and the demo case generated (and cached) before timing; median of 3 page loads.
// Then the editing round trips on the demo case, timed inside the page from the pointer press (or
// release) to the first animation frame after the axial view has drawn the new mask (its
// `data-mask-version`): click-to-segment, a brush dab (one click), and a brush drag (release → the
// last batch of the stroke drawn). Results go to bench-results/renderer/.
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';
import { startHost } from '../../dist/electron/host/server.js';
import { ensureDemoCase } from '../../dist/electron/engine/phantom/demo-case.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 3;
/** Repetitions of each editing round trip. */
const EDIT_RUNS = Number(process.env.HILUM_BENCH_EDIT_RUNS ?? 8);

function bundleSizes(dir) {
  const assets = path.join(dir, 'assets');
  const files = readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
  const sum = (ext) => files.filter((f) => f.endsWith(ext)).reduce((s, f) => s + statSync(path.join(assets, f)).size, 0);
  const gz = (ext) => files.filter((f) => f.endsWith(ext)).reduce((s, f) => s + gzipSync(readFileSync(path.join(assets, f))).length, 0);
  const largest = files.filter((f) => f.endsWith('.js')).sort((a, b) => statSync(path.join(assets, b)).size - statSync(path.join(assets, a)).size);
  return { js: sum('.js'), jsGzip: gz('.js'), css: sum('.css'), chunks: largest.map((f) => [f, statSync(path.join(assets, f)).size]) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * In the page: notes the time of each pointer press and release, and of the animation frame after
 * every render of the axial view that drew a mask (its version and the time).
 */
function installProbes() {
  const view = document.querySelector('[data-testid="view-axial"]');
  const probe = { press: 0, release: 0, marks: [] };
  window.__rendererBench = probe;
  window.addEventListener('pointerdown', () => (probe.press = performance.now()), true);
  window.addEventListener('pointerup', () => (probe.release = performance.now()), true);
  new MutationObserver(() => {
    const version = Number(view.dataset.maskVersion);
    requestAnimationFrame(() => probe.marks.push({ version, t: performance.now() }));
  }).observe(view, { attributes: true, attributeFilter: ['data-mask-version'] });
}

/** Waits until no mask edit is in flight and three more frames have passed (the last render's mark is in). */
async function settle(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="viewer-area"]')?.dataset.editing === '0', null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}

/** The probe's notes, and the time the engine's last answer of the kind `answered` arrived (the page's performance mark). */
const probe = (page, answered) =>
  page.evaluate((name) => ({ ...window.__rendererBench, answered: performance.getEntriesByName(name).at(-1)?.startTime ?? NaN }), answered);
const clearMarks = (page) =>
  page.evaluate(() => {
    window.__rendererBench.marks = [];
    performance.clearMarks();
  });

/** The axial view's box and the crosshair's position in it (CSS px). */
async function crosshairIn(page) {
  const axial = page.getByTestId('view-axial');
  const box = await axial.boundingBox();
  const lines = axial.locator('line.crosshair');
  return {
    box,
    x: Number(await lines.nth(0).getAttribute('x1')),
    y: Number(await lines.nth(1).getAttribute('y1')),
    mmPerPx: Number(await axial.getAttribute('data-mm-per-px')),
  };
}

/** Click-to-segment, a brush dab and a brush drag on the demo case, EDIT_RUNS times each (seconds). */
async function timeEditing(page) {
  await page.getByTestId('segment-demo').click();
  await page.getByTestId('measurements').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="view-axial"]:not([data-mask-version="-1"])').waitFor({ timeout: 60_000 });
  await page.evaluate(installProbes);
  const at = await crosshairIn(page);
  const segment = [];
  const segmentEngine = [];
  for (let i = 0; i < EDIT_RUNS; i++) {
    await page.getByTestId('segment').click();
    await clearMarks(page);
    // A slightly different seed each time: a new mask every run.
    await page.mouse.click(at.box.x + at.x + (i % 3) - 1, at.box.y + at.y + ((i + 1) % 3) - 1);
    await page.waitForFunction(() => window.__rendererBench.marks.some((m) => m.version >= 0), null, { timeout: 60_000 });
    const p = await probe(page, 'hilum:segment-answered');
    segment.push((p.marks.find((m) => m.version >= 0).t - p.press) / 1000);
    segmentEngine.push((p.answered - p.press) / 1000);
    await settle(page);
  }
  // Brush: 3 mm, on the nodule's edge right of the crosshair; paint and erase take turns, so every run changes voxels.
  await page.getByTestId('brush-size').fill('3');
  const edge = (10 + 1) / at.mmPerPx;
  const dab = [];
  const dabEngine = [];
  const drag = [];
  const dragFirst = [];
  for (let i = 0; i < EDIT_RUNS; i++) {
    await page.getByTestId(i % 2 ? 'brush-erase' : 'brush-paint').click();
    await settle(page);
    await clearMarks(page);
    await page.mouse.click(at.box.x + at.x + edge, at.box.y + at.y);
    await settle(page);
    const p = await probe(page, 'hilum:edit-answered');
    if (!p.marks.length) throw new Error('a brush dab changed nothing on screen');
    dab.push((p.marks.at(-1).t - p.press) / 1000);
    dabEngine.push((p.answered - p.press) / 1000);
  }
  for (let i = 0; i < EDIT_RUNS; i++) {
    await page.getByTestId(i % 2 ? 'brush-erase' : 'brush-paint').click();
    await settle(page);
    await clearMarks(page);
    const x0 = at.box.x + at.x + edge;
    const y0 = at.box.y + at.y - 30;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x0 + 6, y0 + 60, { steps: 20 });
    await page.mouse.up();
    await settle(page);
    const p = await probe(page, 'hilum:edit-answered');
    if (!p.marks.length) throw new Error('a brush drag changed nothing on screen');
    dragFirst.push((p.marks[0].t - p.press) / 1000);
    drag.push((p.marks.at(-1).t - p.release) / 1000);
  }
  return { segment, segmentEngine, dab, dabEngine, drag, dragFirst };
}

const stats = (xs) => ({ median: median(xs), max: xs.reduce((m, x) => Math.max(m, x), 0), runs: xs });
const line = (label, xs, what) =>
  `  ${label.padEnd(21)}${median(xs).toFixed(2)} s median, ${xs.reduce((m, x) => Math.max(m, x), 0).toFixed(2)} s max (${xs.length} runs): ${what}`;

export async function runRendererBench() {
  const staticDir = path.join(root, 'dist', 'renderer');
  // Measure what the sources build to now.
  execSync('npm run --silent build:renderer', { cwd: root, stdio: 'ignore' });
  if (!existsSync(CHROMIUM_PATH)) return { text: `renderer — skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)` };
  const sizes = bundleSizes(staticDir);
  await ensureDemoCase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hilum-bench-renderer-'));
  const token = randomBytes(32).toString('hex');
  const host = await startHost({ dataDir, port: 0, staticDir, token });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const times = [];
  let editing = null;
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(host.url);
      await page.getByTestId('engine-status').waitFor({ state: 'attached' });
      const t0 = performance.now();
      await page.getByTestId('open-demo').click();
      for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
        await page.locator(`[data-testid="${id}"][data-rendered="1"]`).waitFor({ timeout: 120_000 });
      times.push((performance.now() - t0) / 1000);
      if (i === RUNS - 1) editing = await timeEditing(page);
      await page.close();
    }
  } finally {
    await browser.close();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const kb = (b) => `${(b / 1024).toFixed(0)} kB`;
  const text = [
    'renderer — the built workstation UI in Chromium (software WebGL2), served by the loopback host',
    `  machine              load average ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} cores`,
    `  bundle               JavaScript ${kb(sizes.js)} (${kb(sizes.jsGzip)} gzip), CSS ${kb(sizes.css)}; largest chunks ${sizes.chunks
      .slice(0, 3)
      .map(([f, b]) => `${f} ${kb(b)}`)
      .join(', ')}`,
    `  open case → MPR      ${median(times).toFixed(2)} s median (runs ${times.map((t) => t.toFixed(2)).join(', ')} s): demo case 512 × 512 × 100 opened, voxels over the WebSocket, three views rendered`,
    line('segment → overlay', editing.segment, 'click on the nodule in segment mode → the new mask drawn in the axial view (target ≤ 1.0 s)'),
    line('  of which engine', editing.segmentEngine, 'press → the `segment.click` answer arrived (the segmentation itself)'),
    line('brush dab → overlay', editing.dab, 'one 3 mm brush click (paint, erase in turn) → drawn (target ≤ 0.5 s)'),
    line('  of which engine', editing.dabEngine, 'press → the `mask.edit` answer arrived'),
    line('brush drag → overlay', editing.drag, 'release of a 60 px drag → the stroke’s last batch drawn (target ≤ 0.5 s)'),
    line('drag press → first', editing.dragFirst, 'press of that drag → its first batch drawn'),
  ].join('\n');
  const result = {
    date: new Date().toISOString(),
    openToMprSeconds: median(times),
    bundle: sizes,
    segmentToOverlaySeconds: stats(editing.segment),
    segmentEngineSeconds: stats(editing.segmentEngine),
    brushDabEngineSeconds: stats(editing.dabEngine),
    brushDabToOverlaySeconds: stats(editing.dab),
    brushDragReleaseToOverlaySeconds: stats(editing.drag),
    brushDragPressToFirstOverlaySeconds: stats(editing.dragFirst),
  };
  const out = path.join(root, 'bench-results', 'renderer');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(out, 'latest.txt'), text + '\n');
  return { text, ...result };
}
