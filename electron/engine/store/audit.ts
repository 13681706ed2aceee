/**
 * The audit log: one append-only row per change (who, when, what, which row, details). Every
 * repository write appends its row inside its own transaction, so a change and its audit row are
 * committed together or not at all. SQLite triggers (migration 1) refuse UPDATE and DELETE.
 */
import { jsonText, nowIso } from './values.js';
import type { Db } from './transaction.js';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditInput {
  actor: string;
  /** Dotted verb, e.g. `patient.create`, `bundle.activate`. */
  action: string;
  /** The table (or `schema`, `case`) the change is about. */
  entity: string;
  entityId?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends one audit row (call it inside the write's transaction); returns its sequence number. */
export function appendAudit(db: Db, entry: AuditInput): number {
  const info = db
    .prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail_json) VALUES (?, ?, ?, ?, ?, ?)')
    .run(nowIso(), entry.actor, entry.action, entry.entity, entry.entityId ?? null, entry.detail ? jsonText(entry.detail, 'audit detail') : null);
  return Number(info.lastInsertRowid);
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  detail_json: string | null;
}

/** Audit rows in order, optionally only those about one entity (and row). */
export function listAudit(db: Db, filter: { entity?: string; entityId?: string; limit?: number } = {}): AuditEntry[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.entity !== undefined) {
    where.push('entity = ?');
    args.push(filter.entity);
  }
  if (filter.entityId !== undefined) {
    where.push('entity_id = ?');
    args.push(filter.entityId);
  }
  const sql = `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT ?`;
  const rows = db.prepare(sql).all(...args, filter.limit ?? -1) as AuditRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    detail: r.detail_json === null ? null : (JSON.parse(r.detail_json) as Record<string, unknown>),
  }));
}
