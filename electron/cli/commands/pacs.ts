import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { pickPacsNode, readPacsConfig } from '../../engine/pacs/config.js';
import { qidoStudies, stowInstances } from '../../engine/pacs/dicomweb.js';
import { echoPacs } from '../../engine/pacs/echo.js';
import { findSeries, findStudies } from '../../engine/pacs/find.js';
import { parsePacsNode, type PacsNode } from '../../engine/pacs/node.js';
import { retrieveCtSeries } from '../../engine/pacs/retrieve.js';
import { sendAndRecord } from '../../engine/pacs/send-record.js';
import { sendToPacs, storeStatusText } from '../../engine/pacs/send.js';
import * as store from '../../engine/store/index.js';
import { fmt } from '../output.js';

interface NodeFlags {
  config?: string;
  node?: string;
  aet?: string;
  host?: string;
  port?: string;
  callingAet?: string;
  timeoutMs?: string;
  dicomwebUrl?: string;
  json?: boolean;
}

const print = (json: boolean | undefined, value: unknown, text: string) => process.stdout.write((json ? JSON.stringify(value, null, 2) : text) + '\n');

function withNodeFlags(command: Command): Command {
  return command
    .option('--config <file>', 'PACS configuration (JSON or YAML with a "nodes" list)')
    .option('--node <name>', 'which configured node (default: the configured default, else the first)')
    .option('--aet <title>', "the PACS's AE title (overrides the configuration)")
    .option('--host <host>', 'the PACS host')
    .option('--port <n>', 'the PACS DICOM port')
    .option('--calling-aet <title>', "Hilum's AE title as the PACS knows it (default HILUM)")
    .option('--timeout-ms <n>', 'connection and PDU timeout in ms (default 10000)')
    .option('--dicomweb-url <url>', "the PACS's DICOMweb root, for --dicomweb")
    .option('--json', 'print the result as JSON');
}

/** The PACS node from the configuration file, with any flag given overriding its field. */
function nodeFrom(o: NodeFlags): PacsNode {
  const base: Record<string, unknown> = o.config ? { ...pickPacsNode(readPacsConfig(o.config), o.node) } : { name: 'command line' };
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `${flag} must be an integer, got '${v}'` });
    return n;
  };
  const overrides: Record<string, unknown> = {
    aeTitle: o.aet,
    host: o.host,
    port: number('--port', o.port),
    callingAeTitle: o.callingAet,
    timeoutMs: number('--timeout-ms', o.timeoutMs),
    dicomWebUrl: o.dicomwebUrl,
  };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) base[k] = v;
  if (!o.config && (o.aet === undefined || o.host === undefined || o.port === undefined))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'Name the PACS: --config <file> [--node <name>], or --aet, --host and --port' });
  return parsePacsNode(base);
}

/** Ctrl-C cancels a transfer cleanly (the association is aborted, nothing partial is kept). */
function cancelOnInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

export function registerPacs(program: Command): void {
  const pacs = program
    .command('pacs')
    .description('the hospital PACS over DICOM (DIMSE): test the connection, find studies, retrieve a CT series, send results');

  withNodeFlags(pacs.command('echo').description('test the connection (C-ECHO)')).action(async (o: NodeFlags) => {
    const node = nodeFrom(o);
    const r = await echoPacs(node);
    print(o.json, { node: node.name, ...r }, `${node.aeTitle}@${node.host}:${node.port} answered C-ECHO (status 0) in ${fmt(r.roundTripMs, 1)} ms`);
  });

  withNodeFlags(pacs.command('find').description('find studies (C-FIND, study level), or the series of one study with --study'))
    .option('--patient-id <id>', 'patient ID')
    .option('--patient-name <name>', 'patient name, * and ? as wildcards (DOE^*)')
    .option('--date <range>', 'study date YYYYMMDD or range YYYYMMDD-YYYYMMDD')
    .option('--modality <m>', 'a modality in the study (CT)')
    .option('--study <uid>', 'list the series of this study instead')
    .option('--dicomweb', 'search by QIDO-RS at the node’s DICOMweb URL instead of C-FIND (studies only)')
    .action(async (o: NodeFlags & { patientId?: string; patientName?: string; date?: string; modality?: string; study?: string; dicomweb?: boolean }) => {
      const node = nodeFrom(o);
      if (o.study && o.dicomweb) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--dicomweb searches studies only; list series without it' });
      if (o.study) {
        const series = await findSeries(node, o.study);
        const lines = series.map(
          (s) =>
            `${s.modality.padEnd(4)} ${String(s.seriesNumber ?? '').padStart(4)} ${String(s.instanceCount ?? '?').padStart(5)} images  ${s.seriesInstanceUid}  ${s.seriesDescription}`,
        );
        print(o.json, series, lines.length ? lines.join('\n') : 'no series');
        return;
      }
      const query = {
        ...(o.patientId !== undefined ? { patientId: o.patientId } : {}),
        ...(o.patientName !== undefined ? { patientName: o.patientName } : {}),
        ...(o.date !== undefined ? { studyDate: o.date } : {}),
        ...(o.modality !== undefined ? { modality: o.modality } : {}),
      };
      const studies = o.dicomweb ? await qidoStudies(node, query) : await findStudies(node, query);
      const lines = studies.map(
        (s) =>
          `${s.patientId.padEnd(14)} ${s.patientName.padEnd(20)} ${s.studyDate} ${s.modalities.join('/').padEnd(8)} ${s.studyInstanceUid}  ${s.studyDescription}`,
      );
      print(o.json, studies, lines.length ? lines.join('\n') : 'no studies');
    });

  withNodeFlags(pacs.command('get').description('retrieve a CT series (C-GET) into a folder or the case store’s managed image folder'))
    .requiredOption('--study <uid>', 'the study')
    .option('--series <uid>', 'the CT series (default: the study’s CT series with the most images)')
    .option('--out <dir>', 'put the series in <dir>/<SeriesInstanceUID>')
    .option('--db <file>', 'or in the managed image folder beside this case store (hilum-images/pacs/<SeriesInstanceUID>)')
    .action(async (o: NodeFlags & { study: string; series?: string; out?: string; db?: string }) => {
      if ((o.out === undefined) === (o.db === undefined))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'Give exactly one of --out <dir> or --db <file>' });
      if (o.db !== undefined && !existsSync(o.db)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `case store ${o.db} does not exist` });
      const node = nodeFrom(o);
      const dest = o.out ?? path.join(path.dirname(path.resolve(o.db!)), 'hilum-images', 'pacs');
      const bar =
        !o.json && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'retrieving |{bar}| {value}/{total}', clearOnComplete: true },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let started = false;
      const cancel = cancelOnInterrupt();
      try {
        const r = await retrieveCtSeries(node, { studyInstanceUid: o.study, ...(o.series ? { seriesInstanceUid: o.series } : {}) }, dest, {
          signal: cancel.signal,
          onProgress: (p) => {
            if (!bar) return;
            if (!started) bar.start(p.total ?? p.received, 0);
            started = true;
            bar.setTotal(p.total ?? p.received);
            bar.update(p.received);
          },
        });
        if (started) bar?.stop();
        const summary = { folder: r.folder, series: r.series, instances: r.files.length, bytes: r.bytes, seconds: r.seconds };
        print(
          o.json,
          summary,
          `retrieved ${r.files.length} CT images (${fmt(r.bytes / 1e6, 1)} MB) in ${fmt(r.seconds, 2)} s → ${r.folder}\nopen it with: hilum predict --image ${r.folder} …`,
        );
      } finally {
        if (started) bar?.stop();
        cancel.dispose();
      }
    });

  withNodeFlags(pacs.command('send').description('send DICOM files (SEG, Encapsulated PDF, SR) by C-STORE; with --db every answer goes into the audit log'))
    .argument('<files...>', 'the DICOM files')
    .option('--db <file>', 'the case store whose audit log records each instance and the PACS’s answer')
    .option('--retries <n>', 'further attempts for instances not stored (default 1)')
    .option('--actor <name>', 'who sends, for the audit log (default: the system user)')
    .option('--dicomweb', 'send by STOW-RS to the node’s DICOMweb URL instead of C-STORE (no retries)')
    .action(async (files: string[], o: NodeFlags & { db?: string; retries?: string; actor?: string; dicomweb?: boolean }) => {
      const node = nodeFrom(o);
      const retries = o.retries === undefined ? 1 : Number(o.retries);
      if (!(Number.isInteger(retries) && retries >= 0 && retries <= 10))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--retries must be an integer from 0 to 10, got '${o.retries}'` });
      let results;
      if (o.db !== undefined) {
        if (!existsSync(o.db)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `case store ${o.db} does not exist` });
        const db = store.openDatabase(o.db);
        try {
          results = await sendAndRecord(db, node, files, o.actor ?? store.defaultActor(), { retries, via: o.dicomweb ? 'dicomweb' : 'dimse' });
        } finally {
          store.closeDatabase(db);
        }
      } else {
        results = o.dicomweb ? await stowInstances(node, files) : await sendToPacs(node, files, { retries });
        const failed = results.filter((r) => !r.stored);
        if (failed.length)
          throw new HilumError({
            code: 'PACS_SEND_FAILED',
            message: `The PACS did not store ${failed.length} of ${results.length} instance(s): ${failed.map((f) => `${f.file} (${f.error ?? 'no answer'})`).join('; ')}`,
            data: { failed },
          });
      }
      const lines = results.map((r) => `${storeStatusText(r.status).padEnd(8)} ${r.sopInstanceUid}  ${r.file}`);
      const where = o.dicomweb ? `STOW-RS ${node.dicomWebUrl ?? ''}` : `${node.aeTitle}@${node.host}:${node.port}`;
      print(o.json, results, `${where} stored ${results.length} instance(s):\n${lines.join('\n')}`);
    });
}
