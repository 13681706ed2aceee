/**
 * The security settings of the workstation window, kept free of Electron imports so that tests can
 * check them on machines without Electron (docs/architecture.md, "Electron security").
 */
// The policy lives in electron/api so that the loopback host can send it without importing this folder.
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../api/csp.js';
export { CONTENT_SECURITY_POLICY };

export interface SecureWebPreferences {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: false;
  preload: string;
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    preload: preloadPath,
  };
}

/** Only the app's own files may be shown in the window: everything else is refused. */
export function isAppUrl(url: string, appIndexUrl: string): boolean {
  try {
    const target = new URL(url);
    const own = new URL(appIndexUrl);
    return target.protocol === own.protocol && target.host === own.host && target.pathname === own.pathname;
  } catch {
    return false;
  }
}

/** The workstation window's options: a fixed minimum size that fits 1366×768 screens, hidden until painted. */
export function mainWindowOptions(preloadPath: string) {
  return {
    width: 1440,
    height: 900,
    minWidth: 1280,
    minHeight: 700,
    title: 'Hilum',
    show: false,
    backgroundColor: '#10151c',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * What happens to a request to open a new window: never inside the app. An https link (the
 * documentation) may go to the system browser; anything else (file:, http:, javascript:, data:) is
 * dropped.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  let external = false;
  try {
    external = new URL(url).protocol === 'https:';
  } catch {
    external = false;
  }
  return { action: 'deny', openExternally: external };
}

/** Every permission request (camera, microphone, notifications, geolocation, …) is denied: the workstation needs none. */
export function permissionDecision(_permission: string): false {
  return false;
}

/** Response headers with the app's CSP set (replacing any the response carried). */
export function withContentSecurityPolicy(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'content-security-policy') out[k] = Array.isArray(v) ? v : [v];
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** A report file the renderer may ask to save or print: a PDF inside the app's reports folder, nothing else. */
export function isOwnReport(file: string, reportsDir: string): boolean {
  const resolved = path.resolve(file);
  return resolved.startsWith(path.resolve(reportsDir) + path.sep) && resolved.toLowerCase().endsWith('.pdf');
}
