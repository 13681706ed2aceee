import type { Command } from 'commander';
import { HilumError } from '../../engine/core/errors.js';
import { iccTable } from '../../engine/stats/icc.js';
import { fmt } from '../output.js';
import { readNumericColumns } from './evaluate.js';

export function registerIcc(program: Command): void {
  program
    .command('icc')
    .description(
      'intraclass correlation of repeated measurements (one row per subject, one column per rater or segmentation): one-way, two-way agreement and consistency, ' +
        'single and average, with F test and 95 % CI, named as irr::icc and psych::ICC (docs/cli.md)',
    )
    .requiredOption('--data <file.csv>', 'a CSV with a header row')
    .requiredOption('--columns <a,b,…>', 'the rater columns (at least two)')
    .option('--json', 'print the full table as JSON')
    .action((opts: { data: string; columns: string; json?: boolean }) => {
      const names = opts.columns
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length < 2) throw new HilumError({ code: 'INVALID_ARGUMENT', message: '--columns needs at least two rater columns' });
      const { columns } = readNumericColumns(opts.data, names[0], names);
      const n = columns[names[0]].length;
      const ratings = Array.from({ length: n }, (_, i) => names.map((c) => columns[c][i]));
      const table = iccTable(ratings);
      if (opts.json) return void process.stdout.write(JSON.stringify(table, null, 1) + '\n');
      const row = (label: string, e: { value: number; lower: number; upper: number; f: number; p: number }) =>
        `  ${label.padEnd(34)} ${fmt(e.value, 3)} (95 % CI ${fmt(e.lower, 3)}–${fmt(e.upper, 3)}), F ${fmt(e.f, 3)}, p ${fmt(e.p, 4)}`;
      process.stdout.write(
        [
          `ICC of ${names.length} raters over ${n} subjects`,
          row('one-way, single (ICC1)', table.irr.oneWaySingle),
          row('two-way agreement, single (ICC2,1)', table.irr.agreementSingle),
          row('two-way consistency, single (ICC3,1)', table.irr.consistencySingle),
          row('two-way agreement, average (ICC2,k)', table.irr.agreementAverage),
          row('two-way consistency, average (ICC3,k)', table.irr.consistencyAverage),
        ].join('\n') + '\n',
      );
    });
}
