/**
 * The native menu and dialogs of the workstation: open a CT folder (a CD or PACS export), open the
 * demo case, save or print the current report, language, about. The menu only sends commands to the
 * renderer (`hilum:command` events); every piece of work still goes through the validated API.
 */
import { app, BrowserWindow, dialog, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { CHOOSER } from './shell-requests.js';

export const COMMAND_CHANNEL = 'hilum:command';

export type ShellCommand =
  | { command: 'open-folder'; path: string }
  | { command: 'open-demo' }
  | { command: 'language'; lang: 'en' | 'zh-CN' }
  | { command: 'report-saved'; file: string };

function send(window: BrowserWindow | null, command: ShellCommand): void {
  window?.webContents.send(COMMAND_CHANNEL, command);
}

/** Asks for a CT folder and hands it to the renderer, which imports it through the API. */
export async function openFolderDialog(window: BrowserWindow | null): Promise<void> {
  const result = await dialog.showOpenDialog(window ?? undefined!, {
    title: 'Open a CT series folder (CD or PACS export)',
    properties: ['openDirectory'],
  });
  if (!result.canceled && result.filePaths[0]) send(window, { command: 'open-folder', path: result.filePaths[0] });
}

/** A native chooser for a folder or a file; the chosen path, or null when cancelled. */
export async function choosePathDialog(window: BrowserWindow | null, kind: 'folder' | 'file', purpose: keyof typeof CHOOSER): Promise<string | null> {
  const { title, extensions } = CHOOSER[purpose];
  const result = await dialog.showOpenDialog(window ?? undefined!, {
    title,
    properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
    ...(kind === 'file' && extensions
      ? {
          filters: [
            { name: title, extensions },
            { name: 'All files', extensions: ['*'] },
          ],
        }
      : {}),
  });
  return result.canceled || !result.filePaths[0] ? null : result.filePaths[0];
}

/** Saves a copy of a report PDF where the user chooses. */
export async function saveReportDialog(window: BrowserWindow | null, reportFile: string): Promise<string | null> {
  const result = await dialog.showSaveDialog(window ?? undefined!, {
    title: 'Save the risk report',
    defaultPath: path.join(app.getPath('documents'), path.basename(reportFile)),
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
  });
  if (result.canceled || !result.filePath) return null;
  copyFileSync(reportFile, result.filePath);
  send(window, { command: 'report-saved', file: result.filePath });
  return result.filePath;
}

/** Printing goes through the system's PDF viewer, which prints the report exactly as laid out. */
export async function printReport(reportFile: string): Promise<void> {
  const problem = await shell.openPath(reportFile);
  if (problem) dialog.showErrorBox('The report could not be opened for printing', problem);
}

export function buildMenu(getWindow: () => BrowserWindow | null, versions: { engine: string }): Menu {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open CT Folder…', accelerator: 'CmdOrCtrl+O', click: () => void openFolderDialog(getWindow()) },
        { label: 'Open Demo Case', click: () => send(getWindow(), { command: 'open-demo' }) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'English', type: 'radio', checked: true, click: () => send(getWindow(), { command: 'language', lang: 'en' }) },
        { label: '简体中文', type: 'radio', click: () => send(getWindow(), { command: 'language', lang: 'zh-CN' }) },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        {
          label: 'About Hilum',
          click: () =>
            void dialog.showMessageBox(getWindow() ?? undefined!, {
              type: 'info',
              title: 'About Hilum',
              message: `Hilum ${app.getVersion()} (engine ${versions.engine})`,
              detail:
                'Decision support for occult lymph node metastasis in lung adenocarcinoma; does not replace pathological nodal staging. ' +
                'The bundled model is a demonstration trained on synthetic data and is not for clinical use.',
            }),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
