import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isOwnReport,
  mainWindowOptions,
  permissionDecision,
  secureWebPreferences,
  windowOpenDecision,
  withContentSecurityPolicy,
} from '../../electron/app/security.js';
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

  it('the main window uses exactly those preferences, fits a 1366×768 screen and stays hidden until painted', () => {
    const options = mainWindowOptions('/x/preload.cjs');
    expect(options.webPreferences).toEqual(secureWebPreferences('/x/preload.cjs'));
    expect(options.minWidth).toBeLessThanOrEqual(1366);
    expect(options.minHeight).toBeLessThanOrEqual(768);
    expect(options.show).toBe(false);
  });

  it('opens no new window; only an https link may go to the system browser', () => {
    expect(windowOpenDecision('https://hilum.invalid/docs')).toEqual({ action: 'deny', openExternally: true });
    for (const url of ['http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'not a url'])
      expect(windowOpenDecision(url)).toEqual({ action: 'deny', openExternally: false });
  });

  it('denies every permission request and sends its CSP on every response, replacing any other', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) expect(permissionDecision(p)).toBe(false);
    const headers = withContentSecurityPolicy({ 'content-security-policy': ['default-src *'], 'X-Other': 'a' });
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Other': ['a'] });
  });

  it('saves or prints only the workstation’s own report PDFs', () => {
    expect(isOwnReport('/data/reports/R-1.pdf', '/data/reports')).toBe(true);
    expect(isOwnReport('/data/reports/../hilum.sqlite', '/data/reports')).toBe(false);
    expect(isOwnReport('/data/reports-evil/R-1.pdf', '/data/reports')).toBe(false);
    expect(isOwnReport('/etc/passwd', '/data/reports')).toBe(false);
    expect(isOwnReport('/data/reports/notes.txt', '/data/reports')).toBe(false);
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
  it('the engine, the CLI, the API contract and the loopback host never import electron', () => {
    const offenders = ['electron/engine', 'electron/cli', 'electron/api', 'electron/host']
      .flatMap(sourceFiles)
      .filter((f) => /from\s+['"]electron['"]|require\(['"]electron['"]\)/.test(read(f)));
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

  it('packaging unpacks native modules, ships models, fonts, demo data and the backbone trainer outside the asar, and trims ONNX Runtime per platform', () => {
    const config = parse(read('build/electron-builder.yml')) as {
      asarUnpack: string[];
      extraResources: { from: string; to: string }[];
      npmRebuild: boolean;
      linux: { files: string[] };
      win: { files: string[] };
      mac: { files: string[] };
    };
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*', 'node_modules/onnxruntime-node/bin/**/*']));
    // Beside the asar under the same relative paths, where the engine's shippedDataRoot() finds them.
    for (const dir of ['models', 'resources/fonts', 'resources/demo', 'resources/radiomics', 'resources/training']) {
      expect(config.extraResources).toContainEqual(expect.objectContaining({ from: dir, to: dir }));
      expect(statSync(path.join(ROOT, dir)).isDirectory()).toBe(true);
    }
    expect(config.linux.files).toEqual(['!node_modules/onnxruntime-node/bin/napi-v*/{darwin,win32}/**']);
    expect(config.win.files).toEqual(['!node_modules/onnxruntime-node/bin/napi-v*/{darwin,linux}/**']);
    expect(config.mac.files).toEqual(['!node_modules/onnxruntime-node/bin/napi-v*/{linux,win32}/**']);
    // The Electron rebuild of better-sqlite3 is ours (it refuses to run without an Electron binary), not electron-builder's.
    expect(config.npmRebuild).toBe(false);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toMatch(/rebuild-native\.mjs && electron-builder/);
  });
});

describe('the desktop-only shell channel', () => {
  it('accepts only its three request shapes, each with exactly its own fields', async () => {
    const { shellRequestSchema, CHOOSER } = await import('../../electron/app/shell-requests.js');
    expect(shellRequestSchema.safeParse({ action: 'save-report', reportFile: '/data/reports/r.pdf' }).success).toBe(true);
    expect(shellRequestSchema.safeParse({ action: 'choose-path', kind: 'folder', purpose: 'ct' }).success).toBe(true);
    expect(shellRequestSchema.safeParse({ action: 'choose-path', kind: 'file', purpose: 'manifest' }).success).toBe(true);
    for (const bad of [
      { action: 'choose-path', kind: 'socket', purpose: 'ct' },
      { action: 'choose-path', kind: 'file', purpose: 'anything' },
      { action: 'choose-path', kind: 'file', purpose: 'ct', defaultPath: '/etc' },
      { action: 'save-report', reportFile: '' },
      { action: 'print-report', reportFile: '/r.pdf', extra: 1 },
      { action: 'run', command: 'rm -rf /' },
      null,
      'save-report',
    ])
      expect(shellRequestSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    // Every purpose has a dialog title; file choosers filter by their formats.
    expect(CHOOSER.manifest.extensions).toEqual(['csv']);
    for (const entry of Object.values(CHOOSER)) expect(entry.title.length).toBeGreaterThan(10);
  });
});
