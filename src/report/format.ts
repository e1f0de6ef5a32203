/** Text output: tables for terminals and Markdown, CSV, human figures. */

/**
 * Three significant digits, every digit from 1,000 on (with thousands separators): `0.012`, `3.40`, `22.4`,
 * `583`, `39,704`. The one precision of storbench's printed figures.
 */
export function formatSignificant(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const rounded = Number(v.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(v).toLocaleString('en-US');
  // below 1, trailing zeros say nothing (0.0120 → 0.012)
  return Math.abs(rounded) >= 1 ? rounded.toPrecision(3) : String(rounded);
}

/** A data rate in MiB/s: {@link formatSignificant}; `–` for none (an op that moved no bytes). */
export const formatMib = (v: number | null): string => (v === null ? '–' : formatSignificant(v));

/**
 * The data rate of an op's figures, or null (n/a) when it moved no bytes: null:// reads, stat, list. Shown as
 * `–`, never as 0 MiB/s or a 0x ratio.
 */
export const dataRate = (o: { readonly bytes: number; readonly mibPerSec: number }): number | null => (o.bytes > 0 ? o.mibPerSec : null);

const LATENCY_UNITS = [
  { suffix: 'µs', us: 1 },
  { suffix: 'ms', us: 1000 },
  { suffix: 's', us: 1_000_000 },
] as const;

/** The unit a latency of `us` reads best in: the largest that leaves at least 1 (after rounding to 3 digits). */
const latencyUnit = (us: number) => LATENCY_UNITS.findLast((u) => u.us === 1 || us >= u.us * 0.9995) ?? LATENCY_UNITS[0];

/** `us` in `unit`: whole microseconds, else {@link formatSignificant}. */
const inUnit = (us: number, unit: (typeof LATENCY_UNITS)[number]) => `${unit.us === 1 ? Math.round(us) : formatSignificant(us / unit.us)}${unit.suffix}`;

/** `812µs`, `3.40ms`, `22.4ms`, `1.25s`: a latency in its own unit, 3 significant digits. */
export function formatLatency(us: number): string {
  return inUnit(us, latencyUnit(us));
}

/**
 * The formatter of a table's latency column: ONE unit for all its cells, the one its largest value reads
 * best in (`0.012ms` next to `583ms`), so a column's figures compare at a glance.
 */
export function latencyColumn(values: readonly number[]): (us: number) => string {
  const unit = latencyUnit(Math.max(0, ...values));
  return (us) => inUnit(us, unit);
}

/** A signed offset given in milliseconds, in the units of {@link formatLatency}: `+3.40ms`, `-812µs`, `0µs`. */
export function formatOffsetMs(ms: number): string {
  return `${ms < 0 ? '-' : ms > 0 ? '+' : ''}${formatLatency(Math.abs(ms) * 1000)}`;
}

/** `12,345` or `3.42` for small rates. */
export function formatRate(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (v >= 1) return v.toFixed(1);
  return v.toFixed(3);
}

/** A ratio with 3 significant digits: `0.00813x`, `2.50x`, `123x` (never `0.00x`); '' for none. */
export function formatRatio(r: number | undefined): string {
  return r === undefined ? '' : `${formatSignificant(r)}x`;
}

export type Align = 'left' | 'right';

/** How a text table fits a terminal. */
export interface TableFit {
  /** The widest a line may be (the terminal's columns); undefined: any width. */
  readonly width?: number | undefined;
  /** Columns (indices into the header) to leave out, least important first, while the table is too wide. @default none */
  readonly drop?: readonly number[];
  /** Text columns never shortened (ids that must stay whole to be used). @default none */
  readonly whole?: readonly number[];
}

/** The narrowest a left-aligned (text) column is shortened to, `…` included. */
const MIN_TEXT_WIDTH = 6;

/**
 * A plain-text table with a header rule; numbers right-aligned. With `fit.width`, a table too wide leaves out
 * the `fit.drop` columns in order, then shortens its widest text columns (`…`), so that no row wraps.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[], fit: TableFit = {}): string {
  const a = align ?? header.map((_, i) => (i === 0 ? 'left' : 'right'));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  let shown = header.map((_, i) => i);
  const total = () => shown.reduce((n, i) => n + widths[i]!, 2 * (shown.length - 1));
  const max = fit.width;
  if (max !== undefined) {
    for (const i of fit.drop ?? []) if (total() > max && shown.length > 1) shown = shown.filter((c) => c !== i);
    while (total() > max) {
      const widest = shown.filter((i) => a[i] === 'left' && widths[i]! > MIN_TEXT_WIDTH && !fit.whole?.includes(i)).sort((x, y) => widths[y]! - widths[x]!)[0];
      if (widest === undefined) break;
      widths[widest] = Math.max(MIN_TEXT_WIDTH, widths[widest]! - (total() - max));
    }
  }
  const cut = (c: string, w: number) => (c.length > w ? `${c.slice(0, w - 1)}…` : c);
  const line = (cells: readonly string[]) =>
    shown
      .map((i) => {
        const c = cut(cells[i] ?? '', widths[i]!);
        return a[i] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((l) => (max !== undefined && l.length > max ? l.slice(0, max) : l))
    .join('\n');
}

/** A Markdown table; `align` per column (default: the first left, the others right). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const a = align ?? header.map((_, i) => (i === 0 ? 'left' : 'right'));
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${a.map((x) => (x === 'left' ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** One CSV line (no line end): numbers as they are, text quoted when it must be. */
export function csvLine(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

export function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [csvLine(header), ...rows.map(csvLine)].join('\n');
}

/**
 * A matrix (systems × workloads) as text. One unit per column: MiB/s where every cell of the workload moved
 * data, else ops/s, named in the header; then p99, the ratio to the baseline and flags in each cell. Below it,
 * the settings of each column and the runs of other settings left out.
 */
export function renderMatrix(m: import('./compare.js').Matrix): string {
  // the harness ceiling (null://) reads move no bytes: its cell shows – rather than turning the column into ops/s
  const cellsOf = (w: string) => m.rows.flatMap((r) => (r.ceiling ? [] : (r.cells[w] ?? [])));
  const mib = new Map(m.workloads.map((w) => [w, cellsOf(w).length > 0 && cellsOf(w).every((c) => c.mibPerSec !== null && c.mibPerSec >= 1)]));
  const header = ['target', 'system', ...m.workloads.map((w) => `${w} (${mib.get(w) ? 'MiB/s' : 'ops/s'})`)];
  const rows = m.rows.map((r) => [
    `${r.target}${r.target === m.baseline ? ' (baseline)' : ''}${r.ceiling ? ' (harness ceiling)' : ''}`,
    r.system,
    ...m.workloads.map((w) => {
      const c = r.cells[w];
      if (!c) return '-';
      const figure = mib.get(w) ? formatMib(c.mibPerSec) : formatRate(c.opsPerSec);
      const x = mib.get(w) ? c.mibRatio : c.opsRatio;
      const errors = c.health.level === 'errors' ? ` ERRORS ${c.health.errorPct}%` : c.errors ? ` err ${c.errors}` : '';
      return `${figure} p99 ${formatLatency(c.p99Us)}${x !== undefined && r.target !== m.baseline ? ` ${formatRatio(x)}` : ''}${errors}${c.regressed ? ' REGRESSED' : ''}`;
    }),
  ]);
  const table = textTable(
    header,
    rows,
    header.map((_, i) => (i < 2 ? 'left' : 'right')),
  );
  const notes = m.columns.map(
    (c) =>
      `${c.workload}: ${c.settingsText}${c.leftOut.length ? `; left out, set up differently: ${c.leftOut.map((o) => `${o.runId} (${o.target}: ${o.settingsText})`).join(', ')}` : ''}`,
  );
  return notes.length ? `${table}\n\n${notes.join('\n')}` : table;
}
