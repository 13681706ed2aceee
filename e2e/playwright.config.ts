import { randomBytes } from 'node:crypto';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

// A port per test run (made in the runner, inherited by its workers), so that runs started at the
// same time on one machine do not collide; HILUM_E2E_PORT chooses one.
process.env.HILUM_E2E_PORT ??= String(4200 + (process.pid % 700));
const PORT = Number(process.env.HILUM_E2E_PORT);
// One access token per test run, made in the runner and inherited by its workers and the host.
process.env.HILUM_SERVE_TOKEN ??= randomBytes(32).toString('hex');

export default defineConfig({
  testDir: '.',
  // renderer: the built UI in Debian's Chromium against `hilum serve`; electron: the desktop app
  // through Playwright's Electron driver, skipped (with its reason) where no Electron binary exists.
  projects: [
    { name: 'renderer', testMatch: '**/*.spec.ts', testIgnore: '**/electron.spec.ts' },
    { name: 'electron', testMatch: '**/electron.spec.ts' },
  ],
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: '../test-results/e2e-artifacts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
  },
  // The built renderer served with the API by the loopback host, as `hilum serve` runs it for a user.
  webServer: {
    // A fresh data folder per run (and per port, so runs started together never share one): drafts,
    // cases and bundles of an earlier run must not leak in.
    command: `node -e "require('fs').rmSync('test-results/e2e-data-${PORT}',{recursive:true,force:true})" && node bin/hilum.js serve --port ${PORT} --data test-results/e2e-data-${PORT}`,
    cwd: '..',
    env: { HILUM_SERVE_TOKEN: process.env.HILUM_SERVE_TOKEN },
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
