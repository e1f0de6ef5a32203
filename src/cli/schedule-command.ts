/** `storbench schedule add|list|show|rm|enable|disable|run-now`: schedules in the results database. */
import { UsageError } from '../errors.js';
import { textTable } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import type { ResultsStore, ScheduleTarget } from '../results/types.js';
import { describeCrossings, type Regression } from '../scheduler/regression.js';
import { inlineWorkload, isWorkloadPath, scheduleView, validateSchedule, workloadLabel } from '../scheduler/schedule.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { loadTargetsFile } from '../suite/targets-file.js';
import { parseDecimal } from '../workloads/size.js';
import { loadWorkload } from '../workloads/spec.js';
import { type Command, parseFlags, positiveInt } from './command.js';
import { engineFlagOptions, fleetSettings } from './engine-flags.js';
import { terminalWidth } from './terminal.js';
import { workloadFlagOptions, workloadFlagUsage, workloadOverrides } from './workload-flags.js';

const usage = `usage: storbench schedule <action> [NAME] [flags]   (all actions take --db PATH)

  add NAME --cron EXPR (--targets FILE | --target URL [--target URL...]) [--workloads a,b] [flags]
      --cron EXPR            5 fields (min hour day month weekday) or 6 with seconds first; UTC
      --targets FILE         targets file (as for suite): its targets, with their env references, are
                             stored; secret values are read from the environment when a job starts
      --target URL           a target without secrets (repeatable)
      --workloads a,b        presets or workload files (default: the targets file's list); a file is
                             read now and its fields stored: changing it later changes nothing
      --missed skip|run-once what to do at start about due times missed while no server ran (default skip)
      --throughput-drop PCT  regression when ops/s falls by more than PCT% of the recent median (default 10)
      --p99-rise PCT         regression when p99 rises by more than PCT% (default 20)
      --webhook URL|env:VAR  POST regressions as JSON there (a URL with a token: env:VAR)
      --disabled             store it disabled
      --engine E --clients N  run each workload on N clients placed by E (and the other flags of run --engine)
${workloadFlagUsage.replace(/^/gm, '  ')}
  list [--json]              every schedule, its next due time and last job
  show NAME [--jobs N] [--json]  one schedule with its latest jobs and runs (regressions flagged)
  rm NAME | enable NAME | disable NAME
  run-now NAME [--json]      run one job now in this process and wait for it (exit 1 unless completed)

Due jobs run inside \`storbench serve\`.`;

const ACTIONS = ['add', 'list', 'show', 'rm', 'enable', 'disable', 'run-now'] as const;
type Action = (typeof ACTIONS)[number];

const LEFT = Array(7).fill('left' as const);

function oneName(action: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`schedule ${action}: give exactly one schedule name`);
  return positionals[0]!;
}

function mustGet(store: ResultsStore, name: string) {
  const s = store.getSchedule(name);
  if (!s) throw new UsageError(`schedule: no schedule "${name}" in ${store.path} (storbench schedule list)`, 'STORBENCH_ERR_NOT_FOUND');
  return s;
}

function percentFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDecimal(value);
  if (!(n > 0) || n > 100_000) throw new UsageError(`${flag}: expected a percentage above 0, got "${value}"`);
  return n;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'schedule add',
    argv,
    {
      cron: { type: 'string' },
      targets: { type: 'string' },
      target: { type: 'string', multiple: true },
      workloads: { type: 'string' },
      missed: { type: 'string' },
      'throughput-drop': { type: 'string' },
      'p99-rise': { type: 'string' },
      webhook: { type: 'string' },
      disabled: { type: 'boolean' },
      db: { type: 'string' },
      ...workloadFlagOptions,
      ...engineFlagOptions,
    },
    true,
  );
  const distributed = fleetSettings(values);
  const id = oneName('add', positionals);
  if (!values.cron) throw new UsageError('schedule add: --cron EXPR is required');
  if (values.targets && values.target) throw new UsageError('schedule add: give --targets FILE or --target URL, not both');
  let targets: ScheduleTarget[];
  let fileWorkloads: string[] | undefined;
  let baseline: string | undefined;
  if (values.targets) {
    // Loaded in full once, so a missing environment variable shows now; only the entries are stored.
    const file = loadTargetsFile(values.targets);
    targets = file.entries;
    fileWorkloads = file.workloads;
    baseline = file.baseline;
  } else if (values.target) {
    targets = values.target.map((url) => ({ url, options: {}, env: {} }));
  } else {
    throw new UsageError('schedule add: --targets FILE or --target URL is required');
  }
  const names = values.workloads
    ? values.workloads
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean)
    : (fileWorkloads ?? []);
  // A workload file is read here, once, and stored inline: jobs run in `serve`, which reads no workload file.
  const workloads = names.map((w) => (isWorkloadPath(w) ? inlineWorkload(loadWorkload(w)) : w));
  const schedule = validateSchedule({
    id,
    cron: values.cron,
    targets,
    workloads,
    overrides: workloadOverrides({ ...values, target: undefined }),
    enabled: !values.disabled,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(distributed ? { distributed } : {}),
    ...(values.missed !== undefined ? { missed: values.missed } : {}),
    thresholds: {
      ...(values['throughput-drop'] !== undefined ? { throughputDropPct: percentFlag(values['throughput-drop'], '--throughput-drop') } : {}),
      ...(values['p99-rise'] !== undefined ? { p99RisePct: percentFlag(values['p99-rise'], '--p99-rise') } : {}),
    },
    ...(values.webhook !== undefined ? { webhook: values.webhook } : {}),
  });
  const store = openStore(values.db);
  try {
    if (store.getSchedule(id)) throw new UsageError(`schedule add: "${id}" exists already (schedule rm ${id} first)`);
    const view = scheduleView(store.createSchedule(schedule));
    console.log(
      `schedule ${id} added: ${view.cron} (UTC), next due ${view.nextDueAt ?? '-'}${view.enabled ? '' : ' (disabled)'}; jobs run inside \`storbench serve\``,
    );
    return 0;
  } finally {
    store.close();
  }
}

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'scheduled benchmark jobs: add, list, show, rm, enable, disable, run-now',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (!ACTIONS.includes(action as Action)) {
      const missing = action === undefined || action.startsWith('-');
      throw new UsageError(`schedule: ${missing ? 'missing action' : `unknown action "${action}"`} (actions: ${ACTIONS.join(', ')})`);
    }
    if (action === 'add') return add(rest);
    const { values, positionals } = parseFlags(
      `schedule ${action}`,
      rest,
      {
        db: { type: 'string' },
        json: { type: 'boolean' },
        ...(action === 'show' ? { jobs: { type: 'string' } } : {}),
      },
      true,
    );
    if (action === 'list' && positionals.length) throw new UsageError('schedule list: takes no names');
    const jobs = positiveInt(values.jobs as string | undefined, '--jobs', 1000) ?? 20;
    const name = action === 'list' ? '' : oneName(action!, positionals);
    // only `add` creates a database; list and show only read it
    const store = openStore(values.db as string | undefined, { mode: action === 'list' || action === 'show' ? 'read' : 'existing' });
    try {
      switch (action as Exclude<Action, 'add'>) {
        case 'list':
          return list(store, Boolean(values.json));
        case 'show':
          return show(store, name, jobs, Boolean(values.json));
        case 'rm':
          mustGet(store, name);
          store.deleteSchedule(name);
          console.log(`schedule ${name} removed (its runs stay in the database)`);
          return 0;
        case 'enable':
        case 'disable':
          mustGet(store, name);
          store.setScheduleEnabled(name, action === 'enable');
          console.log(`schedule ${name} ${action}d`);
          return 0;
        case 'run-now':
          return await runNow(store, name, Boolean(values.json));
      }
    } finally {
      store.close();
    }
  },
};

function list(store: ResultsStore, json: boolean): number {
  const schedules = store.listSchedules().map((s) => ({ ...scheduleView(s), lastJob: store.listJobs(s.id, 1)[0] ?? null }));
  if (json) {
    console.log(JSON.stringify({ schedules }));
    return 0;
  }
  if (!schedules.length) {
    console.log('no schedules (storbench schedule add --help)');
    return 0;
  }
  console.log(
    textTable(
      ['schedule', 'cron (UTC)', 'enabled', 'next due', 'targets', 'workloads', 'last job'],
      schedules.map((s) => [
        s.id,
        s.cron,
        s.enabled ? 'yes' : 'no',
        s.nextDueAt?.replace('T', ' ').slice(0, 19) ?? '-',
        s.suite.targets.map((t) => t.name ?? t.url).join(', '),
        s.suite.workloads.map(workloadLabel).join(', '),
        s.lastJob ? `${s.lastJob.status} ${s.lastJob.startedAt.replace('T', ' ').slice(0, 19)}` : '-',
      ]),
      LEFT,
      { width: terminalWidth() },
    ),
  );
  return 0;
}

function show(store: ResultsStore, name: string, limit: number, json: boolean): number {
  const view = scheduleView(mustGet(store, name));
  const jobs = store.listJobs(name, limit);
  const runs = store.listRuns({ scheduleId: name, limit: limit * 4 }).runs;
  if (json) {
    console.log(JSON.stringify({ schedule: view, jobs, runs }));
    return 0;
  }
  const t = view.thresholds;
  console.log(`schedule ${view.id}: ${view.cron} (UTC), ${view.enabled ? 'enabled' : 'disabled'}, next due ${view.nextDueAt ?? '-'}`);
  console.log(
    `targets: ${view.suite.targets.map((x) => `${x.name ?? x.url}${Object.keys(x.env).length ? ` (secrets from ${Object.values(x.env).join(', ')})` : ''}`).join('; ')}`,
  );
  console.log(
    `workloads: ${view.suite.workloads.map(workloadLabel).join(', ')}${Object.keys(view.suite.overrides).length ? ` with ${JSON.stringify(view.suite.overrides)}` : ''}`,
  );
  const d = view.suite.distributed;
  if (d) console.log(`clients: ${d.clients} placed by ${d.engine}${d.launcherArgs?.length ? ` (launcher arguments: ${d.launcherArgs.join(' ')})` : ''}`);
  console.log(
    `missed runs: ${view.missed}; regression when ops/s -${t.throughputDropPct}% or p99 +${t.p99RisePct}% vs the median of the last 5 runs${view.webhook ? `; webhook ${view.webhook}` : ''}`,
  );
  console.log(`\njobs (newest first):`);
  console.log(
    jobs.length
      ? textTable(
          ['job', 'due', 'trigger', 'status', 'reason'],
          jobs.map((j) => [String(j.id), j.dueAt.replace('T', ' ').slice(0, 19), j.trigger, j.status, j.reason ?? '']),
          ['right', 'left', 'left', 'left', 'left'],
          { width: terminalWidth() },
        )
      : '  none yet',
  );
  console.log(`\nruns (newest first):`);
  console.log(
    runs.length
      ? textTable(
          ['run', 'status', 'target', 'workload', 'regression'],
          runs.map((r) => {
            const g = r.regression as Regression | undefined;
            return [
              r.id,
              r.status,
              r.targetName,
              r.workload,
              g ? (g.regressed ? `REGRESSED ${describeCrossings(g)}` : `ok vs ${g.baselineRuns.length} runs`) : '',
            ];
          }),
          LEFT,
          { width: terminalWidth() },
        )
      : '  none yet',
  );
  return 0;
}

async function runNow(store: ResultsStore, name: string, json: boolean): Promise<number> {
  mustGet(store, name);
  const scheduler = new Scheduler({ store, log: json ? () => undefined : (line) => console.error(line) });
  const onSignal = () => void scheduler.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { done } = scheduler.runNow(name);
    const job = await done;
    await scheduler.idle();
    if (json) console.log(JSON.stringify({ job, runs: store.listRuns({ suiteId: job.suiteId ?? '-', limit: 1000 }).runs }));
    else console.log(`job ${job.id} of schedule ${name}: ${job.status}${job.reason ? ` (${job.reason})` : ''}`);
    return job.status === 'completed' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
