/**
 * What a run ran: its workload spec and the settings that change its figures (load model and rate,
 * concurrency, threads, clients, verify, duration), as one fingerprint for like-for-like matrices, as text
 * for cells and compare, and as the list of settings in which runs differ. Pure.
 */
import { createHash } from 'node:crypto';
import type { RunRecord } from '../results/types.js';
import { formatRate } from './format.js';

type RunFacts = Pick<RunRecord, 'id' | 'workload' | 'loadModel' | 'rate' | 'concurrency' | 'spec' | 'environment'>;

/** The settings a reader needs to know to trust a comparison, in the order they are shown. */
export interface RunSettings {
  readonly workload: string;
  readonly loadModel: 'closed' | 'open';
  /** Offered ops/s of an open-loop run; null for closed loop. */
  readonly rate: number | null;
  readonly concurrency: number;
  /** Worker threads as asked (`auto` or a number). */
  readonly threads: string;
  /** Threads the run used (an `auto` run records its choice); null when not recorded. */
  readonly threadsUsed: number | null;
  readonly clients: number;
  readonly verify: boolean;
  /** Measured seconds planned (the spec's duration); null when the spec has none (older runs). */
  readonly durationS: number | null;
  /** A run that stops after this many operations instead of a duration. */
  readonly opsLimit: number | null;
}

/** Spec fields that do not change what is measured: left out of the fingerprint. */
const NOT_MEASURED = new Set(['name', 'description', 'seed', 'prepare', 'cleanup', 'maxErrorRate']);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function runSettings(run: RunFacts): RunSettings {
  const spec = run.spec;
  const ms = num(spec.duration);
  return {
    workload: run.workload,
    loadModel: run.loadModel,
    rate: run.rate ?? null,
    concurrency: run.concurrency,
    threads: spec.threads === undefined ? 'auto' : String(spec.threads),
    threadsUsed: num(run.environment.threads),
    clients: num(run.environment.clients) ?? 1,
    verify: spec.verify === true,
    durationS: ms === null ? null : ms / 1000,
    opsLimit: num(spec.ops),
  };
}

/** JSON with keys sorted at every level: equal specs give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Everything that defines what a run measured, flat: its settings, then the rest of its spec by field. */
function measuredFields(run: RunFacts): Record<string, string> {
  const { threadsUsed: _used, ...settings } = runSettings(run);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) fields[k] = canonical(v);
  for (const [k, v] of Object.entries(run.spec)) {
    if (!NOT_MEASURED.has(k) && !(k in fields) && k !== 'duration' && k !== 'ops' && v !== undefined) fields[k] = canonical(v);
  }
  return fields;
}

/**
 * The workload-spec fingerprint of a run: 12 hex digits of a SHA-1 of what it measured (workload, spec with
 * sizes, mix, ops, dataset..., load model and rate, concurrency, threads asked, clients, verify, duration).
 * The seed, the description, prepare/cleanup and maxErrorRate do not count.
 */
export function settingsFingerprint(run: RunFacts): string {
  return createHash('sha1')
    .update(canonical(measuredFields(run)))
    .digest('hex')
    .slice(0, 12);
}

/** `closed loop, concurrency 16, threads auto (2), 1 client, 30 s`, with `open loop 2,000 ops/s` and `verify` when so. */
export function describeSettings(s: RunSettings): string {
  const threads = s.threads === 'auto' && s.threadsUsed !== null ? `auto (${s.threadsUsed})` : s.threads;
  return (
    [
      s.loadModel === 'open' ? `open loop ${s.rate === null ? '' : `${formatRate(s.rate)} ops/s`}`.trim() : 'closed loop',
      `concurrency ${s.concurrency}`,
      `threads ${threads}`,
      `${s.clients} client${s.clients === 1 ? '' : 's'}`,
      s.opsLimit !== null ? `${s.opsLimit} ops` : s.durationS !== null ? `${s.durationS} s` : null,
      s.verify ? 'verify' : null,
    ]
      .filter(Boolean)
      // ASCII only: a runs page carries this 50 times, and a non-ASCII answer costs bench:api's client several times more
      .join(', ')
  );
}

/** How each setting reads in a difference (`rate` 2000, `verify` on...). */
function shown(key: string, v: string): string {
  if (v === 'null') return key === 'rate' ? 'none' : '–';
  if (key === 'verify') return v === 'true' ? 'on' : 'off';
  return v.replace(/^"(.*)"$/, '$1');
}

/**
 * The settings in which the runs differ, one phrase each, naming every run's value by its label:
 * `concurrency (a: 16, b: 8)`. Empty when they were all run alike (same fingerprint).
 */
export function settingsDifferences(runs: readonly RunFacts[], labels: readonly string[] = runs.map((r) => r.id)): string[] {
  const fields = runs.map(measuredFields);
  const keys = [...new Set(fields.flatMap((f) => Object.keys(f)))];
  return keys
    .filter((k) => new Set(fields.map((f) => f[k] ?? 'null')).size > 1)
    .map(
      (k) =>
        `${k === 'durationS' ? 'duration (s)' : k === 'opsLimit' ? 'ops' : k} (${fields.map((f, i) => `${labels[i]}: ${shown(k, f[k] ?? 'null')}`).join(', ')})`,
    );
}
