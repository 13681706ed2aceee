import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root: the folder that holds package.json, from source (electron/engine/core) or from dist. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'hilum') return dir;
    } catch {
      // not here; go up
    }
    dir = path.dirname(dir);
  }
  throw new Error('Hilum package.json not found above ' + fileURLToPath(import.meta.url));
}

/**
 * Where the shipped read-only data (models/, resources/) lives: in a packaged Electron app
 * electron-builder copies it beside the asar archive (extraResources, `process.resourcesPath`),
 * because ONNX Runtime and pdfkit read files from disk; from a checkout it is the project root.
 */
export function shippedDataRoot(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(path.join(resources, 'models'))) return resources;
  return projectRoot();
}

let cachedVersion: string | undefined;

/** The engine version recorded in every output (package.json "version"). */
export function engineVersion(): string {
  if (!cachedVersion) {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}
