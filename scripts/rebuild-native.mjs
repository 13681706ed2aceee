// `npm run rebuild:native`: rebuilds better-sqlite3 for the installed Electron's ABI (onnxruntime-node
// uses N-API and needs no rebuild). Runs only where an Electron binary is present: on a machine
// without one (these development machines) it says so and changes nothing — and it never lets npm's
// `nodedir` setting point the build at Node's headers while calling the result Electron's.
import { spawnSync } from 'node:child_process';
import { electronBinary, electronVersion } from './electron-binary.mjs';

const binary = electronBinary();
if (!binary) {
  process.stdout.write('No Electron binary is installed here, so better-sqlite3 was not rebuilt for Electron (the Node build stays, for the CLI and tests).\n');
  process.exit(0);
}
const version = electronVersion();
const env = { ...process.env };
// npm passes its config to children as npm_config_*; a nodedir there would make node-gyp use Node's headers.
for (const key of Object.keys(env)) if (/^npm_config_nodedir$/i.test(key)) delete env[key];
env.npm_config_runtime = 'electron';
env.npm_config_target = version;
env.npm_config_disturl = 'https://electronjs.org/headers';
process.stdout.write(`rebuilding better-sqlite3 for Electron ${version}\n`);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const r = spawnSync(npx, ['@electron/rebuild', '--force', '--only', 'better-sqlite3', '--version', version], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
