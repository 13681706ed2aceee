// `npm run ort:cuda`: installs ONNX Runtime's CUDA execution provider for GPU inference.
// npm install denies onnxruntime-node's install script (it downloads CUDA libraries and fails offline);
// CPU inference is bundled in the package. GPU users run this once, online, with CUDA 12 and cuDNN 9 installed.
import { spawnSync, execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dryRun = process.argv.includes('--dry-run');
const ortDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
const installer = path.join(ortDir, 'script', 'install.js');
// onnxruntime-node 1.30.0 reads ONNXRUNTIME_NODE_INSTALL; the documented value 'cuda12' silently does nothing in this version.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: '1' };

let gpu = 'no NVIDIA driver found (nvidia-smi missing)';
try {
  gpu = execSync('nvidia-smi --query-gpu=name,driver_version --format=csv,noheader', { encoding: 'utf8' }).trim();
} catch {
  // reported below
}
process.stdout.write(`GPU: ${gpu}\n`);
process.stdout.write(`will run: ONNXRUNTIME_NODE_INSTALL=1 node ${path.relative(process.cwd(), installer)}\n`);
if (process.platform !== 'linux' && process.platform !== 'win32') {
  process.stdout.write('CUDA inference is available on Linux and Windows x64 only; Hilum uses the CPU here.\n');
  process.exit(0);
}
if (dryRun) process.exit(0);
const result = spawnSync(process.execPath, [installer], { cwd: ortDir, env, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('The CUDA provider could not be installed (the download needs internet access). Hilum keeps working on the CPU.\n');
  process.exit(result.status ?? 1);
}
process.stdout.write('CUDA provider installed. Hilum tries CUDA first and falls back to the CPU, recording which one ran.\n');
