/**
 * Preload (sandboxed, CommonJS): exposes only which shell the page runs in for now; the typed API
 * (electron/api) is added with the workstation issue. Nothing from Node reaches the page.
 */
// A sandboxed preload must be CommonJS, so this is a require-style import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('hilum', Object.freeze({ shell: 'electron' }));
