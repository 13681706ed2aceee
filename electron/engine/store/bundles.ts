/**
 * The model bundle registry. A bundle is stored by its content SHA-256 as its canonical JSON, after
 * `parseBundle` has verified it (a tampered file is refused before anything is written); reading it
 * back verifies the hash again. At most one bundle is `active` (a partial unique index enforces it);
 * activating one returns the previous active bundle to `imported` in the same transaction. A
 * `retired` bundle is kept (predictions cite it) but can no longer be activated.
 */
import { HilumError } from '../core/errors.js';
import { parseBundle, serializeBundle, type ModelBundle } from '../signatures/bundle.js';
import { appendAudit } from './audit.js';
import { writeTransaction, type Db } from './transaction.js';
import { defaultActor, nowIso, requireSha256 } from './values.js';

export type BundleStatus = 'imported' | 'active' | 'retired';

export interface BundleEntry {
  contentSha256: string;
  name: string;
  synthetic: boolean;
  createdAt: string;
  importedAt: string;
  status: BundleStatus;
}

interface BundleRow {
  content_sha256: string;
  name: string;
  synthetic: number;
  created_at: string;
  imported_at: string;
  status: BundleStatus;
  bundle_json?: string;
}

const ENTRY_COLUMNS = 'content_sha256, name, synthetic, created_at, imported_at, status';

function toEntry(r: BundleRow): BundleEntry {
  return { contentSha256: r.content_sha256, name: r.name, synthetic: r.synthetic === 1, createdAt: r.created_at, importedAt: r.imported_at, status: r.status };
}

/**
 * Verifies and registers a bundle given as its file text (or as an already parsed bundle, which is
 * verified again). Importing a bundle that is already registered changes nothing and returns its entry.
 */
export function importBundle(db: Db, bundle: string | ModelBundle, actor = defaultActor(), source = 'model bundle'): BundleEntry {
  const parsed = parseBundle(typeof bundle === 'string' ? bundle : serializeBundle(bundle), source);
  return writeTransaction(db, () => {
    const existing = getBundleEntry(db, parsed.contentSha256);
    if (existing) return existing;
    const importedAt = nowIso();
    db.prepare(`INSERT INTO model_bundles (${ENTRY_COLUMNS}, bundle_json) VALUES (?, ?, ?, ?, ?, 'imported', ?)`).run(
      parsed.contentSha256,
      parsed.name,
      parsed.synthetic ? 1 : 0,
      parsed.createdAt,
      importedAt,
      serializeBundle(parsed),
    );
    appendAudit(db, {
      actor,
      action: 'bundle.import',
      entity: 'model_bundles',
      entityId: parsed.contentSha256,
      detail: { name: parsed.name, synthetic: parsed.synthetic, source },
    });
    return getBundleEntry(db, parsed.contentSha256) as BundleEntry;
  });
}

/** Makes the bundle the active one (the previous active one becomes `imported`); returns its entry. */
export function activateBundle(db: Db, contentSha256: string, actor = defaultActor()): BundleEntry {
  return writeTransaction(db, () => {
    const entry = requireEntry(db, contentSha256);
    if (entry.status === 'retired')
      throw new HilumError({
        code: 'BUNDLE_RETIRED',
        message: `model bundle ${entry.name} (${contentSha256.slice(0, 12)}…) has been retired and cannot be activated`,
        data: { contentSha256 },
      });
    if (entry.status === 'active') return entry;
    getBundle(db, contentSha256); // re-verify the stored text before it goes into use
    const previous = getActiveBundleEntry(db);
    if (previous) db.prepare("UPDATE model_bundles SET status = 'imported' WHERE content_sha256 = ?").run(previous.contentSha256);
    db.prepare("UPDATE model_bundles SET status = 'active' WHERE content_sha256 = ?").run(contentSha256);
    appendAudit(db, {
      actor,
      action: 'bundle.activate',
      entity: 'model_bundles',
      entityId: contentSha256,
      detail: { name: entry.name, previous: previous?.contentSha256 ?? null },
    });
    return requireEntry(db, contentSha256);
  });
}

/** Retires the bundle: kept for the predictions that cite it, never active again. */
export function retireBundle(db: Db, contentSha256: string, actor = defaultActor(), reason?: string): BundleEntry {
  return writeTransaction(db, () => {
    const entry = requireEntry(db, contentSha256);
    if (entry.status === 'retired') return entry;
    db.prepare("UPDATE model_bundles SET status = 'retired' WHERE content_sha256 = ?").run(contentSha256);
    appendAudit(db, {
      actor,
      action: 'bundle.retire',
      entity: 'model_bundles',
      entityId: contentSha256,
      detail: { name: entry.name, wasActive: entry.status === 'active', ...(reason ? { reason } : {}) },
    });
    return requireEntry(db, contentSha256);
  });
}

/** The registry entry (no bundle text), or undefined. */
export function getBundleEntry(db: Db, contentSha256: string): BundleEntry | undefined {
  const row = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM model_bundles WHERE content_sha256 = ?`).get(contentSha256) as BundleRow | undefined;
  return row && toEntry(row);
}

export function getActiveBundleEntry(db: Db): BundleEntry | undefined {
  const row = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM model_bundles WHERE status = 'active'`).get() as BundleRow | undefined;
  return row && toEntry(row);
}

/** Every registered bundle, newest import first. */
export function listBundles(db: Db): BundleEntry[] {
  return (db.prepare(`SELECT ${ENTRY_COLUMNS} FROM model_bundles ORDER BY imported_at DESC, content_sha256`).all() as BundleRow[]).map(toEntry);
}

/** The bundle with this hash, re-verified from its stored text (BUNDLE_TAMPERED / BUNDLE_MISMATCH if it changed); undefined when not registered. */
export function getBundle(db: Db, contentSha256: string): ModelBundle | undefined {
  requireSha256(contentSha256, 'the bundle SHA-256');
  const row = db.prepare('SELECT bundle_json FROM model_bundles WHERE content_sha256 = ?').get(contentSha256) as { bundle_json: string } | undefined;
  return row && parseBundle(row.bundle_json, `stored model bundle ${contentSha256.slice(0, 12)}…`, contentSha256);
}

/** The active bundle, verified; undefined when none is active. */
export function getActiveBundle(db: Db): ModelBundle | undefined {
  const entry = getActiveBundleEntry(db);
  return entry && getBundle(db, entry.contentSha256);
}

/** The entry, or BUNDLE_NOT_REGISTERED. */
export function requireEntry(db: Db, contentSha256: string): BundleEntry {
  const entry = getBundleEntry(db, contentSha256);
  if (!entry)
    throw new HilumError({
      code: 'BUNDLE_NOT_REGISTERED',
      message: `model bundle ${String(contentSha256).slice(0, 12)}… is not in this workstation's model registry`,
      hint: 'Import the model bundle first.',
      data: { contentSha256 },
    });
  return entry;
}
