// Where the Electron binary is, or null: since Electron 42 the npm package holds no binary until it
// is fetched on first run (which these offline machines cannot do).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export function electronBinary() {
  if (process.env.HILUM_NO_ELECTRON === '1') return null;
  try {
    const dist = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
    const candidates = ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron'].map((n) => path.join(dist, n));
    return candidates.find((c) => existsSync(c)) ?? null;
  } catch {
    return null;
  }
}

export function electronVersion() {
  return JSON.parse(require('node:fs').readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}
