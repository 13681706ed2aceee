/**
 * The study protocol: every choice a cohort study makes, written down, versioned and frozen into
 * the model bundle it produces. Defaults follow the method family of Huang et al. 2025 (univariable
 * then multivariable clinical model; radiomics and deep features z-scored on the training split,
 * filtered by ICC, Mann-Whitney U, correlation pruning and LASSO with 10-fold CV; combined model
 * drawn as a nomogram). A protocol file (YAML or JSON) overrides any subset of the defaults.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { HilumError } from '../core/errors.js';
import { refuseOutcomeCovariate } from '../stats/combat/combat-input.js';

export const PROTOCOL_FORMAT = 'hilum-study-protocol/1';

const clinicalVariable = z
  .object({
    /** Column of the cohort manifest. */
    column: z.string().min(1),
    /** numeric: a number; binary: 0/1 (or yes/no, true/false); categorical: dummy-coded against `reference`. */
    kind: z.enum(['numeric', 'binary', 'categorical']),
    label: z.string().optional(),
    unit: z.string().optional(),
    /** Plausible range; values outside are refused. */
    range: z.tuple([z.number(), z.number()]).optional(),
    /** Categorical: the levels and the reference level (first when not given). */
    levels: z.array(z.string()).optional(),
    reference: z.string().optional(),
    /** Value meaning 1 for a binary variable given as text (e.g. "male"). */
    positive: z.string().optional(),
    /**
     * Numeric only: the scale the models take the variable on. `log`: the natural logarithm, for a
     * strictly positive, right-skewed laboratory value (tumour markers are log-normal: a linear term
     * fitted on CEA 0.3–16 ng/mL would put a patient with 80 ng/mL at an odds ratio of e^(80·β)).
     * The value is still entered, range-checked and shown in its own unit; the nomogram draws its
     * axis in that unit with log-spaced ticks.
     */
    transform: z.enum(['log']).optional(),
  })
  .strict();

const featureSelection = z
  .object({
    /** Minimum ICC(2,1) between repeat segmentations; used only when the manifest has a repeat mask column. */
    iccThreshold: z.number().min(0).max(1).default(0.75),
    test: z.enum(['mann-whitney', 'welch', 'student']).default('mann-whitney'),
    pThreshold: z.number().gt(0).max(1).default(0.05),
    correlation: z
      .object({ method: z.enum(['pearson', 'spearman']).default('pearson'), cutoff: z.number().gt(0).max(1).default(0.9) })
      .strict()
      .default({ method: 'pearson', cutoff: 0.9 }),
    lasso: z
      .object({
        nFolds: z.number().int().min(3).max(20).default(10),
        seed: z.number().int().default(1),
        measure: z.enum(['deviance', 'auc']).default('deviance'),
        lambda: z.enum(['lambda.min', 'lambda.1se']).default('lambda.min'),
        /**
         * The λ rule of one signature where it differs from `lambda`. Default: the MIL signature takes
         * lambda.1se. Its candidates are a dozen codings of one quantity (histogram bins and words of
         * the slice probabilities, and their mean), and its training patients' values come from the
         * fold models while every later patient's come from the final model; the sparsest model
         * within one standard error of the best cross-validated deviance keeps the mean slice
         * probability and drops the bin and word shares that move between the two (docs/deep.md).
         */
        lambdaBySignature: z
          .object({
            radiomics: z.enum(['lambda.min', 'lambda.1se']).optional(),
            mil: z.enum(['lambda.min', 'lambda.1se']).optional(),
            dlrad: z.enum(['lambda.min', 'lambda.1se']).optional(),
          })
          .strict()
          .default({ mil: 'lambda.1se' }),
        /**
         * Smallest λ of the path as a fraction of λ_max. glmnet's default is 1e-4 when n > p, but the
         * far end of that path (hundreds of features nearly separating the training set) costs minutes
         * and never holds the CV optimum; 0.01 bounds it. A CV optimum at the path's end is reported.
         */
        lambdaMinRatio: z.number().gt(0).lt(1).default(0.01),
        /** Length of the computed λ path (glmnet's nlambda); 100 when not given. */
        nLambda: z.number().int().min(2).optional(),
        /**
         * A fixed λ list (glmnet's lambda=, at least two values ≥ 0, fitted in decreasing order) on the
         * scale of the z-scored features; it replaces the computed path, so nLambda and lambdaMinRatio
         * are not used.
         */
        lambdaGrid: z.array(z.number().min(0)).min(2).optional(),
      })
      .strict()
      .default({ nFolds: 10, seed: 1, measure: 'deviance', lambda: 'lambda.min', lambdaBySignature: { mil: 'lambda.1se' }, lambdaMinRatio: 0.01 }),
  })
  .strict();

const selectionDefaults = featureSelection.parse({});

/** Slurm's memory (`--mem`: a number with an optional K/M/G/T suffix) and time limit (`--time`: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS). */
const slurmMemory = z.string().regex(/^\d+[KMGT]?$/, 'a number with an optional K, M, G or T suffix, e.g. 8G');
const slurmTime = z
  .string()
  .regex(/^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/, 'minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS');
const slurmName = z.string().regex(/^[A-Za-z0-9_.,-]+$/, 'letters, digits, _ . , - only');

/**
 * Where the extraction runs on a Slurm cluster (`hilum study --slurm`, docs/cluster.md): the array
 * job's size and each task's resources, and the merge job's. Not part of the model: left out of the bundle.
 */
const slurmSettings = z
  .object({
    /** Array tasks: patient k of the manifest (0-based) goes to shard k mod shards + 1. */
    shards: z.number().int().min(1).max(10000).default(4),
    /** Cores per task; the task extracts that many patients at a time (`--jobs`). */
    cpusPerTask: z.number().int().min(1).max(1024).default(4),
    mem: slurmMemory.default('8G'),
    time: slurmTime.default('02:00:00'),
    partition: slurmName.optional(),
    account: slurmName.optional(),
    qos: slurmName.optional(),
    /** More sbatch options, each as one argument (e.g. `--constraint=avx2`). */
    sbatchOptions: z.array(z.string().regex(/^--?[A-Za-z][A-Za-z0-9-]*(=[^\n\r'"\\]*)?$/, 'one sbatch option such as --constraint=avx2')).default([]),
    /** The merge job (join the shards, fit, evaluate); task's mem and time when not given. */
    merge: z
      .object({ cpusPerTask: z.number().int().min(1).max(1024).default(1), mem: slurmMemory.optional(), time: slurmTime.optional() })
      .strict()
      .default({ cpusPerTask: 1 }),
  })
  .strict();

/**
 * In-study backbone training (the `train` stage of `hilum study`, docs/deep.md): the 2.5D backbone
 * trained with PyTorch in a child process on the study's training split, cross-fitted in `folds`
 * folds (out-of-fold slice probabilities for the training patients), then the final model on the
 * whole training split, exported to ONNX and used for every patient's deep features.
 */
const deepTraining = z
  .object({
    enabled: z.boolean().default(false),
    architecture: z
      .object({
        family: z.enum(['CompactResNet']).default('CompactResNet'),
        /** Channels of the first stage; the stages have width, 2×, 4×, 8×. */
        width: z.number().int().min(4).max(64).default(12),
        /**
         * Global pooling of the last feature maps: average (the class-activation-map head), or
         * average+max (both, side by side: a small finding in a corner of the crop is not averaged
         * away; no class-activation map — the report shows occlusion sensitivity).
         */
        pooling: z.enum(['average', 'average+max']).default('average'),
      })
      .strict()
      .default({ family: 'CompactResNet', width: 12, pooling: 'average' }),
    epochs: z.number().int().min(1).max(200).default(12),
    batch: z.number().int().min(2).max(1024).default(64),
    learningRate: z.number().gt(0).max(1).default(0.002),
    /** Cross-fitting folds for the training patients' out-of-fold outputs (≥ 2). */
    folds: z.number().int().min(2).max(10).default(3),
    seed: z.number().int().default(1),
    augmentation: z
      .object({
        /** In-plane flips and quarter turns. */
        flipRotate: z.boolean().default(true),
        /** Scanner and contrast variation in HU (contrast timing, kernel, noise grain, calibration); 0 off, 1 the documented ranges, 2 (default) twice as wide. */
        scanner: z.number().min(0).max(2).default(2),
      })
      .strict()
      .default({ flipRotate: true, scanner: 2 }),
    /**
     * scratch: random initial weights (seeded); shipped: every model (folds and final) starts from the
     * shipped backbone's weights (read from its ONNX file; the architecture must be the shipped one) and is fine-tuned.
     */
    init: z.enum(['scratch', 'shipped']).default('scratch'),
    /**
     * How the training bags (and then every patient's bag) are cut, where it differs from the shipped
     * backbone's card (deep/bag-config.ts): slice offsets, whether they reach beyond the tumour,
     * neighbouring planes as channels, extra planes, crop margin. The trained model's card records
     * the result, so the bedside cuts the same bags.
     */
    bag: z
      .object({
        offsets: z.array(z.number().int().min(-20).max(20)).min(1).max(21).optional(),
        offsetsBeyondTumour: z.boolean().optional(),
        sliceChannels: z.array(z.number().int().min(-10).max(10)).min(1).max(5).optional(),
        planes: z
          .array(z.enum(['coronal', 'sagittal']))
          .max(2)
          .optional(),
        cropMarginMm: z.number().min(0).max(100).optional(),
      })
      .strict()
      .refine((b) => !b.offsets || (b.offsets.includes(0) && new Set(b.offsets).size === b.offsets.length), {
        message: 'offsets must be distinct and include 0 (the largest tumour slice)',
        path: ['offsets'],
      })
      .optional(),
    /** auto: CUDA when the PyTorch found has it, else the CPU. */
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    /** PyTorch threads on the CPU. */
    threads: z.number().int().min(1).max(256).default(2),
    /** Python interpreter with PyTorch (HILUM_PYTHON overrides it; /usr/bin/python3 without either). Not part of the model: left out of the bundle. */
    python: z.string().min(1).optional(),
  })
  .strict();

export type DeepTrainingSettings = z.infer<typeof deepTraining>;

export const protocolSchema = z
  .object({
    format: z.literal(PROTOCOL_FORMAT).default(PROTOCOL_FORMAT),
    name: z.string().default('hilum-default'),
    description: z.string().default('Huang et al. 2025 method family: clinical, radiomics, MIL, DLRad and combined signatures'),
    outcome: z
      .object({ column: z.string().default('label'), name: z.string().default('occult lymph node metastasis') })
      .strict()
      .default({ column: 'label', name: 'occult lymph node metastasis' }),
    split: z
      .object({
        /** Centres whose patients are split into training and validation; every other centre is the external test. */
        trainingCentres: z.array(z.string().min(1)).min(1).default(['A']),
        validationFraction: z.number().gt(0).lt(1).default(0.3),
        seed: z.number().int().default(1),
        stratified: z.boolean().default(true),
      })
      .strict()
      .default({ trainingCentres: ['A'], validationFraction: 0.3, seed: 1, stratified: true }),
    radiomics: z
      .object({
        /** PyRadiomics parameter file (relative to the protocol file); the built-in CT settings without it. */
        parameterFile: z.string().optional(),
        /** Manifest column of a second, independent segmentation for the ICC filter (optional). */
        repeatMaskColumn: z.string().default('repeat_mask_path'),
        /**
         * Peritumoral radiomics (optional): the features of a ring of `ringMm` mm around the tumour
         * (radiomics/peritumoral.ts), extracted with `parameterFile` (relative to the protocol file;
         * the built-in resources/radiomics/hilum-ct-peritumoral.yaml without it), join the radiomics
         * candidates as `peritumoral-<r>-mm-…`.
         */
        peritumoral: z
          .object({
            ringMm: z.number().gt(0).max(30),
            parameterFile: z.string().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ repeatMaskColumn: 'repeat_mask_path' }),
    deep: z
      .object({
        /** Backbone folder (card.json, backbone.onnx); the shipped demonstration backbone without it. */
        model: z.string().optional(),
        plhBins: z.number().int().min(2).max(100).default(10),
        words: z.number().int().min(2).max(100).default(8),
        /** Also the mean slice probability as a MIL feature (deep/mil.ts), the mean-pooling operator of multi-instance learning. */
        meanProbability: z.boolean().default(true),
        /**
         * Principal components of the mean-pooled slice features that join the DLRad candidates. 0 (the
         * paper's DLRad: radiomics + MIL features): the raw embedding carries scanner texture, which
         * transports worse across centres.
         */
        pcaComponents: z.number().int().min(0).max(64).default(0),
        /**
         * auto: when the backbone ships out-of-fold probabilities for every training patient, the MIL
         * features of the training split are built from them (cross-fitting); off: from the final model.
         */
        outOfFold: z.enum(['auto', 'off']).default('auto'),
        /** In-study training of the backbone; off unless `enabled` (then `model` must not be given). */
        training: deepTraining.optional(),
      })
      .strict()
      .default({ plhBins: 10, words: 8, meanProbability: true, pcaComponents: 0, outOfFold: 'auto' }),
    clinical: z
      .object({
        variables: z.array(clinicalVariable).min(1).default(defaultClinicalVariables()),
        /** reject: a missing value stops the study naming the patients; impute: training median (numeric) or mode. */
        missing: z.enum(['reject', 'impute']).default('reject'),
        pEnter: z.number().gt(0).max(1).default(0.05),
        pKeep: z.number().gt(0).max(1).default(0.05),
        selection: z.enum(['p-value', 'backward-aic']).default('p-value'),
      })
      .strict()
      .default({ variables: defaultClinicalVariables(), missing: 'reject', pEnter: 0.05, pKeep: 0.05, selection: 'p-value' }),
    selection: featureSelection.default(selectionDefaults),
    /**
     * Optional ComBat harmonisation of the radiomics features across the batches of a manifest column
     * (centre, scanner) before feature selection (harmonisation.ts): fitted on the training split,
     * frozen in the bundle; a batch without training patients is estimated from its own patients.
     * Covariates to preserve are numeric or binary clinical variables of this protocol, never the outcome.
     */
    harmonisation: z
      .object({
        method: z.literal('combat').default('combat'),
        batchColumn: z.string().min(1),
        parametric: z.boolean().default(true),
        meanOnly: z.boolean().default(false),
        /** Leave this batch unchanged and bring the others to it (M-ComBat); needed when the training split has one batch. */
        referenceBatch: z.string().min(1).optional(),
        covariates: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    /**
     * Honest stacking (out-of-fold.ts): a signature score that is a predictor of another model (the
     * DLRad score in the combined nomogram; the radiomics, MIL and DLRad scores in their probability
     * calibration) enters that model's training fit out-of-fold, from K fits that each left the
     * patient's fold out; the bundle applies the full-training fit. outOfFold false: in-sample scores.
     */
    stacking: z
      .object({ outOfFold: z.boolean().default(true), folds: z.number().int().min(2).max(20).default(5), seed: z.number().int().default(1) })
      .strict()
      .default({ outOfFold: true, folds: 5, seed: 1 }),
    /** On separated data: refit with Firth's penalised likelihood and report it, or stop. */
    separation: z.enum(['firth', 'error']).default('firth'),
    /** Probability cut-offs between the risk categories (ascending); names one more than cut-offs. */
    riskCategories: z
      .object({ cutoffs: z.array(z.number().gt(0).lt(1)).min(1).default([0.1, 0.3]), names: z.array(z.string()).default(['low', 'intermediate', 'high']) })
      .strict()
      .default({ cutoffs: [0.1, 0.3], names: ['low', 'intermediate', 'high'] }),
    /** What the bundle may be used for, printed on every report. */
    intendedUse: z
      .string()
      .default(
        'Estimate the risk of occult lymph node metastasis before surgery in clinical N0 lung adenocarcinoma from contrast-enhanced CT and clinical data. Decision support; does not replace pathological nodal staging.',
      ),
    /** Written into the bundle's provenance; "synthetic" for phantom cohorts. */
    dataSource: z.enum(['synthetic', 'institutional']).default('institutional'),
    /** Cluster resources for `hilum study --slurm`; absent unless given (the defaults above apply then). */
    slurm: slurmSettings.optional(),
  })
  .strict();

export type StudyProtocol = z.infer<typeof protocolSchema>;
export type ClinicalVariable = z.infer<typeof clinicalVariable>;
export type FeatureSelectionSettings = z.infer<typeof featureSelection>;
export type SlurmSettings = z.infer<typeof slurmSettings>;

/** The Slurm settings of a protocol, with the defaults for what it leaves out. */
export function slurmSettingsOf(protocol: StudyProtocol): SlurmSettings {
  return protocol.slurm ?? slurmSettings.parse({});
}

/** The standard preoperative variables of the paper's clinical model (columns as `hilum phantom` writes them). */
export function defaultClinicalVariables(): ClinicalVariable[] {
  return [
    { column: 'age_years', kind: 'numeric', label: 'Age', unit: 'years', range: [18, 100] },
    { column: 'sex', kind: 'binary', label: 'Male sex', positive: 'male' },
    { column: 'smoker', kind: 'binary', label: 'Smoking history' },
    { column: 'cea_ng_ml', kind: 'numeric', label: 'CEA', unit: 'ng/mL', range: [0.05, 1000], transform: 'log' },
    { column: 'cyfra_ng_ml', kind: 'numeric', label: 'CYFRA 21-1', unit: 'ng/mL', range: [0.05, 1000], transform: 'log' },
    { column: 'location', kind: 'binary', label: 'Central location', positive: 'central' },
    { column: 'diameter_mm', kind: 'numeric', label: 'Tumour diameter', unit: 'mm', range: [1, 100] },
    { column: 'ctr', kind: 'numeric', label: 'Consolidation-to-tumour ratio', range: [0, 1] },
    { column: 'lobulation', kind: 'binary', label: 'Lobulation' },
    { column: 'spiculation', kind: 'binary', label: 'Spiculation' },
    { column: 'pleural_indentation', kind: 'binary', label: 'Pleural indentation' },
    { column: 'vacuole', kind: 'binary', label: 'Vacuole sign' },
    { column: 'air_bronchogram', kind: 'binary', label: 'Air bronchogram' },
    { column: 'vascular_convergence', kind: 'binary', label: 'Vascular convergence' },
  ];
}

/** The default protocol. */
export function defaultProtocol(): StudyProtocol {
  return protocolSchema.parse({});
}

/** Validates a protocol object; every problem is named with its path. */
export function parseProtocol(raw: unknown, source = 'protocol'): StudyProtocol {
  const parsed = protocolSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new HilumError({
      code: 'PROTOCOL_INVALID',
      message: `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
      hint: 'See docs/study.md for the protocol fields and their defaults.',
    });
  const p = parsed.data;
  if (p.riskCategories.names.length !== p.riskCategories.cutoffs.length + 1)
    throw new HilumError({ code: 'PROTOCOL_INVALID', message: `${source}: riskCategories needs one more name than cut-offs` });
  for (let i = 1; i < p.riskCategories.cutoffs.length; i++)
    if (!(p.riskCategories.cutoffs[i] > p.riskCategories.cutoffs[i - 1]))
      throw new HilumError({ code: 'PROTOCOL_INVALID', message: `${source}: riskCategories.cutoffs must increase` });
  if (p.deep.training?.enabled && p.deep.model)
    throw new HilumError({
      code: 'PROTOCOL_INVALID',
      message: `${source}: deep.model and deep.training.enabled are both given; the study trains its own backbone, so leave deep.model out`,
    });
  const columns = p.clinical.variables.map((v) => v.column);
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate) throw new HilumError({ code: 'PROTOCOL_INVALID', message: `${source}: clinical variable ${duplicate} is listed twice` });
  for (const v of p.clinical.variables) checkTransform(v, source);
  if (p.harmonisation) checkHarmonisation(p, source);
  return p;
}

/** A log scale needs a numeric variable whose plausible range (when given) lies above zero. */
function checkTransform(v: ClinicalVariable, source: string): void {
  if (!v.transform) return;
  if (v.kind !== 'numeric')
    throw new HilumError({
      code: 'PROTOCOL_INVALID',
      message: `${source}: clinical variable ${v.column}: transform '${v.transform}' needs a numeric variable (it is ${v.kind})`,
    });
  if (v.range && !(v.range[0] > 0))
    throw new HilumError({
      code: 'PROTOCOL_INVALID',
      message: `${source}: clinical variable ${v.column}: a log scale needs a plausible range above 0 (it is ${v.range[0]}–${v.range[1]})`,
      hint: "Set the range to start at the laboratory's lower reporting limit, e.g. [0.05, 1000].",
    });
}

/** The harmonisation step's batch column and covariates: never the outcome; covariates are numeric or binary clinical variables (known at the bedside). */
function checkHarmonisation(p: StudyProtocol, source: string): void {
  const h = p.harmonisation!;
  const outcome = p.outcome.column;
  refuseOutcomeCovariate(h.covariates, outcome);
  if (h.batchColumn === outcome)
    throw new HilumError({ code: 'HARMONISE_OUTCOME_COVARIATE', message: `${source}: harmonisation.batchColumn cannot be the outcome '${outcome}'` });
  for (const c of h.covariates) {
    const v = p.clinical.variables.find((x) => x.column === c);
    if (!v || v.kind === 'categorical')
      throw new HilumError({
        code: 'PROTOCOL_INVALID',
        message: `${source}: harmonisation covariate '${c}' must be a numeric or binary variable of clinical.variables${v ? ` (it is categorical)` : ''}`,
        hint: 'Covariates are preserved at the bedside too, so they must be clinical inputs of the model.',
      });
  }
}

/** Reads a protocol file (YAML or JSON); relative paths inside it are resolved against its folder. */
export function readProtocol(file: string): StudyProtocol {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HilumError({ code: 'PROTOCOL_INVALID', message: `${file}: not readable YAML/JSON (${(error as Error).message})` });
  }
  const p = parseProtocol(raw, file);
  const dir = path.dirname(path.resolve(file));
  if (p.radiomics.parameterFile) p.radiomics.parameterFile = path.resolve(dir, p.radiomics.parameterFile);
  if (p.radiomics.peritumoral?.parameterFile) p.radiomics.peritumoral.parameterFile = path.resolve(dir, p.radiomics.peritumoral.parameterFile);
  if (p.deep.model) p.deep.model = path.resolve(dir, p.deep.model);
  return p;
}
