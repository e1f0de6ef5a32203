/** Tables as CSV or Markdown for the export routes (JSON exports are the API answers themselves). */

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

/**
 * RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula
 * (a target name is user-chosen text).
 */
function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(t: Table): string {
  return `${[t.columns, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Markdown cells: pipes escaped, markup shown as text, one line each. */
function mdCell(v: string | number | null): string {
  if (v === null) return '';
  return String(v)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n]+/g, ' ');
}

export function toMarkdown(t: Table): string {
  const line = (r: readonly (string | number | null)[]) => `| ${r.map(mdCell).join(' | ')} |`;
  return `${[line(t.columns), `|${t.columns.map(() => ' --- ').join('|')}|`, ...t.rows.map(line)].join('\n')}\n`;
}

/** Round to at most `digits` decimals (exports stay readable; the API keeps full precision). */
export const round = (v: number | null | undefined, digits = 2): number | null =>
  v === null || v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;
