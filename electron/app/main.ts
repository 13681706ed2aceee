/**
 * Electron main process: one secure window showing the renderer. The engine does the work; this
 * file only wires the shell: window and its security policy (security.ts), the API (ipc.ts), the
 * menu and dialogs (menu.ts), single-instance lock, crash and hang handling.
 */
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registerApi } from './ipc.js';
import { engineVersion } from '../engine/core/version.js';
import { buildMenu } from './menu.js';
import { isAppUrl, mainWindowOptions, permissionDecision, windowOpenDecision, withContentSecurityPolicy } from './security.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const indexHtml = path.join(here, '..', '..', 'renderer', 'index.html');
const indexUrl = pathToFileURL(indexHtml).href;

if (!app.requestSingleInstanceLock()) app.quit();

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(path.join(here, 'preload.cjs')));
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, indexUrl)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: decision.action };
  });
  // A crashed or hung renderer loses no data: everything entered is stored by the engine as it is
  // entered (the case store); reloading the page brings the case back.
  window.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    dialog.showErrorBox('The Hilum window stopped', `The display process ended (${details.reason}). It will be reloaded; stored cases are not affected.`);
    void window.loadFile(indexHtml);
  });
  window.on('unresponsive', () => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'warning',
      buttons: ['Wait', 'Reload'],
      defaultId: 0,
      message: 'Hilum is not responding',
      detail: 'A long computation may still be running. Reloading keeps every stored case.',
    });
    if (choice === 1) void window.loadFile(indexHtml);
  });
  void window.loadFile(indexHtml);
  return window;
}

app.on('second-instance', () => {
  const [window] = BrowserWindow.getAllWindows();
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  registerApi(indexUrl);
  Menu.setApplicationMenu(buildMenu(() => BrowserWindow.getAllWindows()[0] ?? null, { engine: engineVersion() }));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
