// Links `node_modules/.bin/hilum` to bin/hilum.js after install, so `npx hilum …` runs this checkout.
// (A "bin" field on the root package would make npx copy the whole project into its cache and
// reinstall every dependency there; a link in the local .bin is found first.)
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const target = path.join(root, 'bin', 'hilum.js');
chmodSync(target, 0o755);
if (process.platform === 'win32') {
  writeFileSync(path.join(binDir, 'hilum.cmd'), `@node "%~dp0\\..\\..\\bin\\hilum.js" %*\r\n`);
} else {
  const link = path.join(binDir, 'hilum');
  rmSync(link, { force: true });
  symlinkSync(path.relative(binDir, target), link);
}
