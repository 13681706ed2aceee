/**
 * Feature sets: the radiomics or deep features extracted from one segmentation version of a series,
 * with the hash of the extraction settings and the engine version that made them (so a cached set
 * is reused only when both still match).
 */
import { HilumError } from '../core/errors.js';
import { appendAudit } from './audit.js';
import { getSegmentation } from './segmentations.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, jsonText, newId, nowIso, requireSha256 } from './values.js';
import { engineVersion as currentEngineVersion } from '../core/version.js';

export type FeatureKind = 'radiomics' | 'deep';

export interface FeatureSet {
  id: string;
  seriesId: string;
  segmentationId: string;
  settingsSha256: string;
  engineVersion: string;
  kind: FeatureKind;
  features: unknown;
  createdAt: string;
}

export interface FeatureSetInput {
  segmentationId: string;
  settingsSha256: string;
  kind: FeatureKind;
  /** Any JSON value (e.g. feature name → number); non-finite numbers must be given as null. */
  features: unknown;
  /** Default: this engine's version. */
  engineVersion?: string;
}

interface FeatureRow {
  id: string;
  series_id: string;
  segmentation_id: string;
  settings_sha256: string;
  engine_version: string;
  kind: FeatureKind;
  features_json: string;
  created_at: string;
}

function toFeatureSet(r: FeatureRow): FeatureSet {
  return {
    id: r.id,
    seriesId: r.series_id,
    segmentationId: r.segmentation_id,
    settingsSha256: r.settings_sha256,
    engineVersion: r.engine_version,
    kind: r.kind,
    features: JSON.parse(r.features_json) as unknown,
    createdAt: r.created_at,
  };
}

/** Inserts a complete feature set row as given. */
export function insertFeatureSet(db: Db, f: FeatureSet): void {
  db.prepare(
    `INSERT INTO feature_sets (id, series_id, segmentation_id, settings_sha256, engine_version, kind, features_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(f.id, f.seriesId, f.segmentationId, f.settingsSha256, f.engineVersion, f.kind, jsonText(f.features, 'the features'), f.createdAt);
}

/** Adds a feature set for a segmentation version (its series is the segmentation's). */
export function addFeatureSet(db: Db, input: FeatureSetInput, actor = defaultActor()): FeatureSet {
  requireSha256(input.settingsSha256, 'the settings SHA-256');
  if (input.kind !== 'radiomics' && input.kind !== 'deep')
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `feature set kind must be 'radiomics' or 'deep', not ${JSON.stringify(input.kind)}` });
  if (input.features === undefined) throw new HilumError({ code: 'STORE_INVALID_VALUE', message: 'a feature set needs its features' });
  return writeTransaction(db, () => {
    const segmentation = getSegmentation(db, input.segmentationId);
    if (!segmentation)
      throw new HilumError({
        code: 'SEGMENTATION_NOT_FOUND',
        message: `no segmentation ${input.segmentationId} in the case store`,
        data: { segmentationId: input.segmentationId },
      });
    const set: FeatureSet = {
      id: newId(),
      seriesId: segmentation.seriesId,
      segmentationId: segmentation.id,
      settingsSha256: input.settingsSha256,
      engineVersion: input.engineVersion ?? currentEngineVersion(),
      kind: input.kind,
      features: input.features,
      createdAt: nowIso(),
    };
    insertFeatureSet(db, set);
    appendAudit(db, {
      actor,
      action: 'features.add',
      entity: 'feature_sets',
      entityId: set.id,
      detail: { segmentationId: set.segmentationId, kind: set.kind, settingsSha256: set.settingsSha256, engineVersion: set.engineVersion },
    });
    return set;
  });
}

/** The newest feature set of this kind for a segmentation made with these settings by this engine version. */
export function findFeatureSet(
  db: Db,
  segmentationId: string,
  kind: FeatureKind,
  settingsSha256: string,
  engineVersion = currentEngineVersion(),
): FeatureSet | undefined {
  const row = db
    .prepare(
      'SELECT * FROM feature_sets WHERE segmentation_id = ? AND kind = ? AND settings_sha256 = ? AND engine_version = ? ORDER BY created_at DESC, id DESC LIMIT 1',
    )
    .get(segmentationId, kind, settingsSha256, engineVersion) as FeatureRow | undefined;
  return row && toFeatureSet(row);
}

/** Every feature set of the patient's series, oldest first. */
export function listFeatureSetsOfPatient(db: Db, patientId: string): FeatureSet[] {
  return (
    db
      .prepare(
        `SELECT f.* FROM feature_sets f JOIN series se ON se.id = f.series_id JOIN studies st ON st.id = se.study_id
         WHERE st.patient_id = ? ORDER BY f.created_at, f.id`,
      )
      .all(patientId) as FeatureRow[]
  ).map(toFeatureSet);
}
