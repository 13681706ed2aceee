/**
 * The backbone trainer as a child process: Python with PyTorch runs resources/training/hilum_train.py
 * on a JSON job and reports on stdout, one JSON object per line. This is the engine's only Python
 * boundary, and only research work (`hilum study` with in-study training) crosses it; the bedside
 * runs the exported ONNX model with ONNX Runtime and never needs Python.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { shippedDataRoot } from '../core/version.js';

/** Debian's interpreter, where apt's python3-torch lives (a pyenv or venv `python3` on PATH usually has no PyTorch). */
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** How to get PyTorch, for the PYTORCH_MISSING error. */
export const PYTORCH_INSTALL_HINT =
  'Install PyTorch for that interpreter: on Debian/Ubuntu `sudo apt-get install python3-torch python3-onnx` (for /usr/bin/python3); ' +
  'elsewhere `python3 -m pip install torch onnx` (with CUDA on a GPU machine: see pytorch.org). ' +
  'Or point Hilum at a Python that has it: HILUM_PYTHON=/path/to/python3 or the protocol field deep.training.python.';

/** The training recipe as the trainer reads it (the protocol's deep.training, less what is not part of the model). */
export interface TrainerRecipe {
  architecture: { family: string; width: number; pooling: 'average' | 'average+max' };
  epochs: number;
  batch: number;
  learningRate: number;
  folds: number;
  seed: number;
  augmentation: { flipRotate: boolean; scanner: number };
  device: 'auto' | 'cpu' | 'cuda';
  threads: number;
  init: 'scratch' | 'shipped';
}

export interface TrainerJob {
  /** Folder with bags.f32 and index.json (hilum deep-bags format). */
  bags: string;
  /** Model folder to write (fold results and checkpoints, final model, ONNX, card). */
  out: string;
  trainIds: string[];
  recipe: TrainerRecipe;
  /** Hash of everything the result depends on: fold results with another key are trained again. */
  key: string;
  bagEngineVersion: string;
  name: string;
  notice: string;
  data: string;
  /** With recipe.init 'shipped': the backbone folder whose ONNX weights start every model. */
  initModel?: string;
  initModelSha256?: string;
}

/** What the trainer reports, line by line. */
export type TrainerEvent =
  | { type: 'start'; torch: string; device: string; threads: number; patients: number; total: number }
  | { type: 'progress'; model: string; epoch: number; epochs: number; step: number; total: number; loss: number }
  | { type: 'fold-done'; model: string; seconds: number | null; reused: boolean }
  | { type: 'done'; card: string; seconds: number; peakRssMiB: number; outOfFoldAuc: number | null; trainAuc: number | null }
  | { type: 'error'; code: string; message: string };

/** The trainer script: beside the app's shipped data (resources/training, outside the asar). */
export function trainerScript(): string {
  return path.join(shippedDataRoot(), 'resources', 'training', 'hilum_train.py');
}

/** The interpreter: HILUM_PYTHON, else the protocol's deep.training.python, else /usr/bin/python3. */
export function trainerPython(fromProtocol?: string): string {
  return process.env.HILUM_PYTHON || fromProtocol || DEFAULT_PYTHON;
}

function pytorchMissing(python: string, why: string): HilumError {
  return new HilumError({
    code: 'PYTORCH_MISSING',
    message: `in-study backbone training needs Python with PyTorch, and ${python} ${why}`,
    hint: PYTORCH_INSTALL_HINT,
    data: { python },
  });
}

/**
 * Checks, in a second or two, that the interpreter exists and imports PyTorch, before minutes of
 * bag cutting; resolves with the PyTorch version and whether it sees a CUDA device.
 */
export function checkPytorch(python: string): Promise<{ torch: string; cuda: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', 'import json, numpy, torch; print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available()}))'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? pytorchMissing(python, error.code === 'ENOENT' ? 'does not exist' : 'cannot be run') : error),
    );
    child.on('close', (status) => {
      if (status === 0) {
        try {
          return resolve(JSON.parse(stdout.trim().split('\n').pop()!) as { torch: string; cuda: boolean });
        } catch {
          // fall through: an interpreter that printed something else
        }
      }
      const why = /No module named '?([\w.]+)/.exec(stderr);
      reject(pytorchMissing(python, why ? `cannot import ${why[1]}` : `failed to import PyTorch (${lastLines(stderr) || `status ${status}`})`));
    });
  });
}

/**
 * Runs the trainer on a job and resolves with its `done` event. Every event goes to `onEvent`.
 * Aborting the signal kills the child (fold results already written stay; a resumed run skips
 * them) and rejects with `STUDY_CANCELLED`. A missing interpreter or PyTorch rejects with
 * `PYTORCH_MISSING` and the install command; the trainer's own errors keep their codes.
 */
export function runTrainer(
  job: TrainerJob,
  options: { python: string; onEvent?: (event: TrainerEvent) => void; signal?: AbortSignal; script?: string },
): Promise<Extract<TrainerEvent, { type: 'done' }>> {
  mkdirSync(job.out, { recursive: true });
  const jobFile = path.join(job.out, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job, null, 1) + '\n');
  const { python, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(job.out));
    const child = spawn(python, [options.script ?? trainerScript(), jobFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // OMP_WAIT_POLICY=PASSIVE: OpenMP's threads sleep instead of spinning between operations. On a
      // shared 2-core machine the spinning threads starve each other: measured 7.3 s per training step
      // (batch 64) spinning against 1.2 s passive, at a quarter of the CPU time.
      env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let settled = false;
    let done: Extract<TrainerEvent, { type: 'done' }> | null = null;
    let reported: Extract<TrainerEvent, { type: 'error' }> | null = null;
    let stderr = '';
    let pending = '';
    const finish = (error: HilumError | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(done!);
    };
    const onAbort = () => {
      child.kill('SIGTERM');
      // A trainer inside a long native call may ignore SIGTERM for a moment; it must not outlive the study.
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 3000).unref();
      finish(cancelled(job.out));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ENOENT' || error.code === 'EACCES'
          ? pytorchMissing(python, error.code === 'ENOENT' ? 'does not exist' : 'cannot be run')
          : new HilumError({ code: 'TRAINING_FAILED', message: `the trainer could not start: ${error.message}` }),
      ),
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        const event = parseEvent(line);
        if (!event) continue;
        if (event.type === 'done') done = event;
        if (event.type === 'error') reported = event;
        options.onEvent?.(event);
      }
    });
    child.stderr.setEncoding('utf8');
    // The last few kilobytes of stderr (a Python traceback) go into an unexplained failure's message.
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('close', (status, killedBy) => {
      if (done && status === 0) return finish(null);
      const error = reported as Extract<TrainerEvent, { type: 'error' }> | null;
      if (error?.code === 'PYTORCH_MISSING') return finish(pytorchMissing(python, `cannot import PyTorch (${error.message})`));
      if (error)
        return finish(
          new HilumError({
            code: error.code,
            message: `backbone training: ${error.message}`,
            data: { stderr: stderr.slice(-1500) },
            hint: trainingHint(error.code),
          }),
        );
      finish(
        new HilumError({
          code: 'TRAINING_FAILED',
          message: `the trainer (${python}) stopped ${killedBy ? `by ${killedBy}` : `with status ${status}`} without a result${stderr ? `: ${lastLines(stderr)}` : ''}`,
          hint: 'Fold results already finished are kept in the study folder; run the study again to resume.',
        }),
      );
    });
  });
}

function parseEvent(line: string): TrainerEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as TrainerEvent;
    return typeof value?.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}

function trainingHint(code: string): string | undefined {
  if (code === 'TRAINING_DEVICE_UNAVAILABLE') return 'Set deep.training.device to auto or cpu, or use a PyTorch built with CUDA (HILUM_PYTHON).';
  return undefined;
}

function cancelled(dir: string): HilumError {
  return new HilumError({
    code: 'STUDY_CANCELLED',
    message: `the study was cancelled during backbone training; the folds finished so far are kept in ${dir}`,
    hint: 'Start the study again on the same folder to resume: finished folds are not trained again.',
  });
}
