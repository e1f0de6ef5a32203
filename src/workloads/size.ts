/**
 * Byte sizes, durations and numbers as people write them: `4KiB`, `64MiB`, `1.5GB`, `30s`, `2m`; numbers in
 * plain decimal only (not `0x10`, `1e3`, `0b101` or ` 16 `, which Number() would take).
 */
import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** A whole number written in decimal digits with an optional leading '-' (`16`, `-1`), else NaN. */
export function parseWholeNumber(text: string): number {
  return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** A number written in decimal, with an optional '-' and fraction (`0.5`, `-2`, `.5`), else NaN. */
export function parseDecimal(text: string): number {
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
}

/** Largest single object storbench generates: 1 TiB. */
export const MAX_OBJECT_SIZE = 1024 ** 4;

/** Parse `4KiB`, `1MiB`, `1.5GB` or a plain byte count. `field` names the input in errors. */
export function parseSize(text: string | number, field: string): number {
  if (typeof text === 'number') {
    if (!Number.isInteger(text) || text < 0 || text > MAX_OBJECT_SIZE) throw new UsageError(`${field}: ${text} is not a size from 0 to 1TiB`);
    return text;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new UsageError(`${field}: "${text}" is not a size (examples: 4096, 4KiB, 64MiB, 1GiB)`);
  // exact decimal arithmetic: 1.1MB is 1100000 bytes, where 1.1 * 1e6 in floating point is not a whole number
  const [whole, fraction = ''] = m[1]!.split('.');
  const scaled = BigInt(whole! + fraction) * BigInt(unit);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) throw new UsageError(`${field}: ${text} is not a whole number of bytes`);
  const bytes = Number(scaled / divisor);
  if (bytes > MAX_OBJECT_SIZE) throw new UsageError(`${field}: ${text} is larger than the 1TiB limit`);
  return bytes;
}

/** Format bytes for people: `4 KiB`, `64 MiB`. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && Number.isInteger(v / 1024)) {
    v /= 1024;
    i++;
  }
  if (i === 0 && bytes >= 1024) {
    // not a round number of KiB: show one decimal
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(1)} ${units[i]}`;
  }
  return `${v} ${units[i]}`;
}

/** Parse a duration `30s`, `2m`, `1h`, `500ms` into milliseconds. */
export function parseDuration(text: string | number, field: string): number {
  if (typeof text === 'number') {
    if (!(text >= 0) || !Number.isFinite(text)) throw new UsageError(`${field}: ${text} is not a duration`);
    return text * 1000;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${field}: "${text}" is not a duration (examples: 30s, 2m, 500ms)`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * factor;
  if (ms > 7 * 24 * 3_600_000) throw new UsageError(`${field}: ${text} is longer than a week`);
  return ms;
}
