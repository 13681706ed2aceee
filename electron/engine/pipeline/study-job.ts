/**
 * A cohort study running in the background (the workstation's research page): one worker thread
 * per study, its progress kept for polling, cancellable at any time. A cancelled or failed study
 * resumes by starting it again on the same folder: extracted patients are cached there
 * (pipeline/cohort-features.ts), so only the rest is extracted.
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { HilumErrorInit } from '../core/errors.js';
import { moduleWorker, siblingModule } from '../core/worker-pool.js';
import type { StudyStage } from './cohort-study.js';

export interface StudyJobRequest {
  manifest: string;
  out: string;
  /** Protocol file (YAML/JSON); the documented defaults without it. */
  protocol?: string;
  jobs: number;
}

/** Messages from the study worker. */
export type StudyJobMessage =
  | { type: 'plan'; todo: number; cached: number }
  | { type: 'progress'; stage: StudyStage; done: number; total: number; failed: number }
  | { type: 'training'; model: string; epoch: number; epochs: number; loss: number }
  | { type: 'done'; bundleFile: string; contentSha256: string }
  | { type: 'error'; error: Pick<HilumErrorInit, 'code' | 'message' | 'hint' | 'data'> };

export type StudyJobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface StudyJobStatus {
  jobId: string;
  state: StudyJobState;
  manifest: string;
  out: string;
  stage: StudyStage | null;
  done: number;
  total: number;
  failed: number;
  cached: number | null;
  /** The train stage's model, epoch and loss (done/total count its optimiser steps). */
  training: { model: string; epoch: number; epochs: number; loss: number } | null;
  startedAt: string;
  endedAt: string | null;
  error: { code: string; message: string; hint?: string; data?: Record<string, unknown> } | null;
}

export class StudyJob {
  readonly id = randomUUID();
  private readonly worker: Worker;
  private readonly state: StudyJobStatus;
  private cancelRequested = false;
  /** Settles when the job ends, however it ends. */
  readonly finished: Promise<StudyJobStatus>;

  constructor(readonly request: StudyJobRequest) {
    this.state = {
      jobId: this.id,
      state: 'running',
      manifest: request.manifest,
      out: request.out,
      stage: null,
      done: 0,
      total: 0,
      failed: 0,
      cached: null,
      training: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      error: null,
    };
    this.worker = moduleWorker(siblingModule(import.meta.url, 'study-job-worker'), { workerData: request });
    this.finished = new Promise((resolve) => {
      this.worker.on('message', (m: StudyJobMessage) => this.onMessage(m));
      this.worker.on('error', (error) => this.end('failed', { code: 'STUDY_FAILED', message: `the study worker failed: ${error.message}` }));
      this.worker.on('exit', () => {
        if (this.state.state === 'running' && this.cancelRequested) this.end('cancelled', null);
        else if (this.state.state === 'running') this.end('failed', { code: 'STUDY_FAILED', message: 'the study worker stopped without a result' });
        resolve(this.status());
      });
    });
  }

  status(): StudyJobStatus {
    return { ...this.state, training: this.state.training ? { ...this.state.training } : null, error: this.state.error ? { ...this.state.error } : null };
  }

  /**
   * Stops the study and resolves when it has stopped; what was extracted stays cached in the study
   * folder. During extraction the worker is asked to stop (the patients being extracted finish:
   * terminating a thread inside a native ONNX Runtime call can abort the whole process); during
   * the bags and train stages too (the worker kills the trainer's child process, whose finished
   * folds stay); in the later stages, which are plain JavaScript, it is terminated at once.
   */
  async cancel(): Promise<StudyJobStatus> {
    if (this.state.state !== 'running') return this.status();
    this.cancelRequested = true;
    this.worker.postMessage({ type: 'cancel' });
    if (this.state.stage === 'fit' || this.state.stage === 'evaluate' || this.state.stage === 'report') await this.worker.terminate();
    await this.finished;
    return this.status();
  }

  private onMessage(m: StudyJobMessage): void {
    if (this.state.state !== 'running') return;
    if (m.type === 'plan') this.state.cached = m.cached;
    else if (m.type === 'progress') {
      Object.assign(this.state, { stage: m.stage, done: m.done, total: m.total, failed: m.failed });
      if (m.stage !== 'train') this.state.training = null;
    } else if (m.type === 'training') this.state.training = { model: m.model, epoch: m.epoch, epochs: m.epochs, loss: m.loss };
    else if (m.type === 'done') this.end('done', null);
    else if (m.error.code === 'STUDY_CANCELLED') this.end('cancelled', null);
    else this.end('failed', m.error);
  }

  private end(state: Exclude<StudyJobState, 'running'>, error: StudyJobStatus['error']): void {
    if (this.state.state !== 'running') return;
    this.state.state = state;
    this.state.error = error;
    this.state.endedAt = new Date().toISOString();
    if (state === 'done') this.state.done = this.state.total;
  }
}
