// Renderer benchmark: the built renderer's size (JavaScript and CSS, raw and gzip), and the time
// from pressing "Open demo case" to the three MPR views having rendered, in Debian's Chromium with
// software WebGL2 (SwiftShader) against the loopback host — the workstation as `hilum serve` runs it.
// The renderer is built first and the demo case generated (and cached) before timing; median of 3 page loads.
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(host.url);
      await page.getByTestId('engine-status').waitFor();
      const t0 = performance.now();
      await page.getByTestId('open-demo').click();
      for (const id of ['view-axial', 'view-coronal', 'view-sagittal'])
        await page.locator(`[data-testid="${id}"][data-rendered="1"]`).waitFor({ timeout: 120_000 });
      times.push((performance.now() - t0) / 1000);
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
    `  bundle               JavaScript ${kb(sizes.js)} (${kb(sizes.jsGzip)} gzip), CSS ${kb(sizes.css)}; largest chunks ${sizes.chunks
      .slice(0, 3)
      .map(([f, b]) => `${f} ${kb(b)}`)
      .join(', ')}`,
    `  open case → MPR      ${median(times).toFixed(2)} s median (runs ${times.map((t) => t.toFixed(2)).join(', ')} s): demo case 512 × 512 × 100 opened, voxels over the WebSocket, three views rendered`,
  ].join('\n');
  return { text, openToMprSeconds: median(times), bundle: sizes };
}
