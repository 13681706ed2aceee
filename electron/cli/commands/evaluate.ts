import type { Command } from 'commander';
import { HilumError } from '../../engine/core/errors.js';
import { evaluateScores } from '../../engine/stats/evaluation.js';
import { fmt } from '../output.js';
import { readCsvRows } from '../read-csv.js';

interface EvaluateOptions {
  data: string;
  outcome: string;
  score: string[];
  probability?: boolean;
  json?: boolean;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      'evaluate scores against a 0/1 outcome as pROC and friends report it: AUC with DeLong 95 % CI, Youden threshold with sensitivity/specificity/accuracy/PPV/NPV, ' +
        'DeLong tests between scores; with --probability also Brier, Hosmer-Lemeshow, calibration intercept/slope and net benefit (docs/cli.md)',
    )
    .requiredOption('--data <file.csv>', 'a CSV with a header row')
    .requiredOption('--outcome <column>', 'the 0/1 outcome column (1 = event)')
    .requiredOption('--score <column>', 'a score column (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--probability', 'the scores are predicted probabilities: add calibration and decision curves')
    .option('--json', 'print the full report as JSON')
    .action((opts: EvaluateOptions) => {
      const { y, columns } = readNumericColumns(opts.data, opts.outcome, opts.score);
      const report = evaluateScores(opts.outcome, y, columns, { probability: opts.probability });
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 1) + '\n');
        return;
      }
      const lines = [`${opts.data}: outcome ${opts.outcome}, ${report.scores[0].cases} events / ${report.scores[0].n}`];
      for (const s of report.scores) {
        const best = s.youden[0];
        lines.push(
          `  ${s.score.padEnd(16)} AUC ${fmt(s.auc, 3)} (95 % CI ${fmt(s.auc95[0], 3)}–${fmt(s.auc95[1], 3)}, DeLong)  Youden threshold ${fmt(best.threshold, 4)}: ` +
            `sens ${fmt(best.sensitivity, 3)}, spec ${fmt(best.specificity, 3)}, acc ${fmt(best.accuracy, 3)}, PPV ${fmt(best.ppv, 3)}, NPV ${fmt(best.npv, 3)}`,
        );
        if (s.calibration)
          lines.push(
            `  ${''.padEnd(16)} Brier ${fmt(s.calibration.brier, 4)}, Hosmer-Lemeshow χ² ${fmt(s.calibration.hosmerLemeshow.statistic, 3)} (p ${fmt(s.calibration.hosmerLemeshow.p, 4)}), ` +
              `calibration intercept ${fmt(s.calibration.intercept, 3)}, slope ${fmt(s.calibration.slope, 3)}`,
          );
      }
      for (const c of report.comparisons)
        lines.push(`  DeLong ${c.score1} vs ${c.score2}: AUC ${fmt(c.auc1, 3)} vs ${fmt(c.auc2, 3)}, z ${fmt(c.z, 3)}, p ${fmt(c.p, 4)}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** The outcome and the named columns as numbers; a missing or non-numeric value is refused with its row and column. */
export function readNumericColumns(file: string, outcome: string, names: string[]): { y: Float64Array; columns: Record<string, Float64Array> } {
  const rows = readCsvRows(file);
  const header = rows[0] ?? [];
  const index = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new HilumError({ code: 'COLUMN_NOT_FOUND', message: `${file} has no column '${name}' (it has ${header.join(', ')})` });
    return i;
  };
  const read = (name: string) => {
    const i = index(name);
    return Float64Array.from(rows.slice(1), (r, k) => {
      const v = r[i]?.trim();
      const x = v === '' || v === undefined || /^(na|nan)$/i.test(v) ? NaN : Number(v);
      if (!Number.isFinite(x))
        throw new HilumError({
          code: 'MISSING_VALUE',
          message: `${file}, row ${k + 2}, column '${name}': '${r[i] ?? ''}' is not a number (missing values are not imputed here)`,
        });
      return x;
    });
  };
  const y = read(outcome);
  return { y, columns: Object.fromEntries(names.map((n) => [n, read(n)])) };
}
