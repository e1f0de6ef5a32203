/** `storbench compare ID ID ...`: runs side by side, ratios to the first. */
import { UsageError } from '../errors.js';
import { type Comparison, compareRuns } from '../report/compare.js';
import { csv, formatLatency, formatRate, formatRatio, markdownTable, textTable } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import type { RunSummary } from '../results/types.js';
import { type Command, parseFlags } from './command.js';

const FORMATS = ['table', 'md', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** Render a comparison in one of the text formats. */
export function renderComparison(c: Comparison, format: Exclude<Format, 'json'>): string {
  const header = ['op', 'run', 'target', 'ops/s', 'x', 'MiB/s', 'x', 'p50', 'p99', 'x', 'errors'];
  const rows: string[][] = [];
  const raw: (string | number)[][] = [];
  for (const row of c.rows) {
    row.cells.forEach((cell, i) => {
      const run = c.runs[i]!;
      if (!cell) return;
      rows.push([
        row.op,
        run.id,
        run.targetName,
        formatRate(cell.opsPerSec),
        formatRatio(cell.opsRatio),
        cell.mibPerSec.toFixed(2),
        formatRatio(cell.mibRatio),
        formatLatency(cell.p50Us),
        formatLatency(cell.p99Us),
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
        cell.mibPerSec,
        cell.mibRatio ?? '',
        cell.p50Us,
        cell.p99Us,
        cell.p99Ratio ?? '',
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
        'p99_us',
        'p99_ratio',
        'errors',
        'clients',
        'engine',
      ],
      raw,
    );
  const notes = [
    ...c.runs.filter((r) => r.clients > 1).map((r) => `note: ${r.id} (${r.targetName}): ${r.clients} clients${r.engine ? `, engine ${r.engine}` : ''}`),
    ...c.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
  const table =
    format === 'md'
      ? markdownTable(header, rows)
      : textTable(header, rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
  return notes ? `${table}\n\n${notes}` : table;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare runs side by side, with ratios to the first',
  usage: `usage: storbench compare RUN_ID RUN_ID ... [--format table|md|json|csv] [--db PATH]
  Ratios (x) are to the first run: ops/s and MiB/s above 1 are faster, p99 below 1 is faster.`,
  async run(argv) {
    const { values, positionals } = parseFlags('compare', argv, { format: { type: 'string' }, db: { type: 'string' } }, true);
    const format = (values.format ?? 'table') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${values.format}"`);
    if (positionals.length < 1) throw new UsageError('compare: give at least one run id (storbench runs lists them)');
    const store = openStore(values.db, { mode: 'read' });
    try {
      const runs: RunSummary[] = positionals.map((id) => {
        const run = store.getRun(id);
        if (!run) throw new UsageError(`compare: no run "${id}" in ${store.path}`, 'STORBENCH_ERR_NOT_FOUND');
        return run;
      });
      const comparison = compareRuns(runs);
      console.log(format === 'json' ? JSON.stringify(comparison) : renderComparison(comparison, format));
      return 0;
    } finally {
      store.close();
    }
  },
};
