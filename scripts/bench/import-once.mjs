// One full DICOM import in a fresh process, so that peak RSS belongs to the import alone.
// Usage: node scripts/bench/import-once.mjs FOLDER  → prints one JSON line.
import { scanDicom, chooseSeries, loadSeriesVolume } from '../../dist/electron/engine/imaging/dicom/import.js';

const folder = process.argv[2];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const scan = await scanDicom(folder);
const loaded = await loadSeriesVolume(chooseSeries(scan));
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const usage = process.resourceUsage();
process.stdout.write(
  JSON.stringify({
    wallSeconds: wall,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: usage.maxRSS * 1024,
    dims: loaded.volume.dims,
    voxelBytes: loaded.volume.voxels.byteLength,
    voxelType: loaded.volume.voxels.constructor.name,
    decoders: loaded.decoders,
  }) + '\n',
);
