/** `storbench runs` (list) and `storbench show ID` (one run in full). */
import { UsageError } from '../errors.js';
import { type ClientBreakdown, clientBreakdown, clientSummary } from '../report/clients.js';
import { runClients, runWarnings } from '../report/compare.js';
import { formatLatency, formatOffsetMs, formatRate, textTable } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import { RUN_STATUSES, type RunFilter, type RunStatus } from '../results/types.js';
import { type Command, parseFlags, positiveInt } from './command.js';
import { leftObjects, leftoverNote, resultTable } from './run-command.js';

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
      console.log(
        textTable(
          ['run', 'started', 'status', 'target', 'system', 'workload', 'ops/s', 'MiB/s', 'p99', 'errors', 'flag'],
          runs.map((r) => {
            const opsPerSec = r.ops.reduce((s, o) => s + o.opsPerSec, 0);
            const mib = r.ops.reduce((s, o) => s + o.mibPerSec, 0);
            const p99 = Math.max(0, ...r.ops.map((o) => o.latencyUs.p99));
            const errors = r.ops.reduce((s, o) => s + o.errors, 0);
            const flags = [(r.regression as { regressed?: boolean } | undefined)?.regressed ? 'REGRESSED' : '', leftObjects(r) ? 'LEFT OBJECTS' : ''];
            return [
              r.id,
              r.startedAt.replace('T', ' ').slice(0, 19),
              r.status,
              r.targetName,
              r.system,
              r.workload,
              formatRate(opsPerSec),
              mib.toFixed(2),
              formatLatency(p99),
              String(errors),
              flags.filter(Boolean).join(' '),
            ];
          }),
          ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
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
  const table = textTable(
    ['rank', 'host', 'status', 'ops/s', 'MiB/s', 'p99', 'errors', 'skew', 'measured', 'flags'],
    b.rows.map((r) => [
      String(r.rank),
      r.host ?? '-',
      r.status,
      formatRate(r.opsPerSec),
      r.mibPerSec.toFixed(2),
      formatLatency(r.p99Us),
      String(r.errors),
      r.startSkewMs === undefined ? '-' : formatOffsetMs(r.startSkewMs),
      seconds(r.measuredSeconds),
      r.flags.join(' '),
    ]),
    ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
  const done = `first done ${seconds(b.firstDoneSeconds)}, last done ${seconds(b.lastDoneSeconds)}${b.firstDoneSeconds === undefined ? ' (no client completed)' : ''}`;
  const flagged = b.rows.filter((r) => r.flags.length).map((r) => `rank ${r.rank}${r.host ? ` on ${r.host}` : ''} (${r.notes.join('; ')})`);
  return `${table}\n${done}\nstragglers: ${flagged.join(', ') || 'none'}`;
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run: figures, semantics, environment, errors',
  usage: `usage: storbench show RUN_ID [--db PATH] [--json]`,
  async run(argv) {
    const { values, positionals } = parseFlags('show', argv, { db: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('show: give exactly one run id (storbench runs lists them)');
    const store = openStore(values.db, { mode: 'read' });
    try {
      const run = store.getRun(positionals[0]!);
      if (!run) throw new UsageError(`show: no run "${positionals[0]}" in ${store.path}`, 'STORBENCH_ERR_NOT_FOUND');
      if (values.json) {
        console.log(JSON.stringify({ ...run, clients: run.clients.map(clientSummary) }));
        return 0;
      }
      console.log(`run ${run.id}: ${run.workload} on ${run.targetName} (${run.system})`);
      console.log(`status ${run.status}; started ${run.startedAt}; ended ${run.endedAt ?? '-'}; measured ${run.measuredSeconds ?? 0}s`);
      console.log(`load: ${run.loadModel === 'open' ? `open loop at ${run.rate} ops/s` : 'closed loop'}, concurrency ${run.concurrency}, seed ${run.seed}`);
      if (run.error) console.log(`error: ${run.error}`);
      console.log(`cleanup: ${run.cleanup}${leftObjects(run) ? `: ${leftoverNote(run.id)}` : ''}`);
      console.log(`\n${resultTable(run)}`);
      if (run.clients.length) console.log(`\nclients (engine ${runClients(run).engine ?? '-'}):\n${clientsSection(clientBreakdown(run))}`);
      const ttfb = run.ops.filter((o) => o.ttfbUs);
      if (ttfb.length)
        console.log(`\ntime to first byte: ${ttfb.map((o) => `${o.op} p50 ${formatLatency(o.ttfbUs!.p50)} p99 ${formatLatency(o.ttfbUs!.p99)}`).join('; ')}`);
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
