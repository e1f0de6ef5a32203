/** `storbench compare ID ID ...`: runs side by side, ratios to the first. */
import { UsageError } from '../errors.js';
import { type Comparison, compareRuns } from '../report/compare.js';
import { type Align, csv, formatMib, formatRate, formatRatio, latencyColumn, markdownTable, textTable } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import type { RunSummary } from '../results/types.js';
import { type Command, parseFlags } from './command.js';
import { getRunByRef } from './run-ref.js';
import { terminalWidth } from './terminal.js';

const FORMATS = ['table', 'md', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Render a comparison in one of the text formats; a text table fits in `width` columns (the terminal's) by
 * leaving out its least telling columns.
 */
export function renderComparison(c: Comparison, format: Exclude<Format, 'json'>, width?: number): string {
  const header = ['op', 'run', 'label', 'ops/s', 'x', 'MiB/s', 'x', 'p50', 'x', 'p99', 'x', 'errors'];
  const rows: string[][] = [];
  const raw: (string | number)[][] = [];
  // one unit per latency column
  const shown = c.rows.flatMap((row) => row.cells.flatMap((cell) => (cell ? [cell] : [])));
  const p50 = latencyColumn(shown.map((cell) => cell.p50Us));
  const p99 = latencyColumn(shown.map((cell) => cell.p99Us));
  for (const row of c.rows) {
    row.cells.forEach((cell, i) => {
      const run = c.runs[i]!;
      if (!cell) return;
      rows.push([
        row.op,
        run.id,
        run.label,
        formatRate(cell.opsPerSec),
        formatRatio(cell.opsRatio),
        // an op that moved no bytes has no data rate: n/a, not 0 (and no 0.00x ratio)
        formatMib(cell.mibPerSec),
        formatRatio(cell.mibRatio),
        p50(cell.p50Us),
        formatRatio(cell.p50Ratio),
        p99(cell.p99Us),
        formatRatio(cell.p99Ratio),
        String(cell.errors),
      ]);
      raw.push([
        row.op,
        run.id,
        run.targetName,
        run.workload,
        cell.opsPerSec,
        cell.opsRatio ?? '',
        cell.mibPerSec ?? '',
        cell.mibRatio ?? '',
        cell.p50Us,
        cell.p50Ratio ?? '',
        cell.p99Us,
        cell.p99Ratio ?? '',
        run.label,
        run.settingsText,
        run.health.label,
        cell.errors,
        run.clients,
        run.engine ?? '',
      ]);
    });
  }
  if (format === 'csv')
    return csv(
      [
        'op',
        'run',
        'target',
        'workload',
        'ops_per_sec',
        'ops_ratio',
        'mib_per_sec',
        'mib_ratio',
        'p50_us',
        'p50_ratio',
        'p99_us',
        'p99_ratio',
        'label',
        'settings',
        'status',
        'errors',
        'clients',
        'engine',
      ],
      raw,
    );
  // what each run ran (and how it went), then the warnings: the settings that differ first, once
  const notes = [
    ...c.runs.map((r) => `run ${r.id} (${r.label}): ${r.workload}, ${r.settingsText}${r.health.level === 'ok' ? '' : `; ${r.health.label}`}`),
    ...c.runs.filter((r) => r.clients > 1).map((r) => `note: ${r.id} (${r.targetName}): ${r.clients} clients${r.engine ? `, engine ${r.engine}` : ''}`),
    ...c.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
  const align = header.map((_, i) => (i < 3 ? 'left' : 'right') as Align);
  // in a narrow terminal, the least telling columns go first: the MiB/s ratio, MiB/s, the p50 ratio, p50, errors
  const table = format === 'md' ? markdownTable(header, rows, align) : textTable(header, rows, align, { width, drop: [6, 5, 8, 7, 11], whole: [1] });
  return notes ? `${table}\n\n${notes}` : table;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare runs side by side, with ratios to the first',
  usage: `usage: storbench compare RUN_ID RUN_ID ... [--format table|md|json|csv] [--db PATH]
  Ratios (x) are to the first run: ops/s and MiB/s above 1 are faster, p50 and p99 below 1 are faster.
  MiB/s is "–" for an operation that moved no bytes. One warning lists the settings the runs differ in.`,
  async run(argv) {
    const { values, positionals } = parseFlags('compare', argv, { format: { type: 'string' }, db: { type: 'string' } }, true);
    const format = (values.format ?? 'table') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${values.format}"`);
    if (positionals.length < 1) throw new UsageError('compare: give at least one run id (storbench runs lists them)');
    const store = openStore(values.db, { mode: 'read' });
    try {
      const runs: RunSummary[] = positionals.map((ref) => getRunByRef(store, ref, 'compare'));
      const comparison = compareRuns(runs);
      console.log(format === 'json' ? JSON.stringify(comparison) : renderComparison(comparison, format, terminalWidth()));
      return 0;
    } finally {
      store.close();
    }
  },
};
