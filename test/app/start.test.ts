import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

const tmp = tempDir('hilum-start-');
afterAll(() => tmp.cleanup());
// These machines have no Electron binary; the variable makes the test mean the same on one that has.
const env = { ...process.env, HILUM_NO_ELECTRON: '1' };

describe('npm start without an Electron binary', () => {
  it('says so in one sentence and serves the workstation on 127.0.0.1, printing the address with its token', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--port', '0', '--data', tmp.dir], { cwd: ROOT, env });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed: ${stdout}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /Hilum is serving at (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`start exited (${code}) before serving: ${stdout}`)));
    });
    expect(stdout.split('\n')[0]).toBe(
      'The Electron binary is not installed on this machine, so the desktop window cannot open; serving the same workstation to your browser instead (`hilum serve`).',
    );
    const page = await fetch(url.split('#')[0]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"></div>');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('the native rebuild for Electron refuses to run where there is no Electron binary, and changes nothing', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'rebuild-native.mjs')], { cwd: ROOT, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/No Electron binary is installed here, so better-sqlite3 was not rebuilt/);
  });
});
