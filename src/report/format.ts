/** Text output: tables for terminals and Markdown, CSV, human figures. */

/** `812µs`, `3.40ms`, `1.25s`. */
export function formatLatency(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
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

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '' : `${r.toFixed(2)}x`;
}

export type Align = 'left' | 'right';

/** A plain-text table with a header rule; numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const a = align ?? header.map((_, i) => (i === 0 ? 'left' : 'right'));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (a[i] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const q = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.map(q).join(','), ...rows.map((r) => r.map(q).join(','))].join('\n');
}

/** A matrix (systems × workloads) as text: ops/s, p99 and the ratio to the baseline in each cell. */
export function renderMatrix(m: import('./compare.js').Matrix): string {
  const header = ['target', 'system', ...m.workloads];
  const rows = m.rows.map((r) => [
    `${r.target}${r.target === m.baseline ? ' (baseline)' : ''}${r.ceiling ? ' (harness ceiling)' : ''}`,
    r.system,
    ...m.workloads.map((w) => {
      const c = r.cells[w];
      if (!c) return '-';
      const figure = c.mibPerSec >= 1 ? `${c.mibPerSec.toFixed(1)} MiB/s` : `${formatRate(c.opsPerSec)} ops/s`;
      const x = c.mibPerSec >= 1 ? c.mibRatio : c.opsRatio;
      return `${figure} p99 ${formatLatency(c.p99Us)}${x !== undefined && r.target !== m.baseline ? ` ${formatRatio(x)}` : ''}${c.errors ? ` err ${c.errors}` : ''}${c.regressed ? ' REGRESSED' : ''}`;
    }),
  ]);
  return textTable(
    header,
    rows,
    header.map((_, i) => (i < 2 ? 'left' : 'right')),
  );
}
