/**
 * The Electron transport of the API: ONE IPC channel, `hilum:api`, answered by the same handler
 * table and dispatcher as the loopback host (electron/api), run on the engine thread (engine-thread.ts). Only the app's own page may call it.
 * A binary result is an ArrayBuffer, which structured clone carries to the renderer as is.
 */
import { app, BrowserWindow, ipcMain } from 'electron';
import path from 'node:path';
import type { ApiResponseMessage } from '../api/contract.js';
import type { ApiLogEntry } from '../api/dispatch.js';
import { EngineThread } from '../api/engine-thread.js';
import { choosePathDialog, printReport, saveReportDialog } from './menu.js';
import { isAppUrl, isOwnReport } from './security.js';
import { shellRequestSchema } from './shell-requests.js';

export const API_CHANNEL = 'hilum:api';
/** Desktop-only actions the API cannot offer a browser: native save and print of a report, native file and folder choosers. */
export const SHELL_CHANNEL = 'hilum:shell';

export function registerApi(appIndexUrl: string): void {
  const dataDir = app.getPath('userData');
  const log = (entry: ApiLogEntry) => process.stderr.write(JSON.stringify(entry) + '\n');
  // The engine runs on its own thread: the window's process never waits on a computation.
  const engine = new EngineThread({ dataDir, dbFile: path.join(dataDir, 'hilum.sqlite'), shell: 'electron' }, log);
  ipcMain.handle(API_CHANNEL, async (event, message: unknown): Promise<ApiResponseMessage> => {
    const url = event.senderFrame?.url ?? '';
    if (!isAppUrl(url, appIndexUrl)) {
      log({ time: new Date().toISOString(), level: 'warn', event: 'api.invalid-request', method: null, id: null, message: `refused a call from ${url}` });
      return { id: null, error: { code: 'API_FORBIDDEN', message: 'only the Hilum window may call the API' } };
    }
    return engine.dispatch(message);
  });
  ipcMain.handle(SHELL_CHANNEL, async (event, message: unknown) => {
    const parsed = shellRequestSchema.safeParse(message);
    const url = event.senderFrame?.url ?? '';
    const request = parsed.success ? parsed.data : null;
    const allowed =
      isAppUrl(url, appIndexUrl) && request !== null && (request.action === 'choose-path' || isOwnReport(request.reportFile, path.join(dataDir, 'reports')));
    if (!allowed || !request) {
      log({
        time: new Date().toISOString(),
        level: 'warn',
        event: 'api.invalid-request',
        method: SHELL_CHANNEL,
        id: null,
        message: 'refused a shell request',
      });
      return { error: { code: 'API_INVALID_REQUEST', message: 'refused: not a valid request of this workstation' } };
    }
    const window = BrowserWindow.fromWebContents(event.sender);
    if (request.action === 'choose-path') return { result: await choosePathDialog(window, request.kind, request.purpose) };
    if (request.action === 'save-report') return { result: await saveReportDialog(window, request.reportFile) };
    await printReport(request.reportFile);
    return { result: true };
  });
  app.on('will-quit', () => {
    ipcMain.removeHandler(SHELL_CHANNEL);
    ipcMain.removeHandler(API_CHANNEL);
    void engine.close();
  });
}
