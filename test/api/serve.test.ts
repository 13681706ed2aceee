import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

const tmp = tempDir('hilum-serve-');
afterAll(() => tmp.cleanup());

describe('hilum serve', () => {
  it('prints the loopback address with a 64-hex token and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test', 'cli', 'hilum-from-source.ts'), 'serve', '--port', '0', '--data', path.join(tmp.dir, 'data')],
      { cwd: ROOT, env: { ...process.env, HILUM_DATA: path.join(tmp.dir, 'unused') } },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed; stderr: ${stderr}`)), 30_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        const first = stdout.split('\n');
        if (first.length > 1) {
          clearTimeout(timer);
          resolve(first[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}; stderr: ${stderr}`)));
    });
    const match = /^Hilum is serving at http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64})$/.exec(line);
    expect(match, line).not.toBeNull();
    const port = Number(match![1]);
    expect(port).toBeGreaterThan(0);

    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);

    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping/);
  });
});
