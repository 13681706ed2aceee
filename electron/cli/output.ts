import cliProgress from 'cli-progress';
import { type Finding, isHilumError } from '../engine/core/errors.js';
import type { ImportProgress } from '../engine/imaging/dicom/import.js';

/** What the CLI prints for an error: the same message the UI shows, its code, and the hint. */
export function formatError(error: unknown): string {
  if (isHilumError(error)) {
    const lines = [`error [${error.code}]: ${error.message}`];
    if (error.hint) lines.push(`  what to do: ${error.hint}`);
    const others = error.findings.filter((f) => f.message !== error.message);
    for (const f of others) lines.push(`  ${f.severity}: ${f.message}`);
    return lines.join('\n');
  }
  return `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

export function formatFinding(f: Finding): string {
  return `${f.severity.padEnd(7)} [${f.code}] ${f.message}${f.hint ? `\n          what to do: ${f.hint}` : ''}`;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (so --json output stays clean). */
export function progressReporter(enabled: boolean): { onProgress: (p: ImportProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} |{bar}| {value}/{total}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  return {
    onProgress: (p) => {
      const label = p.phase === 'scan' ? 'reading headers' : 'decoding slices';
      if (phase !== p.phase) {
        if (phase) bar.stop();
        bar.start(p.total, p.done, { phase: label.padEnd(15) });
        phase = p.phase;
      } else bar.update(p.done, { phase: label.padEnd(15) });
    },
    stop: () => {
      if (phase) bar.stop();
    },
  };
}

/** Rounds for display; a value that is not a finite number (e.g. an AUC with one class) prints as "n/a". */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return 'n/a';
  return (Math.round(x * 10 ** digits) / 10 ** digits).toString();
}
