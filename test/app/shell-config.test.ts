import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, secureWebPreferences } from '../../electron/app/security.js';
import { ROOT } from '../helpers.js';

const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? sourceFiles(rel) : /\.(c|m)?ts$/.test(name) ? [rel] : [];
  });
}

describe('Electron window security', () => {
  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(secureWebPreferences('/x/preload.cjs')).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: '/x/preload.cjs',
    });
  });

  it('allows navigation only to the app page itself', () => {
    const index = 'file:///opt/hilum/dist/renderer/index.html';
    expect(isAppUrl(index, index)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', index)).toBe(false);
    expect(isAppUrl('https://example.org/', index)).toBe(false);
    expect(isAppUrl('not a url', index)).toBe(false);
  });

  it('the renderer page carries the same CSP as the header (less frame-ancestors, which only works as a header)', () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(read('renderer/index.html'))?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(eval|inline)/);
  });
});

describe('repository rules', () => {
  it('the engine and the CLI never import electron', () => {
    const offenders = [...sourceFiles('electron/engine'), ...sourceFiles('electron/cli')].filter((f) =>
      /from\s+['"]electron['"]|require\(['"]electron['"]\)/.test(read(f)),
    );
    expect(offenders).toEqual([]);
  });

  it('install scripts: onnxruntime-node denied (CPU inference is bundled), better-sqlite3 allowed (it builds from source)', () => {
    const pkg = JSON.parse(read('package.json')) as {
      allowScripts: Record<string, boolean>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    expect(pkg.allowScripts['better-sqlite3']).toBe(true);
    expect(pkg.dependencies['better-sqlite3']).toMatch(/^12\./);
    for (const v of [...Object.values(pkg.dependencies), ...Object.values(pkg.devDependencies)]) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
    expect(read('.npmrc')).toContain('strict-allow-scripts=true');
  });

  it('packaging unpacks native modules and ships models outside the asar', () => {
    const config = parse(read('build/electron-builder.yml')) as { asarUnpack: string[]; extraResources: { from: string }[] };
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*', 'node_modules/onnxruntime-node/bin/**/*']));
    expect(config.extraResources.map((r) => r.from)).toContain('models');
  });
});
