// `npm start`: opens the workstation in Electron where the Electron binary exists; elsewhere (these
// development machines) it says so and serves the same workstation to this machine's browser
// through the loopback host (`hilum serve`), printing the address to open.
import { spawn, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = electronBinary();
if (!binary) {
  process.stdout.write(
    'The Electron binary is not installed on this machine, so the desktop window cannot open; serving the same workstation to your browser instead (`hilum serve`).\n',
  );
  if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) execSync('npm run --silent build:renderer', { cwd: root, stdio: 'inherit' });
  const host = spawn(process.execPath, [path.join(root, 'bin', 'hilum.js'), 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
  host.on('exit', (code) => process.exit(code ?? 0));
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
  const child = spawn(binary, [path.join(root, 'dist', 'electron', 'app', 'main.js')], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
