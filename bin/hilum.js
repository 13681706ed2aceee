#!/usr/bin/env node
// Entry point of the `hilum` command: runs the compiled CLI (npm install builds it via "prepare").
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'electron', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write('hilum is not built yet: run `npm run build:engine` (npm install and npm ci do this for you).\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv);
