// `npm start`: opens the workstation in Electron where the Electron binary exists.
import { spawn, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // Since Electron 42 the package holds no binary until it is fetched; its path file tells where it would be.
    const dist = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
    const candidates = ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron'].map((n) => path.join(dist, n));
    return candidates.find((c) => existsSync(c)) ?? null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
if (!binary) {
  process.stdout.write(
    'The Electron binary is not installed on this machine (it cannot be downloaded here), so the desktop window cannot open; ' +
      'run `npx hilum demo` to use the engine from the command line.\n',
  );
  process.exit(0);
}
execSync('npm run build', { cwd: root, stdio: 'inherit' });
const child = spawn(binary, [path.join(root, 'dist', 'electron', 'app', 'main.js')], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
