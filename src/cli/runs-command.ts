/** `storbench runs` (list) and `storbench show ID` (one run in full). */

import { UsageError } from '../errors.js';
import { binsCsv, latencyBins } from '../report/bins.js';
import { type ClientBreakdown, clientBreakdown, clientSummary } from '../report/clients.js';
import { runClients, runWarnings } from '../report/compare.js';
import { formatLatency, formatMib, formatOffsetMs, formatRate, latencyColumn, textTable } from '../report/format.js';
import { runHealth } from '../report/health.js';
import { openStore } from '../results/sqlite-store.js';
import { RUN_STATUSES, type RunDetail, type RunFilter, type RunStatus, type ThreadFigures } from '../results/types.js';
import { type Command, parseFlags, positiveInt } from './command.js';
import { leftObjects, leftoverNote, resultTable } from './run-command.js';
import { getRunByRef } from './run-ref.js';
import { terminalWidth } from './terminal.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list stored runs (newest first)',
  usage: `usage: storbench runs [--target NAME] [--workload NAME] [--status S] [--schedule NAME] [--since ISO] [--limit N] [--db PATH] [--json]`,
  async run(argv) {
    const { values } = parseFlags('runs', argv, {
      target: { type: 'string' },
      workload: { type: 'string' },
      status: { type: 'string' },
      schedule: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.status !== undefined && !RUN_STATUSES.includes(values.status as RunStatus)) {
      throw new UsageError(`--status: expected one of ${RUN_STATUSES.join(', ')}, got "${values.status}"`);
    }
    if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since: "${values.since}" is not a date`);
    const filter: RunFilter = {
      ...(values.target ? { target: values.target } : {}),
      ...(values.workload ? { workload: values.workload } : {}),
      ...(values.status ? { status: values.status as RunStatus } : {}),
      ...(values.schedule ? { scheduleId: values.schedule } : {}),
      ...(values.since ? { since: new Date(values.since).toISOString() } : {}),
      limit: positiveInt(values.limit, '--limit', 10_000) ?? 50,
    };
    const store = openStore(values.db, { mode: 'read' });
    try {
      const { runs, total } = store.listRuns(filter);
      if (values.json) {
        console.log(JSON.stringify({ total, runs }));
        return 0;
      }
      const figures = runs.map((r) => ({
        opsPerSec: r.ops.reduce((s, o) => s + o.opsPerSec, 0),
        mib: r.ops.some((o) => o.bytes > 0) ? r.ops.reduce((s, o) => s + o.mibPerSec, 0) : null, // n/a when no bytes moved
        p99: Math.max(0, ...r.ops.map((o) => o.latencyUs.p99)),
        errors: r.ops.reduce((s, o) => s + o.errors, 0),
      }));
      const p99 = latencyColumn(figures.map((f) => f.p99));
      console.log(
        textTable(
          ['run', 'started', 'status', 'target', 'system', 'workload', 'ops/s', 'MiB/s', 'p99', 'errors', 'flag'],
          runs.map((r, i) => {
            const f = figures[i]!;
            const flags = [(r.regression as { regressed?: boolean } | undefined)?.regressed ? 'REGRESSED' : '', leftObjects(r) ? 'LEFT OBJECTS' : ''];
            return [
              r.id,
              r.startedAt.replace('T', ' ').slice(0, 19),
              runHealth(r).label,
              r.targetName,
              r.system,
              r.workload,
              // a run that measured nothing (failed, interrupted early) has no figures: '–', not 0
              ...(r.ops.some((o) => o.count > 0) ? [formatRate(f.opsPerSec), formatMib(f.mib), p99(f.p99)] : ['–', '–', '–']),
              f.errors.toLocaleString('en-US'),
              flags.filter(Boolean).join(' '),
            ];
          }),
          ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
          // a run id starts with its start time: `started` goes first
          { width: terminalWidth(), drop: [1, 4, 7, 9], whole: [0] },
        ),
      );
      console.log(`${runs.length} of ${total} runs`);
      const left = runs.filter(leftObjects).length;
      if (left) console.log(`${left} left objects behind under storbench/<run-id>/: storbench clean lists them, and removes them with --target URL --yes`);
      return 0;
    } finally {
      store.close();
    }
  },
};

const seconds = (s: number | undefined) => (s === undefined ? '-' : formatLatency(s * 1_000_000));

/** The clients of a multi-client run: a table by rank, then first and last done, then the stragglers and why. */
export function clientsSection(b: ClientBreakdown): string {
  const p99 = latencyColumn(b.rows.map((r) => r.p99Us));
  const table = textTable(
    ['rank', 'host', 'status', 'ops/s', 'MiB/s', 'p99', 'errors', 'skew', 'measured', 'flags'],
    b.rows.map((r) => [
      String(r.rank),
      r.host ?? '-',
      r.status,
      formatRate(r.opsPerSec),
      formatMib(r.mibPerSec),
      p99(r.p99Us),
      String(r.errors),
      r.startSkewMs === undefined ? '-' : formatOffsetMs(r.startSkewMs),
      seconds(r.measuredSeconds),
      r.flags.join(' '),
    ]),
    ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    { width: terminalWidth(), drop: [7, 4, 8] },
  );
  const done = `first done ${seconds(b.firstDoneSeconds)}, last done ${seconds(b.lastDoneSeconds)}${b.firstDoneSeconds === undefined ? ' (no client completed)' : ''}`;
  const flagged = b.rows.filter((r) => r.flags.length).map((r) => `rank ${r.rank}${r.host ? ` on ${r.host}` : ''} (${r.notes.join('; ')})`);
  return `${table}\n${done}\nstragglers: ${flagged.join(', ') || 'none'}`;
}

const OPEN_LOOP_NOTE =
  'response time counts from when each operation was due, service time from when it was sent: the difference is the wait behind slow operations that measuring service time alone hides (coordinated omission)';

/** Response vs service time, time to first byte and mean IO rate by op; undefined when the run has none of them. */
export function serviceSection(run: Pick<RunDetail, 'ops' | 'loadModel'>): string | undefined {
  const ops = run.ops.filter((o) => o.serviceUs || o.ttfbUs || o.meanIoRateMibPerSec !== undefined);
  if (!ops.length) return undefined;
  const us = (v: number | undefined) => (v === undefined ? '-' : formatLatency(v));
  const table = textTable(
    ['op', 'response p50', 'response p99', 'service p50', 'service p99', 'TTFB p50', 'TTFB p99', 'mean IO rate'],
    ops.map((o) => [
      o.op,
      us(o.latencyUs.p50),
      us(o.latencyUs.p99),
      us(o.serviceUs?.p50),
      us(o.serviceUs?.p99),
      us(o.ttfbUs?.p50),
      us(o.ttfbUs?.p99),
      o.meanIoRateMibPerSec === undefined ? '-' : `${formatMib(o.meanIoRateMibPerSec)} MiB/s`,
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return run.loadModel === 'open' ? `${table}\n${OPEN_LOOP_NOTE}` : table;
}

/** Each worker thread's figures: a row per thread and op. */
export function threadsSection(threads: readonly ThreadFigures[]): string {
  return textTable(
    ['thread', 'op', 'count', 'ops/s', 'errors', 'p99'],
    threads.map((t) => [String(t.thread), t.op, t.count.toLocaleString('en-US'), formatRate(t.opsPerSec), String(t.errors), formatLatency(t.p99Us)]),
    ['right', 'left', 'right', 'right', 'right', 'right'],
  );
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run: figures, semantics, environment, errors',
  usage: `usage: storbench show RUN_ID [--db PATH] [--json | --bins OP]`,
  async run(argv) {
    const { values, positionals } = parseFlags('show', argv, { db: { type: 'string' }, json: { type: 'boolean' }, bins: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('show: give exactly one run id (storbench runs lists them)');
    const store = openStore(values.db, { mode: 'read' });
    try {
      const run = getRunByRef(store, positionals[0]!, 'show');
      if (values.json) {
        console.log(JSON.stringify({ ...run, clients: run.clients.map(clientSummary) }));
        return 0;
      }
      if (values.bins !== undefined) {
        const op = run.ops.find((o) => o.op === values.bins);
        if (!op)
          throw new UsageError(`show --bins: run ${run.id} has no operation type "${values.bins}" (it has ${run.ops.map((o) => o.op).join(', ') || 'none'})`);
        process.stdout.write(binsCsv(latencyBins(op.histogram)).replaceAll('\r\n', '\n'));
        return 0;
      }
      console.log(`run ${run.id}: ${run.workload} on ${run.targetName} (${run.system})`);
      console.log(`status ${runHealth(run).label}; started ${run.startedAt}; ended ${run.endedAt ?? '-'}; measured ${run.measuredSeconds ?? 0}s`);
      console.log(
        `load: ${run.loadModel === 'open' ? `open loop at ${formatRate(run.rate ?? 0)} ops/s` : 'closed loop'}, concurrency ${run.concurrency}, seed ${run.seed}`,
      );
      if (run.error) console.log(`error: ${run.error}`);
      console.log(`cleanup: ${run.cleanup}${leftObjects(run) ? `: ${leftoverNote(run.id)}` : ''}`);
      console.log(`\n${resultTable(run)}`);
      if (run.clients.length) console.log(`\nclients (engine ${runClients(run).engine ?? '-'}):\n${clientsSection(clientBreakdown(run))}`);
      const service = serviceSection(run);
      if (service) console.log(`\n${service}`);
      if (run.threads?.length) console.log(`\nthreads (the run's figures are all of them merged):\n${threadsSection(run.threads)}`);
      console.log('\nsemantics:');
      for (const [k, v] of Object.entries(run.semantics)) console.log(`  ${k}: ${String(v)}`);
      console.log('environment:');
      for (const [k, v] of Object.entries(run.environment)) console.log(`  ${k}: ${String(v)}`);
      if (run.errors.length) {
        console.log('errors:');
        for (const e of run.errors) console.log(`  ${e.op} ${e.kind} x${e.count}: ${e.message}`);
      }
      const warnings = runWarnings(run);
      if (warnings.length) console.log(`\n${warnings.map((w) => `warning: ${w}`).join('\n')}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
