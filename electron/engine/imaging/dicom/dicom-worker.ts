/** Worker entry for DICOM header scans and pixel decoding (see dicom-pool.ts). */
import { serveWorker } from '../../core/worker-host.js';
import { decodeFileFrames, type DecodeFileTask } from './decode-file.js';
import { scanHeaders } from './scan.js';

serveWorker({
  scan: (files: string[]) => scanHeaders(files),
  decode: (task: DecodeFileTask) => decodeFileFrames(task),
});
