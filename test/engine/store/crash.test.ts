import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, integrityCheck, openDatabase } from '../../../electron/engine/store/index.js';
import { ROOT, tempDir } from '../../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('hilum-crash-')));
afterEach(() => cleanup());

/** Runs the writer until it has reported `commits` committed transactions, then SIGKILLs it; returns every id it reported. */
function runAndKill(file: string, commits: number): Promise<{ ids: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'engine', 'store', 'fixtures', 'crash-writer.ts'), file], { cwd: ROOT });
    let buffered = '';
    let stderr = '';
    const ids: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      ids.push(...lines.filter((l) => l.length > 0));
      if (ids.length >= commits && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve({ ids, signal }) : reject(new Error(`writer ended by itself (${_code}): ${stderr}`))));
  });
}

describe('crash safety', () => {
  it('after a writer is killed with SIGKILL mid-stream, the store is intact and holds exactly the whole transactions it committed', async () => {
    const file = path.join(dir, 'hilum.db');
    const { ids, signal } = await runAndKill(file, 60);
    expect(signal).toBe('SIGKILL');
    expect(ids.length).toBeGreaterThanOrEqual(60);

    const db = openDatabase(file);
    try {
      expect(integrityCheck(db)).toEqual(['ok']);
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
      const patients = db.prepare("SELECT id, pseudonym FROM patients WHERE pseudonym LIKE 'CRASH-%'").all() as { id: string; pseudonym: string }[];
      const present = new Set(patients.map((p) => p.id));
      for (const id of ids) expect(present.has(id), `committed patient ${id}`).toBe(true);
      // Committed but killed before printing: at most one more.
      expect(patients.length - ids.length).toBeGreaterThanOrEqual(0);
      expect(patients.length - ids.length).toBeLessThanOrEqual(1);
      // The pseudonyms are 0..n-1 without a gap: transactions commit in order, none lost.
      expect(patients.map((p) => Number(p.pseudonym.slice(6))).sort((a, b) => a - b)).toEqual(patients.map((_, i) => i));

      const clinical = db.prepare('SELECT patient_id, version, values_json FROM clinical_records').all() as {
        patient_id: string;
        version: number;
        values_json: string;
      }[];
      expect(clinical).toHaveLength(patients.length);
      const audit = db.prepare("SELECT action, entity_id, detail_json FROM audit_log WHERE actor = 'crash-writer'").all() as {
        action: string;
        entity_id: string;
        detail_json: string;
      }[];
      expect(audit).toHaveLength(2 * patients.length);
      for (const p of patients) {
        const mine = clinical.filter((c) => c.patient_id === p.id);
        expect(mine).toHaveLength(1);
        expect(mine[0].version).toBe(1);
        const values = JSON.parse(mine[0].values_json) as { i: number; padding: string };
        expect(`CRASH-${values.i}`).toBe(p.pseudonym);
        expect(values.padding).toHaveLength(20_000);
        expect(audit.filter((a) => a.action === 'patient.create' && a.entity_id === p.id)).toHaveLength(1);
        expect(audit.filter((a) => a.action === 'clinical.add' && (JSON.parse(a.detail_json) as { patientId: string }).patientId === p.id)).toHaveLength(1);
      }
      // No orphans: every clinical record and audit row belongs to a patient that exists.
      expect(clinical.every((c) => present.has(c.patient_id))).toBe(true);
      expect(audit.filter((a) => a.action === 'patient.create').every((a) => present.has(a.entity_id))).toBe(true);
    } finally {
      closeDatabase(db);
    }
  });
});
