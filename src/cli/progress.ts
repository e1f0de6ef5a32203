/**
 * Live progress on stderr: on a terminal, one line rewritten every second; otherwise a plain line every
 * 10 seconds (logs of scheduled jobs stay readable).
 */

import { formatLatency, formatRate } from '../report/format.js';
import type { Progress } from '../runner/progress.js';

export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (!tty && (p.phase === 'cleanup' || now - lastPlain < 10_000)) return;
      lastPlain = now;
      let text: string;
      if (p.phase === 'prepare') text = `${label} preparing ${p.done}/${p.planned} objects`;
      else if (p.phase === 'register') text = `${label} ${p.done}/${p.planned} clients registered (${p.elapsedS.toFixed(0)}s)`;
      else if (p.phase === 'barrier') text = `${label} ${p.done}/${p.planned} clients prepared and ready (${p.elapsedS.toFixed(0)}s)`;
      else if (p.phase === 'cleanup') text = `${label} cleaning up`;
      else {
        const total = p.totalS ? `/${p.totalS.toFixed(0)}s` : p.planned ? ` ${p.done}/${p.planned} ops` : '';
        text = `${label} ${p.phase} ${p.elapsedS.toFixed(0)}s${total}  ${formatRate(p.opsPerSec)} ops/s  ${p.mibPerSec.toFixed(1)} MiB/s  errors ${p.errors}  p99 ${formatLatency(p.p99Us)}`;
      }
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        shown = true;
      } else stream.write(`${text}\n`);
    },
    end() {
      if (tty && shown) stream.write('\r\x1b[2K');
    },
  };
}
