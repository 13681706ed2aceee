import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HilumError } from '../core/errors.js';
import { shippedDataRoot } from '../core/version.js';
import { BagConfigSchema, type BagConfig } from './bag-config.js';

const AucSchema = z.number().min(0).max(1).nullable();

/** The card written by models/training/train_backbone.py beside the ONNX file. */
export const ModelCardSchema = z.object({
  name: z.string(),
  notice: z.string(),
  architecture: z.object({
    family: z.string(),
    pooling: z.enum(['average', 'average+max']).optional(),
    stageWidths: z.array(z.number()),
    parameters: z.number(),
    featureLength: z.number().int().positive(),
  }),
  onnx: z.object({
    file: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    opset: z.number(),
    input: z.string(),
    outputs: z.tuple([z.string(), z.string()]),
  }),
  input: z.object({ channels: z.number().int(), height: z.number().int(), width: z.number().int(), dtype: z.literal('float32'), layout: z.literal('NCHW') }),
  bagConfig: BagConfigSchema,
  bagEngineVersion: z.string(),
  training: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.object({ patients: z.number(), slices: z.number(), sliceAuc: AucSchema, meanProbabilityAuc: AucSchema })),
  reference: z.object({ input: z.string(), output: z.string() }),
  /** Out-of-fold slice probabilities of the training patients (cross-fitting), when the recipe made them. */
  outOfFold: z
    .object({
      file: z.string(),
      folds: z.number().int(),
      patients: z.number().int(),
      meanProbabilityAuc: z.number().optional(),
      description: z.string().optional(),
    })
    .optional(),
});

export type ModelCard = z.infer<typeof ModelCardSchema>;

export interface ReferenceOutputs {
  shape: [number, number, number, number];
  input: Float32Array;
  logit: number[];
  features: number[][];
}

/** A backbone read from disk and checked: its card, the ONNX bytes whose SHA-256 matches the card, and the reference slices. */
export interface Backbone {
  dir: string;
  card: ModelCard;
  bagConfig: BagConfig;
  onnxBytes: Uint8Array;
  sha256: string;
  reference: ReferenceOutputs;
}

/**
 * Reads a backbone folder (card.json, the ONNX file, the reference input and outputs) and refuses
 * it when the card is malformed or the ONNX file's SHA-256 is not the card's: a changed byte means
 * a model nobody validated. The bytes are read from a plain folder (models ship as extraResources,
 * outside asar, which ONNX Runtime cannot read).
 */
export function loadBackbone(dir: string): Backbone {
  const cardPath = path.join(dir, 'card.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cardPath, 'utf8'));
  } catch (error) {
    throw new HilumError({ code: 'MODEL_NOT_FOUND', message: `no readable model card at ${cardPath}: ${(error as Error).message}` });
  }
  const parsed = ModelCardSchema.safeParse(raw);
  if (!parsed.success)
    throw new HilumError({
      code: 'MODEL_CARD_INVALID',
      message: `${cardPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
  const card = parsed.data;
  const onnxBytes = readFileSync(path.join(dir, card.onnx.file));
  const sha256 = createHash('sha256').update(onnxBytes).digest('hex');
  if (sha256 !== card.onnx.sha256)
    throw new HilumError({
      code: 'MODEL_TAMPERED',
      message: `${path.join(dir, card.onnx.file)} is not the model its card describes (SHA-256 ${sha256}, card says ${card.onnx.sha256}); it will not be used`,
      hint: 'Reinstall Hilum or restore the model folder from its release.',
    });
  const refOut = JSON.parse(readFileSync(path.join(dir, card.reference.output), 'utf8')) as {
    shape: ReferenceOutputs['shape'];
    logit: number[];
    features: number[][];
  };
  const refBytes = readFileSync(path.join(dir, card.reference.input));
  const input = new Float32Array(refBytes.buffer.slice(refBytes.byteOffset, refBytes.byteOffset + refBytes.byteLength));
  if (input.length !== refOut.shape.reduce((a, b) => a * b, 1))
    throw new HilumError({ code: 'MODEL_CARD_INVALID', message: `${dir}: the reference input does not have the shape ${refOut.shape.join('×')}` });
  return { dir, card, bagConfig: card.bagConfig, onnxBytes, sha256, reference: { shape: refOut.shape, input, logit: refOut.logit, features: refOut.features } };
}

/** The backbone folder shipped with Hilum (models/hilum-demo-backbone beside the app). */
export function shippedBackboneDir(): string {
  return path.join(shippedDataRoot(), 'models', 'hilum-demo-backbone');
}

/** One training patient's out-of-fold slice probabilities and the SHA-256 of the bag they came from. */
export interface OutOfFoldOutputs {
  bag: string;
  p: number[];
}

/**
 * The backbone's out-of-fold slice probabilities by patient ID (empty when the card has none): each
 * training patient scored by a fold model trained without it, so signatures fitted on the training
 * split see deep outputs as honest as those of new patients.
 */
export function readOutOfFold(backbone: Backbone): Map<string, OutOfFoldOutputs> {
  const oof = backbone.card.outOfFold;
  if (!oof) return new Map();
  let raw: { patients?: Record<string, OutOfFoldOutputs> };
  try {
    raw = JSON.parse(readFileSync(path.join(backbone.dir, oof.file), 'utf8')) as { patients?: Record<string, OutOfFoldOutputs> };
  } catch (error) {
    throw new HilumError({
      code: 'MODEL_CARD_INVALID',
      message: `${backbone.dir}: out-of-fold outputs ${oof.file} are not readable (${(error as Error).message})`,
    });
  }
  return new Map(Object.entries(raw.patients ?? {}));
}
