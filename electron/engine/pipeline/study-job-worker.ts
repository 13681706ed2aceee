/**
 * Worker entry of a background cohort study (StudyJob): runs the study named in workerData, posts
 * its progress, then writes the bundle and the report. One study per worker. A `cancel` message
 * aborts it between patients (the ones running finish and are cached) and between stages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHilumError } from '../core/errors.js';
import { defaultProtocol, readProtocol } from '../signatures/protocol.js';
import { throwIfCancelled } from './cohort-features.js';
import { runStudy } from './cohort-study.js';
import { writeStudyOutputs } from './study-outputs.js';
import type { StudyJobMessage, StudyJobRequest } from './study-job.js';

async function main(request: StudyJobRequest, post: (m: StudyJobMessage) => void, signal: AbortSignal): Promise<void> {
  try {
    const protocol = request.protocol ? readProtocol(request.protocol) : defaultProtocol();
    const result = await runStudy({
      manifest: request.manifest,
      out: request.out,
      protocol,
      jobs: request.jobs,
      onProgress: (stage, done, total, failed) => post({ type: 'progress', stage, done, total, failed }),
      onExtractionPlan: (todo, cached) => post({ type: 'plan', todo, cached }),
      onTrainingProgress: (p) => post({ type: 'training', model: p.model, epoch: p.epoch, epochs: p.epochs, loss: p.loss }),
      signal,
    });
    throwIfCancelled(signal);
    post({ type: 'progress', stage: 'report', done: 0, total: 1, failed: 0 });
    const bundleFile = writeStudyOutputs(request.out, result);
    post({ type: 'done', bundleFile, contentSha256: result.bundle!.contentSha256 });
  } catch (error) {
    post({
      type: 'error',
      error: isHilumError(error) ? error.toJSON() : { code: 'STUDY_FAILED', message: error instanceof Error ? error.message : String(error) },
    });
  }
}

if (parentPort) {
  const port = parentPort;
  const controller = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'cancel') controller.abort();
  });
  // Listening for a cancel must not keep the worker alive once the study is over.
  port.unref();
  void main(workerData as StudyJobRequest, (m) => port.postMessage(m), controller.signal);
}
