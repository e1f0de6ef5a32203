/**
 * Live progress on stderr: on a terminal, one line rewritten every second, cut to the terminal's width (`\r\x1b[2K`
 * clears one row only: a wrapped line would leave its first rows behind at every redraw); otherwise a plain line
 * when the phase changes (prepare, measure, drain, cleanup) and every 10 seconds within one, and a last line
 * when the cleanup is over (logs of scheduled jobs stay readable, and a stop is never silent).
 */

import { formatLatency, formatMib, formatRate } from '../report/format.js';
import type { Phase, Progress } from '../runner/progress.js';
import { terminalWidth } from './terminal.js';

/** A plain line at least this often within one phase. */
const PLAIN_EVERY_MS = 10_000;

/** What a progress report says, after `label`. */
function describe(p: Progress): string {
  if (p.phase === 'prepare') return `preparing ${p.done.toLocaleString('en-US')}/${p.planned.toLocaleString('en-US')} objects`;
  if (p.phase === 'register') return `${p.done}/${p.planned} clients registered (${p.elapsedS.toFixed(0)}s)`;
  if (p.phase === 'barrier') return `${p.done}/${p.planned} clients prepared and ready (${p.elapsedS.toFixed(0)}s)`;
  if (p.phase === 'cleanup') return 'cleaning up';
  const total = p.totalS ? `/${p.totalS.toFixed(0)}s` : p.planned ? ` ${p.done}/${p.planned} ops` : '';
  return `${p.phase} ${p.elapsedS.toFixed(0)}s${total}  ${formatRate(p.opsPerSec)} ops/s  ${formatMib(p.mibPerSec > 0 ? p.mibPerSec : null)} MiB/s  errors ${p.errors.toLocaleString('en-US')}  p99 ${formatLatency(p.p99Us)}`;
}

/**
 * `label text` in at most `width - 1` columns (the last column would wrap on some terminals): the label gives
 * way first (shortened, then left out), then the end of the text.
 */
export function fitLine(label: string, text: string, width: number | undefined): string {
  const line = `${label} ${text}`;
  if (width === undefined || line.length < width) return line;
  const room = width - 1 - text.length - 1;
  if (room >= 8) return `${label.slice(0, room - 1)}… ${text}`;
  return text.length < width ? text : `${text.slice(0, Math.max(0, width - 2))}…`;
}

export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let phase: Phase | undefined;
  let cleanupAt: number | undefined;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === 'cleanup') cleanupAt ??= now;
      if (tty) {
        stream.write(`\r\x1b[2K${fitLine(label, describe(p), terminalWidth(stream))}`);
        shown = true;
        return;
      }
      if (p.phase === phase && now - lastPlain < PLAIN_EVERY_MS) return;
      phase = p.phase;
      lastPlain = now;
      stream.write(`${label} ${describe(p)}\n`);
    },
    /** The run is over (called more than once: the first counts). */
    end() {
      if (tty && shown) stream.write('\r\x1b[2K');
      shown = false;
      if (!tty && cleanupAt !== undefined) stream.write(`${label} cleanup done in ${((Date.now() - cleanupAt) / 1000).toFixed(1)}s\n`);
      cleanupAt = undefined;
    },
  };
}
