/**
 * Preload (sandboxed, CommonJS): exposes `window.hilum` — which shell the page runs in, and
 * `call(method, params)`, which forwards to the main process over the one API channel (docs/api.md).
 * Results arrive by structured clone (binary ones as ArrayBuffer). Errors reject with a plain
 * `{code, message, hint, data}` object, which crosses the context bridge intact (an Error would keep
 * only its message); electron/api/client.ts turns it back into an ApiError. Nothing from Node reaches the page.
 */
// A sandboxed preload must be CommonJS, so this is a require-style import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

let nextId = 1;

interface Answer {
  id: string | number | null;
  result?: unknown;
  error?: { code: string; message: string; hint?: string; data?: Record<string, unknown> };
}

async function call(method: string, params: unknown): Promise<unknown> {
  const answer = (await electron.ipcRenderer.invoke('hilum:api', { id: nextId++, method, params })) as Answer;
  if (answer.error) throw { ...answer.error };
  return answer.result;
}

/** Native save/print of a report (desktop only); the main process checks the file is one of its reports. */
async function reportAction(action: 'save-report' | 'print-report', reportFile: string): Promise<unknown> {
  const answer = (await electron.ipcRenderer.invoke('hilum:shell', { action, reportFile })) as Answer;
  if (answer.error) throw { ...answer.error };
  return answer.result;
}

/** A native folder or file chooser (desktop only): the chosen path, or null when cancelled. */
async function choosePath(kind: 'folder' | 'file', purpose: string): Promise<unknown> {
  const answer = (await electron.ipcRenderer.invoke('hilum:shell', { action: 'choose-path', kind, purpose })) as Answer;
  if (answer.error) throw { ...answer.error };
  return answer.result;
}

/** Menu commands (open folder, demo case, language) for the page; returns a function that stops listening. */
function onCommand(listener: (command: unknown) => void): () => void {
  const handler = (_event: unknown, command: unknown) => listener(command);
  electron.ipcRenderer.on('hilum:command', handler);
  return () => electron.ipcRenderer.removeListener('hilum:command', handler);
}

electron.contextBridge.exposeInMainWorld(
  'hilum',
  Object.freeze({
    shell: 'electron',
    call,
    saveReport: (file: string) => reportAction('save-report', file),
    printReport: (file: string) => reportAction('print-report', file),
    onCommand,
    choosePath,
    // A dropped file or folder's path on disk (Electron no longer puts it on File.path).
    pathForFile: (file: File) => electron.webUtils.getPathForFile(file),
  }),
);
