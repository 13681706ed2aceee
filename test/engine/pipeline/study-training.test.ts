/**
 * In-study backbone training (the study's bags and train stages) on the small phantom cohort, with
 * a tiny recipe (1 epoch, 2 folds): the trainer runs as a child process of Debian's
 * /usr/bin/python3 with python3-torch (installed by .ci/run), exports an ONNX model that ONNX
 * Runtime runs, names only training patients, and its out-of-fold outputs feed the training
 * patients' MIL features; the background study (research page) shows the training's progress, and
 * a training cancelled there resumes without training finished folds again;
 * a missing interpreter or PyTorch is the named PYTORCH_MISSING error.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHilumError } from '../../../electron/engine/core/errors.js';
import { findCamHead } from '../../../electron/engine/deep/cam-head.js';
import { readOnnxGraph } from '../../../electron/engine/deep/onnx-graph.js';
import { inferBag, openBackbone } from '../../../electron/engine/deep/backbone-session.js';
import { loadBackbone, readOutOfFold, shippedBackboneDir } from '../../../electron/engine/deep/model-card.js';
import { type TrainerEvent, trainerScript } from '../../../electron/engine/deep/trainer-process.js';
import { readFeatureTable } from '../../../electron/engine/pipeline/cohort-features.js';
import { type StudyStage, runStudy } from '../../../electron/engine/pipeline/cohort-study.js';
import { type StudyJobStatus, StudyJob } from '../../../electron/engine/pipeline/study-job.js';
import { studyBackboneDirs } from '../../../electron/engine/pipeline/study-training.js';
import { readProtocol } from '../../../electron/engine/signatures/protocol.js';
import { runCli } from '../../cli/run-cli.js';
import { tempDir } from '../../helpers.js';
import { SMALL_COHORT_ARGS, writeSmallStudyProtocol } from '../../small-study.js';

const tmp = tempDir('hilum-study-training-');
afterAll(() => tmp.cleanup());
const manifest = path.join(tmp.dir, 'cohort', 'manifest.csv');
const protocolFile = path.join(tmp.dir, 'protocol.yaml');
const out = path.join(tmp.dir, 'study');

beforeAll(async () => {
  const r = await runCli(['phantom', '--out', path.join(tmp.dir, 'cohort'), ...SMALL_COHORT_ARGS]);
  expect(r.code).toBe(0);
  writeSmallStudyProtocol(tmp.dir, 'training-test', protocolFile);
  const text = readFileSync(protocolFile, 'utf8');
  writeFileSync(
    protocolFile,
    text.replace(
      /deep:\n  pcaComponents: 4\n/,
      'deep:\n  training:\n    enabled: true\n    epochs: 1\n    folds: 2\n    batch: 32\n    bag:\n      offsets: [-6, -2, 0, 2, 6]\n      offsetsBeyondTumour: true\n',
    ),
  );
}, 300_000);

/** Runs `fn` with HILUM_PYTHON set to `python`, restoring it after. */
async function withPython<T>(python: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.HILUM_PYTHON;
  process.env.HILUM_PYTHON = python;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.HILUM_PYTHON;
    else process.env.HILUM_PYTHON = before;
  }
}

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isHilumError(error)) return error;
    throw error;
  }
  return undefined;
}

async function errorOfAsync(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    if (isHilumError(error)) return error;
    throw error;
  }
  throw new Error('expected a HilumError');
}

describe('in-study backbone training', () => {
  it('names a missing interpreter or PyTorch (PYTORCH_MISSING, with the install command) before cutting any bag', async () => {
    const protocol = readProtocol(protocolFile);
    const missingOut = path.join(tmp.dir, 'no-python');
    const noBinary = await withPython(path.join(tmp.dir, 'no-such-python'), () =>
      errorOfAsync(() => runStudy({ manifest, out: missingOut, protocol, trainOnly: true })),
    );
    expect(noBinary.code).toBe('PYTORCH_MISSING');
    expect(noBinary.message).toMatch(/no-such-python does not exist/);
    expect(noBinary.hint).toMatch(/apt-get install python3-torch python3-onnx/);
    // A Python without PyTorch: Debian's interpreter without its site packages (where python3-torch lives).
    const bare = path.join(tmp.dir, 'python-without-torch.sh');
    writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(bare, 0o755);
    const noTorch = await withPython(bare, () => errorOfAsync(() => runStudy({ manifest, out: missingOut, protocol, trainOnly: true })));
    expect(noTorch.code).toBe('PYTORCH_MISSING');
    expect(noTorch.message).toMatch(/cannot import (numpy|torch)/);
    expect(noTorch.hint).toMatch(/HILUM_PYTHON/);
    expect(() => statSync(studyBackboneDirs(missingOut).bags)).toThrow();
  }, 60_000);

  it("fine-tuning reads the shipped backbone's folded ONNX weights back into the architecture (checked on its reference slices)", () => {
    const load = (width: number) =>
      spawnSync(
        '/usr/bin/python3',
        [
          '-c',
          `import sys; sys.path.insert(0, ${JSON.stringify(path.dirname(trainerScript()))}); import hilum_train as h; h.load_onnx_weights(h.CompactResNet(3, ${width}), ${JSON.stringify(shippedBackboneDir())}); print("loaded")`,
        ],
        { encoding: 'utf8' },
      );
    expect(load(12).stdout.trim()).toBe('loaded');
    const wrong = load(16);
    expect(wrong.status).not.toBe(0);
    expect(JSON.parse(wrong.stdout.trim())).toMatchObject({ type: 'error', code: 'TRAINING_INIT_MISMATCH' });
  }, 60_000);

  it('average+max pooling: the exported head has no class-activation map (CAM_HEAD_UNSUPPORTED); ONNX Runtime reproduces PyTorch', async () => {
    const dir = path.join(tmp.dir, 'avgmax');
    const made = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import sys, json, torch',
          `sys.path.insert(0, ${JSON.stringify(path.dirname(trainerScript()))})`,
          'import hilum_train as h',
          'torch.manual_seed(3)',
          'm = h.CompactResNet(9, 4, "average+max").eval()',
          'x = torch.randn(2, 9, 32, 32)',
          'import os',
          `os.makedirs(${JSON.stringify(dir)}, exist_ok=True)`,
          `torch.onnx.export(m, x, ${JSON.stringify(path.join(dir, 'b.onnx'))}, opset_version=17, input_names=["bag"], output_names=["logit", "features"])`,
          'logit, features = m(x)',
          `x.numpy().astype("<f4").tofile(${JSON.stringify(path.join(dir, 'x.f32'))})`,
          'print(json.dumps({"logit": logit.tolist(), "features": len(features[0]), "length": m.feature_length}))',
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    const reference = JSON.parse(made.stdout.trim().split('\n').pop()!) as { logit: number[]; features: number; length: number };
    expect(reference.features).toBe(64); // 2 × 8w: the average and the maximum of 32 maps
    expect(reference.length).toBe(64);
    const bytes = readFileSync(path.join(dir, 'b.onnx'));
    expect(errorOf(() => findCamHead(readOnnxGraph(bytes), 'logit'))?.code).toBe('CAM_HEAD_UNSUPPORTED');
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    const input = new Float32Array(new Uint8Array(readFileSync(path.join(dir, 'x.f32'))).buffer);
    const result = await session.run({ bag: new ort.Tensor('float32', input, [2, 9, 32, 32]) });
    Array.from(result.logit.data as Float32Array).forEach((v, k) => expect(v).toBeCloseTo(reference.logit[k], 4));
  }, 60_000);

  it('trains on the training split only, cross-fitted, and the study uses the model and its out-of-fold outputs', async () => {
    const protocol = readProtocol(protocolFile);
    const stages = new Set<StudyStage>();
    const events: TrainerEvent[] = [];
    const r = await runStudy({ manifest, out, protocol, jobs: 2, onProgress: (s) => stages.add(s), onTrainerEvent: (e) => events.push(e) });
    expect([...stages].slice(0, 3)).toEqual(['bags', 'train', 'extract']);
    expect(r.training?.reused).toBe(false);
    expect(events[0]).toMatchObject({ type: 'start', device: 'cpu', patients: 28 });
    expect(events.filter((e) => e.type === 'fold-done').map((e) => (e as { model: string }).model)).toEqual(['fold 1/2', 'fold 2/2', 'final']);

    const trainingIds = r.manifest.cases.filter((_, i) => r.split[i] === 'training').map((c) => c.id);
    const backbone = loadBackbone(studyBackboneDirs(out).model);
    expect(backbone.card.training.trainIds).toEqual(trainingIds);
    expect(backbone.card.training.torch).toMatch(/^\d+\.\d+/);
    expect(backbone.card.training.device).toBe('cpu');
    // The protocol's bag geometry is the model's: recorded in its card, so every later bag is cut the same way.
    expect(backbone.card.bagConfig.offsets).toEqual([-6, -2, 0, 2, 6]);
    expect(backbone.card.bagConfig.offsetsBeyondTumour).toBe(true);
    // The exported model runs in ONNX Runtime and reproduces PyTorch's outputs on the reference slices.
    const session = await openBackbone(backbone, ['cpu'], 1);
    const ref = backbone.reference;
    const inference = await inferBag(session, { data: ref.input, shape: ref.shape });
    ref.logit.forEach((logit, k) => expect(inference.probabilities[k]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 4));

    // The study ran on it: the bundle embeds it, the features were extracted with it.
    expect(r.bundle?.backbone.sha256).toBe(backbone.sha256);
    expect(r.bundle?.backbone.card.training.trainIds).toEqual(trainingIds);
    expect(JSON.stringify(r.bundle?.protocol.deep.training)).not.toMatch(/python/);
    // Training patients' MIL features come from the out-of-fold outputs (the features.csv keeps the final model's).
    expect(r.outOfFold).toEqual({ used: true, folds: 2, patients: 28 });
    expect(r.findings.map((f) => f.code)).toContain('DEEP_OUT_OF_FOLD');
    expect(r.findings.map((f) => f.code)).not.toContain('STUDY_BACKBONE_OVERLAP');
    const oof = readOutOfFold(backbone);
    expect([...oof.keys()].sort()).toEqual([...trainingIds].sort());
    const table = readFeatureTable(path.join(out, 'features.csv'));
    const row = table.ids.indexOf(trainingIds[0]);
    expect(oof.get(trainingIds[0])!.bag).toBe(table.bagSha256[row]);
    const finalP = table.rows[row][table.names.indexOf('deep_p_00')];
    expect(oof.get(trainingIds[0])!.p[0]).not.toBeCloseTo(finalP, 6);

    // Run again: the finished model is reused, without Python.
    const again = await withPython(path.join(tmp.dir, 'no-such-python'), () => runStudy({ manifest, out, protocol, trainOnly: true }));
    expect(again.training).toEqual({ dir: backbone.dir, reused: true });
  }, 240_000);

  it('neighbouring planes as channels and average+max pooling: trained, exported and recorded in the card; ONNX Runtime reproduces PyTorch', async () => {
    const text = readFileSync(protocolFile, 'utf8').replace(
      'offsetsBeyondTumour: true\n',
      'offsetsBeyondTumour: true\n      sliceChannels: [-2, 0, 2]\n    architecture:\n      pooling: average+max\n',
    );
    const variant = path.join(tmp.dir, 'protocol-planes.yaml');
    writeFileSync(variant, text);
    const planesOut = path.join(tmp.dir, 'planes');
    const r = await runStudy({ manifest, out: planesOut, protocol: readProtocol(variant), trainOnly: true });
    expect(r.training?.reused).toBe(false);
    const backbone = loadBackbone(studyBackboneDirs(planesOut).model);
    // Three windows of three planes; the average and the maximum of 8 × 12 maps.
    expect(backbone.card.bagConfig.sliceChannels).toEqual([-2, 0, 2]);
    expect(backbone.card.input.channels).toBe(9);
    expect(backbone.card.architecture.pooling).toBe('average+max');
    expect(backbone.card.architecture.featureLength).toBe(192);
    const session = await openBackbone(backbone, ['cpu'], 1);
    const ref = backbone.reference;
    expect(ref.shape[1]).toBe(9);
    const inference = await inferBag(session, { data: ref.input, shape: ref.shape });
    ref.logit.forEach((logit, k) => expect(inference.probabilities[k]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 4));
  }, 240_000);

  it("the research page's background study shows the training, and a cancel during it resumes without training finished folds again", async () => {
    const resumeOut = path.join(tmp.dir, 'resume');
    const job = new StudyJob({ manifest, out: resumeOut, protocol: protocolFile, jobs: 2 });
    const seen: StudyJobStatus[] = [];
    const model = studyBackboneDirs(resumeOut).model;
    const fold1 = path.join(model, 'fold-1.json');
    // Cancelled as soon as the first fold has finished (its result file is written when it ends), while the second trains.
    for (;;) {
      const s = job.status();
      seen.push(s);
      if (s.state !== 'running' || existsSync(fold1)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelled = await job.cancel();
    expect(cancelled.state).toBe('cancelled');
    expect(seen.map((s) => s.stage)).toContain('bags');
    const training = seen.filter((s) => s.stage === 'train');
    expect(training.some((s) => s.training?.model === 'fold 1/2' && s.training.epochs === 1)).toBe(true);
    expect(training.every((s) => s.total > 0 && s.done <= s.total)).toBe(true);
    const fold1Time = statSync(fold1).mtimeMs;
    expect(existsSync(path.join(model, 'card.json'))).toBe(false);
    // The trainer was killed with the study: the second fold never finishes.
    await new Promise((r) => setTimeout(r, 3000));
    expect(existsSync(path.join(model, 'fold-2.json'))).toBe(false);

    // Started again: fold 1 is reused (its file untouched), fold 2 and the final model are trained.
    const events: TrainerEvent[] = [];
    const r = await runStudy({ manifest, out: resumeOut, protocol: readProtocol(protocolFile), trainOnly: true, onTrainerEvent: (e) => events.push(e) });
    expect(r.training?.reused).toBe(false);
    const folds = events.filter((e) => e.type === 'fold-done') as Extract<TrainerEvent, { type: 'fold-done' }>[];
    expect(folds.map((e) => [e.model, e.reused])).toEqual([
      ['fold 1/2', true],
      ['fold 2/2', false],
      ['final', false],
    ]);
    expect(statSync(fold1).mtimeMs).toBe(fold1Time);
    // Its progress starts after the reused fold's optimiser steps.
    const firstStep = events.find((e) => e.type === 'progress') as Extract<TrainerEvent, { type: 'progress' }>;
    expect(firstStep.model).toBe('fold 2/2');
    expect(firstStep.step).toBeGreaterThan(1);
  }, 240_000);
});
