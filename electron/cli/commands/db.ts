import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { HilumError } from '../../engine/core/errors.js';
import { readBundle } from '../../engine/signatures/bundle.js';
import * as store from '../../engine/store/index.js';
import { fmt } from '../output.js';

/** Opens an existing case store (a typo must not create an empty one), runs `fn`, closes it. */
async function withStore<T>(file: string, fn: (db: store.Db) => T | Promise<T>, options: { readonly?: boolean; create?: boolean } = {}): Promise<T> {
  if (!options.create && !existsSync(file)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `case store ${file} does not exist` });
  const db = store.openDatabase(file, { readonly: options.readonly });
  try {
    return await fn(db);
  } finally {
    store.closeDatabase(db);
  }
}

function patientIdOf(db: store.Db, pseudonym: string): string {
  const p = store.findPatientByPseudonym(db, pseudonym);
  if (!p) throw new HilumError({ code: 'PATIENT_NOT_FOUND', message: `no patient with pseudonym '${pseudonym}' in the case store` });
  return p.id;
}

const print = (json: boolean | undefined, value: unknown, text: string) => process.stdout.write((json ? JSON.stringify(value, null, 2) : text) + '\n');

export function registerDb(program: Command): void {
  const db = program.command('db').description('the case store (SQLite): backup, worklist, case export/import, audit log, model bundle registry');

  db.command('backup')
    .description('online backup of the case store to a new file, checked with PRAGMA integrity_check')
    .requiredOption('--db <file>', 'the case store')
    .requiredOption('--out <file>', 'the backup file (must not exist)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { db: string; out: string; json?: boolean }) => {
      const r = await withStore(o.db, (d) => store.backupDatabase(d, o.out), { readonly: true });
      const rows = Object.entries(r.counts)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      print(o.json, r, `backed up ${o.db} → ${r.file} (schema v${r.schemaVersion}, integrity ok): ${rows}`);
    });

  db.command('cases')
    .description('the worklist: every case with its status (imported / segmented / predicted / reported)')
    .requiredOption('--db <file>', 'the case store')
    .option('--search <text>', 'only pseudonyms containing this text')
    .option('--json', 'print as JSON')
    .action(async (o: { db: string; search?: string; json?: boolean }) => {
      const cases = await withStore(o.db, (d) => store.listCases(d, { search: o.search }), { readonly: true });
      const lines = cases.map((c) => {
        const p = c.latestPrediction;
        const risk = p ? (p.probability === null ? 'refused' : `${fmt(p.probability * 100, 1)}% ${p.category}`) : '';
        return `${c.pseudonym.padEnd(16)} ${c.status.padEnd(10)} ${String(c.predictions).padStart(3)} prediction(s)  ${risk}`;
      });
      print(o.json, cases, lines.length ? lines.join('\n') : 'no cases');
    });

  db.command('export-case')
    .description(
      'write one case (patient, studies, series, every segmentation and clinical version, features, predictions, report records) to a hashed JSON file',
    )
    .requiredOption('--db <file>', 'the case store')
    .requiredOption('--patient <pseudonym>', 'the patient')
    .requiredOption('--out <file>', 'the case file (.hilum-case.json)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { db: string; patient: string; out: string; json?: boolean }) => {
      const r = await withStore(o.db, (d) => store.exportCase(d, patientIdOf(d, o.patient), o.out));
      print(o.json, r, `exported ${o.patient} → ${r.file} (${r.bytes} bytes, content SHA-256 ${r.contentSha256})`);
    });

  db.command('import-case')
    .description('import a case file written by export-case; its model bundles must already be registered')
    .requiredOption('--db <file>', 'the case store (created when missing)')
    .argument('<file>', 'the case file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { db: string; json?: boolean }) => {
      const r = await withStore(o.db, (d) => store.importCase(d, file), { create: true });
      print(
        o.json,
        r,
        `${r.status === 'unchanged' ? 'already present' : 'imported'}: ${r.pseudonym} (${Object.entries(r.counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')})`,
      );
    });

  db.command('audit')
    .description('the append-only audit log: who did what, when, to which record')
    .requiredOption('--db <file>', 'the case store')
    .option('--entity <table>', 'only entries about this kind of record (patients, predictions, model_bundles, …)')
    .option('--id <id>', 'only entries about this record')
    .option('--limit <n>', 'at most this many entries')
    .option('--json', 'print as JSON')
    .action(async (o: { db: string; entity?: string; id?: string; limit?: string; json?: boolean }) => {
      const limit = o.limit === undefined ? undefined : Number(o.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--limit must be a positive integer, got '${o.limit}'` });
      const entries = await withStore(o.db, (d) => store.listAudit(d, { entity: o.entity, entityId: o.id, limit }), { readonly: true });
      const lines = entries.map((e) => `${String(e.seq).padStart(5)}  ${e.at}  ${e.actor.padEnd(10)} ${e.action.padEnd(22)} ${e.entity} ${e.entityId ?? ''}`);
      print(o.json, entries, lines.length ? lines.join('\n') : 'no entries');
    });

  db.command('activate-bundle')
    .description('register a model bundle (its hash is verified) and make it the one bedside predictions use')
    .requiredOption('--db <file>', 'the case store (created when missing)')
    .argument('<bundle>', 'the model bundle file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { db: string; json?: boolean }) => {
      const bundle = readBundle(file);
      const d = store.openDatabase(o.db);
      try {
        store.importBundle(d, bundle);
        const entry = store.activateBundle(d, bundle.contentSha256);
        print(o.json, entry, `active bundle: ${bundle.name} ${bundle.contentSha256}${bundle.synthetic ? ' (SYNTHETIC demonstration model)' : ''}`);
      } finally {
        store.closeDatabase(d);
      }
    });
}
