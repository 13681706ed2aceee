import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../scripts/electron-binary.mjs';

const binary = electronBinary();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test.skip(
  !binary,
  'No Electron binary is installed on this machine (it cannot be downloaded here); the renderer project runs the same UI against `hilum serve` instead.',
);

test('the desktop window opens the workstation securely and reaches the engine over IPC', async () => {
  const app = await electron.launch({ executablePath: binary!, args: [path.join(root, 'dist', 'electron', 'app', 'main.js')], cwd: root });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('synthetic-banner')).toContainText('synthetic data');
    await expect(window.getByTestId('engine-status')).toContainText('hilum-demo');
    // The page has no Node (`require`, `process` do not exist in it) and sees only the frozen bridge.
    expect(await window.evaluate('typeof require + "," + typeof process')).toBe('undefined,undefined');
    expect(await window.evaluate('Object.isFrozen(window.hilum) && typeof window.hilum.call')).toBe('function');
    // A malformed request over IPC is refused by the main process's validation.
    expect(await window.evaluate('window.hilum.call("cases.list", { search: 42 }).then(() => "ran", (e) => e.code)')).toBe('API_INVALID_REQUEST');
    const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].getTitle());
    expect(title).toBe('Hilum');
  } finally {
    await app.close();
  }
});

test('the desktop main flow: demo case → segmentation → prediction, over IPC on the engine thread', async () => {
  test.setTimeout(300_000);
  // Its own profile (store, reports, drafts), so the run neither sees nor changes the user's.
  const userData = mkdtempSync(path.join(tmpdir(), 'hilum-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [path.join(root, 'dist', 'electron', 'app', 'main.js'), `--user-data-dir=${userData}`],
    cwd: root,
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('engine-status')).toContainText('hilum-demo');
    // The desktop-only bridge: native choosers and dropped paths exist; a malformed shell request is refused.
    expect(await window.evaluate('typeof window.hilum.choosePath + "," + typeof window.hilum.pathForFile')).toBe('function,function');
    expect(await window.evaluate('window.hilum.choosePath("socket", "ct").then(() => "ran", (e) => e.code)')).toBe('API_INVALID_REQUEST');
    await expect(window.getByTestId('import-browse')).toBeVisible();

    await window.getByTestId('open-demo').click();
    await expect(window.getByTestId('view-axial')).toHaveAttribute('data-rendered', '1', { timeout: 120_000 });
    await window.getByTestId('segment-demo').click();
    await expect(window.getByTestId('measurements')).toBeVisible({ timeout: 120_000 });
    await window.getByTestId('fill-demo').click();
    await window.getByTestId('predict').click();
    await expect(window.getByTestId('result')).toBeVisible({ timeout: 180_000 });
    await expect(window.getByTestId('result-meaning')).toContainText('cut-off');
    // Save and print go through the main process (native dialogs), offered only here.
    await expect(window.getByTestId('save-report')).toBeVisible();
  } finally {
    await app.close();
  }
});
