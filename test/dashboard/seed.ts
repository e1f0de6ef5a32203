/**
 * Deterministic result databases for the API tests, the page tests and bench:api: real HDR histograms
 * (hdr-histogram-js, as the runner records them), per-second segments and error samples.
 */

import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import type { ClientStatus, NewRun, OpResult, ResultsStore, RunClient, Segment } from '../../src/results/types.js';
import { encodeHistogram, type Histogram, mergeHistograms, newHistogram, summarize } from '../../src/runner/histogram.js';

/** A target name carrying markup: the pages must show it as text. */
export const MARKUP_TARGET = '<img src=x onerror="window.__xss=1">evil';

/** A seeded storage target: its names, and how fast and slow its figures are. */
export interface TargetDef {
  name: string;
  scheme: string;
  system: string;
  speed: number;
  latencyUs: number;
}

/** The baseline the seeded runs' suite declared (a targets file's `baseline`): not the first target by name. */
export const SEED_BASELINE = 'hdfs-3dn';

export const TARGETS: readonly TargetDef[] = [
  { name: 'hdfs-3dn', scheme: 'webhdfs', system: 'hdfs', speed: 1, latencyUs: 2400 },
  { name: 'ceph-rgw', scheme: 's3', system: 's3', speed: 1.6, latencyUs: 1500 },
  { name: 'cassandra-3', scheme: 'cassandra', system: 'cassandra', speed: 1.25, latencyUs: 1900 },
  { name: 'nfs-ganesha', scheme: 'nfs', system: 'nfs', speed: 0.7, latencyUs: 3400 },
  { name: MARKUP_TARGET, scheme: 'file', system: 'posix', speed: 2.2, latencyUs: 700 },
  { name: 'null', scheme: 'null', system: 'null', speed: 40, latencyUs: 20 },
];

export const WORKLOAD_OPS: Readonly<Record<string, readonly string[]>> = {
  'put-small': ['write'],
  'get-small': ['read'],
  'put-large': ['write'],
  'get-large': ['read'],
  mixed: ['read', 'write', 'stat', 'list'],
};

/** Eight op types, for runs shaped like the heaviest real ones (bench:api). */
export const ALL_OPS = ['write', 'read', 'stat', 'list', 'delete', 'rename', 'append', 'scan'] as const;

/** mulberry32: small, seeded, good enough for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  /** Completed runs to write. @default one per target and workload */
  readonly runs?: number;
  /** Give every run all eight op types. @default false */
  readonly allOps?: boolean;
  /** Seconds of segments per run. @default 10 */
  readonly seconds?: number;
  /** Latency samples recorded per op histogram. @default 2000 */
  readonly samples?: number;
  /** Also write one running run (live progress) and one failed run. @default true */
  readonly extras?: boolean;
}

function newRun(id: string, t: TargetDef, workload: string, startedAt: string): NewRun {
  return {
    id,
    target: `${t.scheme}://127.0.0.1/bench`,
    targetName: t.name,
    scheme: t.scheme,
    system: t.system,
    workload,
    spec: { workload, size: workload.includes('large') ? 16 * 1024 * 1024 : 4096, objects: 1000 },
    loadModel: 'closed',
    concurrency: 32,
    seed: 42,
    semantics: {
      writeDurability: t.system === 'hdfs' ? 'acknowledged by 3 DataNodes' : 'fsync before ack',
      readAfterWrite: 'strong',
      listConsistency: 'strong',
      replication: 3,
    },
    capabilities: defineCapabilities({
      rename: true,
      unknownLengthWrite: true,
      maxObjectSize: 2 ** 40,
      persistent: t.scheme !== 'null',
      positionalWrite: t.scheme === 'file',
    }),
    environment: {
      host: 'bench-host',
      nodeVersion: 'v20.20.2',
      storbenchVersion: '0.1.0',
      fsType: t.scheme === 'file' ? 'tmpfs' : 'n/a',
    },
    ...(t.scheme === 'file' ? { warnings: [{ code: 'page-cache', text: 'neither O_DIRECT nor dropped caches' }] } : {}),
    // as `storbench suite` stores a targets file's `baseline: hdfs-3dn`
    suiteBaseline: SEED_BASELINE,
    startedAt,
  };
}

function opResult(op: string, t: TargetDef, large: boolean, seconds: number, samples: number, rnd: () => number) {
  const h = newHistogram();
  const base = t.latencyUs * (large ? 20 : 1) * (op === 'list' ? 3 : op === 'stat' ? 0.5 : 1);
  for (let i = 0; i < samples; i++) {
    // Log-normal-ish body with a long tail, like real storage latencies.
    const tail = rnd() < 0.01 ? 5 + rnd() * 20 : 1;
    h.recordValue(Math.max(1, Math.round(base * Math.exp((rnd() - 0.5) * 0.8) * tail)));
  }
  const opsPerSec = (large ? 40 : 3000) * t.speed * (0.9 + rnd() * 0.2) * (op === 'list' ? 0.2 : 1);
  const size = large ? 16 * 1024 * 1024 : 4096;
  const moves = op === 'read' || op === 'write';
  const count = Math.round(opsPerSec * seconds);
  const errors = t.system === 'nfs' && op === 'write' ? Math.round(count * 0.002) : 0;
  const result: OpResult = {
    op,
    count,
    errors,
    errorsByKind: errors ? { Timeout: errors } : {},
    bytes: moves ? count * size : 0,
    items: op === 'list' ? count * 100 : 0,
    opsPerSec,
    mibPerSec: moves ? (opsPerSec * size) / 1048576 : 0,
    latencyUs: summarize(h),
    histogram: encodeHistogram(h),
  };
  const segments: Segment[] = [];
  for (let s = 0; s < seconds; s++) {
    const ops = Math.round(opsPerSec * (0.85 + rnd() * 0.3) * (s === 4 ? 0.6 : 1));
    segments.push({
      second: s,
      op,
      ops,
      bytes: moves ? ops * size : 0,
      errors: errors ? Math.round(errors / seconds) : 0,
      latencySumUs: ops * base * (s === 4 ? 1.8 : 1),
      latencyMaxUs: base * 12,
    });
  }
  return { result, segments };
}

/** One completed run as a run of the seeded kind is written: created, then finished with its figures. */
export interface CompletedRun {
  readonly id: string;
  readonly target: TargetDef;
  readonly workload: string;
  readonly startedAt: string;
  /** @default the workload's ops ({@link WORKLOAD_OPS}) */
  readonly ops?: readonly string[];
  /** @default 10 */
  readonly seconds?: number;
  /** @default 2000 */
  readonly samples?: number;
  /** Random source of the figures. @default seeded from the id's length (deterministic) */
  readonly rnd?: () => number;
}

/** Write one completed run (for tests that add a run to a seeded database). */
export function writeCompletedRun(store: ResultsStore, run: CompletedRun): void {
  const { id, target: t, workload, startedAt } = run;
  const seconds = run.seconds ?? 10;
  const samples = run.samples ?? 2000;
  const rnd = run.rnd ?? random(id.length);
  store.createRun(newRun(id, t, workload, startedAt));
  const made = (run.ops ?? WORKLOAD_OPS[workload]!).map((op) => opResult(op, t, workload.includes('large'), seconds, samples, rnd));
  store.finishRun(id, {
    status: 'completed',
    endedAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
    measuredSeconds: seconds,
    ops: made.map((m) => m.result),
    segments: made.flatMap((m) => m.segments),
    errors: made.some((m) => m.result.errors)
      ? [{ op: 'write', kind: 'Timeout', count: made.reduce((n, m) => n + m.result.errors, 0), message: 'write timed out after 30 s' }]
      : [],
  });
}

/** Write the seeded runs; returns their ids in creation order (oldest first). */
export function seedStore(store: ResultsStore, options: SeedOptions = {}): string[] {
  const rnd = random(7);
  const workloads = Object.keys(WORKLOAD_OPS);
  const total = options.runs ?? TARGETS.length * workloads.length;
  const start = Date.parse('2026-11-20T08:00:00.000Z');
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    const workload = workloads[Math.floor(i / TARGETS.length) % workloads.length]!;
    const id = `run-${String(i + 1).padStart(5, '0')}`;
    writeCompletedRun(store, {
      id,
      target: TARGETS[i % TARGETS.length]!,
      workload,
      startedAt: new Date(start + i * 60_000).toISOString(),
      ...(options.allOps && { ops: ALL_OPS }),
      ...(options.seconds !== undefined && { seconds: options.seconds }),
      ...(options.samples !== undefined && { samples: options.samples }),
      rnd,
    });
    ids.push(id);
  }
  if (options.extras ?? true) {
    const last = start + total * 60_000;
    const live = newRun('run-live', TARGETS[1]!, 'put-small', new Date(last + 60_000).toISOString());
    store.createRun(live);
    store.recordProgress(
      'run-live',
      [
        { second: 0, op: 'write', ops: 4100, bytes: 4100 * 4096, errors: 0, latencySumUs: 4100 * 1500, latencyMaxUs: 9000 },
        { second: 1, op: 'write', ops: 4300, bytes: 4300 * 4096, errors: 2, latencySumUs: 4300 * 1450, latencyMaxUs: 8000 },
      ],
      { elapsedS: 2.1, totalS: 10, ops: 8400, errors: 2, p99Us: 7400 },
    );
    store.createRun(newRun('run-failed', TARGETS[0]!, 'get-large', new Date(last + 120_000).toISOString()));
    store.finishRun('run-failed', {
      status: 'failed',
      endedAt: new Date(last + 125_000).toISOString(),
      measuredSeconds: 0,
      error: 'NotFound: the dataset was not prepared',
      ops: [],
      segments: [],
      errors: [{ op: 'read', kind: 'NotFound', count: 12, message: 'no such object bench/0001' }],
    });
  }
  return ids;
}

/** The schedule of the seeded database: three runs of hdfs-3dn put-small, the last one regressed. */
export const SEEDED_SCHEDULE = 'nightly-hdfs';

/**
 * Add a schedule with its history: three completed jobs with one run each, one skipped job, and a
 * regression on the last run (the latest hdfs-3dn put-small run, so the matrix shows it too).
 */
export function seedSchedule(store: ResultsStore): { regressedRun: string } {
  const rnd = random(11);
  const t = TARGETS[0]!;
  store.createSchedule({
    id: SEEDED_SCHEDULE,
    cron: '0 2 * * *',
    enabled: true,
    missed: 'run-once',
    thresholds: { throughputDropPct: 10, p99RisePct: 20 },
    suite: { targets: [{ name: t.name, url: 'webhdfs://127.0.0.1:9870/bench', options: {}, env: {} }], workloads: ['put-small'], overrides: {} },
  });
  const start = Date.parse('2026-11-21T02:00:00.000Z');
  let last = '';
  for (let day = 0; day < 3; day++) {
    const startedAt = new Date(start + day * 86_400_000).toISOString();
    const job = store.startJob({
      scheduleId: SEEDED_SCHEDULE,
      trigger: 'cron',
      dueAt: startedAt,
      targets: ['webhdfs://127.0.0.1:9870/bench'],
      suiteId: `schedule-${day}`,
    });
    last = `sched-run-${day}`;
    store.createRun({ ...newRun(last, t, 'put-small', startedAt), scheduleId: SEEDED_SCHEDULE, suiteId: `schedule-${day}` });
    const made = opResult('write', { ...t, speed: day === 2 ? 0.5 : 1 }, false, 10, 500, rnd);
    store.finishRun(last, {
      status: 'completed',
      endedAt: new Date(Date.parse(startedAt) + 10_000).toISOString(),
      measuredSeconds: 10,
      ops: [made.result],
      segments: made.segments,
      errors: [],
    });
    store.finishJob(job.id, { status: 'completed' });
    if (day === 1) {
      store.startJob({
        scheduleId: SEEDED_SCHEDULE,
        trigger: 'cron',
        dueAt: startedAt,
        targets: [],
        outcome: { status: 'skipped', reason: 'target webhdfs://127.0.0.1:9870/bench is still in use by job 2 of schedule nightly-hdfs' },
      });
    }
  }
  store.setRegression(last, {
    regressed: true,
    baselineRuns: ['sched-run-1', 'sched-run-0'],
    thresholds: { throughputDropPct: 10, p99RisePct: 20 },
    crossed: [{ op: 'write', metric: 'opsPerSec', baseline: 3000, value: 1500, changePct: -50, thresholdPct: 10 }],
  });
  return { regressedRun: last };
}

/** The multi-client run of {@link seedMultiClientRun}. */
export const MULTI_CLIENT_RUN = 'run-multi';

/**
 * Its clients, with figures chosen to be checked by hand: the median of the completed clients' ops/s is
 * 990, so rank 2 (600) is slow; the first is done at 10 s and the run measured 12.5 s, so rank 3 (done
 * 2.5 s later, more than 1.25 s) is late; rank 4 was lost. Each client's latencies are `latencyUs` but for
 * a 1% tail at four times that, so its p99 is `latencyUs` exactly.
 */
export const SEEDED_CLIENTS: readonly {
  host: string;
  status: ClientStatus;
  opsPerSec: number;
  seconds: number;
  latencyUs: number;
  startSkewMs: number;
}[] = [
  { host: 'node-a', status: 'completed', opsPerSec: 1000, seconds: 10, latencyUs: 1500, startSkewMs: 1.2 },
  { host: 'node-b', status: 'completed', opsPerSec: 980, seconds: 10.2, latencyUs: 1400, startSkewMs: -0.4 },
  { host: 'node-c', status: 'completed', opsPerSec: 600, seconds: 10.1, latencyUs: 2000, startSkewMs: 2.5 },
  { host: 'node-d', status: 'completed', opsPerSec: 1010, seconds: 12.5, latencyUs: 1600, startSkewMs: 0.8 },
  { host: 'node-e', status: 'lost', opsPerSec: 400, seconds: 4, latencyUs: 1500, startSkewMs: 1.9 },
];

/** A put-small write op: `count` objects of 4 KiB in `seconds`, with the latencies of `h`. */
function writeOp(count: number, errors: number, seconds: number, h: Histogram): OpResult {
  return {
    op: 'write',
    count,
    errors,
    errorsByKind: errors ? { Timeout: errors } : {},
    bytes: count * 4096,
    items: 0,
    opsPerSec: count / seconds,
    mibPerSec: (count * 4096) / seconds / 1048576,
    latencyUs: summarize(h),
    histogram: encodeHistogram(h),
  };
}

/**
 * Write a completed put-small run of five clients (`run --engine slurm --clients 5`) on ceph-rgw, older
 * than every seeded run (so the matrix still shows the seeded ones): the run's figures are its clients'
 * merged, each client keeps its own.
 */
export function seedMultiClientRun(store: ResultsStore, startedAt = '2026-11-20T07:00:00.000Z'): void {
  const measuredSeconds = 12.5;
  const clients: RunClient[] = SEEDED_CLIENTS.map((c, rank) => {
    const h = newHistogram();
    h.recordValueWithCount(c.latencyUs, 495);
    h.recordValueWithCount(4 * c.latencyUs, 5);
    return {
      rank,
      status: c.status,
      ...(c.status === 'lost' && { error: 'no heartbeat for 30 s' }),
      host: c.host,
      pid: 4000 + rank,
      engineTask: `812.0.${rank}`,
      clockOffsetMs: rank - 2,
      rttMs: 0.3,
      startSkewMs: c.startSkewMs,
      measuredSeconds: c.seconds,
      ops: [writeOp(Math.round(c.opsPerSec * c.seconds), rank, c.seconds, h)],
      environment: { host: c.host, threads: 2, storbenchVersion: '0.1.0' },
    };
  });
  const ops = clients.map((c) => c.ops[0]!);
  const count = ops.reduce((n, o) => n + o.count, 0);
  const errors = ops.reduce((n, o) => n + o.errors, 0);
  const perSecond = Math.round(count / measuredSeconds);
  const run = newRun(MULTI_CLIENT_RUN, TARGETS[1]!, 'put-small', startedAt);
  store.createRun({ ...run, environment: { ...run.environment, engine: 'slurm', clients: clients.length, startSkewMaxMs: 2.5 } });
  store.finishRun(MULTI_CLIENT_RUN, {
    status: 'completed',
    endedAt: new Date(Date.parse(startedAt) + measuredSeconds * 1000).toISOString(),
    measuredSeconds,
    ops: [writeOp(count, errors, measuredSeconds, mergeHistograms(ops.map((o) => o.histogram)))],
    segments: Array.from({ length: 12 }, (_, second) => ({
      second,
      op: 'write',
      ops: perSecond,
      bytes: perSecond * 4096,
      errors: 0,
      latencySumUs: perSecond * 1600,
      latencyMaxUs: 8000,
    })),
    errors: [{ op: 'write', kind: 'Timeout', count: errors, message: 'write timed out after 30 s' }],
  });
  store.recordClients(MULTI_CLIENT_RUN, clients);
}

/** The runs of {@link seedShortRuns}: one second of segments, and two. */
export const SHORT_RUNS = { oneSecond: 'run-short-1s', twoSeconds: 'run-short-2s' } as const;

/**
 * Two short completed put-small runs on nfs-ganesha, older than every seeded run: one with a single second of
 * segments (nothing to chart over time), one with two seconds and exactly one error in each (a count axis of 0 to 1).
 */
export function seedShortRuns(store: ResultsStore): void {
  const t = TARGETS[3]!;
  for (const [id, seconds] of [
    [SHORT_RUNS.oneSecond, 1],
    [SHORT_RUNS.twoSeconds, 2],
  ] as const) {
    const startedAt = `2026-11-19T08:0${seconds}:00.000Z`;
    store.createRun(newRun(id, t, 'put-small', startedAt));
    const made = opResult('write', t, false, seconds, 500, random(seconds));
    store.finishRun(id, {
      status: 'completed',
      endedAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
      measuredSeconds: seconds,
      ops: [{ ...made.result, errors: seconds, errorsByKind: { Timeout: seconds } }],
      segments: made.segments.map((s) => ({ ...s, errors: 1 })),
      errors: [{ op: 'write', kind: 'Timeout', count: seconds, message: 'write timed out after 30 s' }],
    });
  }
}

/** The runs of {@link seedOpenLoopRuns}: two open-loop get-small runs of hdfs-3dn at 2,000 ops/s, one after the other. */
export const OPEN_LOOP_RUNS = { before: 'run-open-before', after: 'run-open-after' } as const;
/** Their offered rate (ops/s), and the measured seconds of each. */
export const OPEN_LOOP_RATE = 2000;
export const OPEN_LOOP_SECONDS = 20;

/**
 * A read op of an open-loop run measured for `seconds`: service times around `serviceUs`, response times from the
 * intended start that add a queueing wait (a stall at second 8 delays the operations due after it), time to first
 * byte at 60% of service, and per-second segments with their p50 and p99 (at most 3.1% high, as the runner stores them).
 */
function openLoopRead(count: number, seconds: number, serviceUs: number, rnd: () => number) {
  const response = newHistogram();
  const service = newHistogram();
  const ttfb = newHistogram();
  const perSecond = Array.from({ length: seconds }, () => newHistogram());
  for (let i = 0; i < count; i++) {
    const second = Math.floor((i / count) * seconds);
    const s = Math.max(1, Math.round(serviceUs * Math.exp((rnd() - 0.5) * 0.6)));
    const wait = second === 8 ? Math.round(20_000 * rnd()) : Math.round(s * 0.2 * rnd());
    service.recordValue(s);
    ttfb.recordValue(Math.max(1, Math.round(s * 0.6)));
    response.recordValue(s + wait);
    perSecond[second]!.recordValue(s + wait);
  }
  const result: OpResult = {
    op: 'read',
    count,
    errors: 0,
    errorsByKind: {},
    bytes: count * 4096,
    items: 0,
    opsPerSec: count / seconds,
    mibPerSec: (count * 4096) / seconds / 1048576,
    latencyUs: summarize(response),
    serviceUs: summarize(service),
    ttfbUs: summarize(ttfb),
    meanIoRateMibPerSec: 4096 / (serviceUs / 1e6) / 1048576,
    histogram: encodeHistogram(response),
    serviceHistogram: encodeHistogram(service),
    ttfbHistogram: encodeHistogram(ttfb),
  };
  const segments: Segment[] = perSecond.map((h, second) => ({
    second,
    op: 'read',
    ops: h.totalCount,
    bytes: h.totalCount * 4096,
    errors: 0,
    latencySumUs: Math.round(summarize(h).mean * h.totalCount),
    latencyMaxUs: h.maxValue,
    latencyP50Us: h.getValueAtPercentile(50),
    latencyP99Us: h.getValueAtPercentile(99),
  }));
  return { result, segments };
}

/**
 * Two completed open-loop get-small runs of hdfs-3dn offered 2,000 ops/s, older than every seeded run (the matrix
 * still shows the seeded ones): the second one is slower to serve, and ran on two threads. Returns their ids, oldest first.
 */
export function seedOpenLoopRuns(store: ResultsStore): string[] {
  const t = TARGETS[0]!;
  const ids = [OPEN_LOOP_RUNS.before, OPEN_LOOP_RUNS.after];
  ids.forEach((id, i) => {
    const startedAt = `2026-11-19T09:0${i}:00.000Z`;
    store.createRun({ ...newRun(id, t, 'get-small', startedAt), loadModel: 'open', rate: OPEN_LOOP_RATE });
    const made = openLoopRead(OPEN_LOOP_RATE * OPEN_LOOP_SECONDS - i * 1000, OPEN_LOOP_SECONDS, i ? 1500 : 900, random(20 + i));
    store.finishRun(id, {
      status: 'completed',
      endedAt: new Date(Date.parse(startedAt) + OPEN_LOOP_SECONDS * 1000).toISOString(),
      measuredSeconds: OPEN_LOOP_SECONDS,
      ops: [made.result],
      segments: made.segments,
      errors: [],
      // the second run ran on two threads, the second of them slower
      ...(i && {
        threads: [0.6, 0.4].map((share, thread) => ({
          thread,
          op: 'read',
          count: Math.round(made.result.count * share),
          errors: 0,
          opsPerSec: (made.result.count * share) / OPEN_LOOP_SECONDS,
          p99Us: made.result.latencyUs.p99 * (1 + thread),
        })),
      }),
    });
  });
  return ids;
}

/** The run of {@link seedHourRun}. */
export const HOUR_RUN = 'run-hour';

/**
 * A completed one-hour mixed run of ceph-rgw (3,600 seconds × 4 op types of segments, each with its p50 and p99),
 * older than every seeded run: the run page's heaviest ordinary answer.
 */
export function seedHourRun(store: ResultsStore): void {
  const t = TARGETS[1]!;
  const startedAt = '2026-11-18T08:00:00.000Z';
  const rnd = random(3600);
  store.createRun(newRun(HOUR_RUN, t, 'mixed', startedAt));
  const made = WORKLOAD_OPS.mixed!.map((op) => opResult(op, t, false, 3600, 2000, rnd));
  store.finishRun(HOUR_RUN, {
    status: 'completed',
    endedAt: new Date(Date.parse(startedAt) + 3_600_000).toISOString(),
    measuredSeconds: 3600,
    ops: made.map((m) => m.result),
    segments: made.flatMap((m) => m.segments.map((s) => ({ ...s, latencyP50Us: s.latencySumUs / Math.max(1, s.ops), latencyP99Us: s.latencyMaxUs / 2 }))),
    errors: [],
  });
}

/** The runs of {@link seedMixedSettings}, by what each shows. */
export const MIXED_RUNS = {
  /** hdfs-3dn get-small, open loop at 2,000 ops/s: set up differently from the column, left out of the matrix. */
  openLoop: '20261120-090000-0a11',
  /** ceph-rgw mixed with verify on: left out too. */
  verify: '20261120-090100-0b22',
  /** cassandra-3 get-small like the others, 30% of its operations failed: "completed with errors". */
  withErrors: '20261120-090200-0c33',
  /** ceph-rgw put-small stopped with Ctrl-C before it measured anything. */
  interrupted: '20261120-090300-0d44',
} as const;

/**
 * Runs with mixed settings, newer than every {@link seedStore} run (add them after it): an open-loop run and a
 * verify run that a like-for-like matrix must leave out, a completed run with 30% errors, an interrupted one.
 */
export function seedMixedSettings(store: ResultsStore): void {
  const rnd = random(13);
  const finish = (id: string, t: TargetDef, workload: string, startedAt: string, setup: Partial<NewRun>, errorShare = 0) => {
    const run = newRun(id, t, workload, startedAt);
    store.createRun({ ...run, ...setup, spec: { ...run.spec, ...setup.spec } });
    const made = WORKLOAD_OPS[workload]!.map((op) => opResult(op, t, false, 10, 500, rnd));
    // errors / (count + errors) = errorShare
    const ops = made.map(({ result: o }) => {
      const errors = Math.round((o.count * errorShare) / (1 - errorShare));
      return errorShare ? { ...o, errors, errorsByKind: { Unavailable: errors } } : o;
    });
    store.finishRun(id, {
      status: 'completed',
      endedAt: new Date(Date.parse(startedAt) + 10_000).toISOString(),
      measuredSeconds: 10,
      ops,
      segments: made.flatMap((m) => m.segments),
      errors: errorShare ? [{ op: 'read', kind: 'Unavailable', count: ops[0]!.errors, message: 'HTTP 503: Slow Down' }] : [],
    });
  };
  finish(MIXED_RUNS.openLoop, TARGETS[0]!, 'get-small', '2026-11-20T09:00:00.000Z', { loadModel: 'open', rate: 2000, spec: { rate: 2000 } });
  finish(MIXED_RUNS.verify, TARGETS[1]!, 'mixed', '2026-11-20T09:01:00.000Z', { spec: { verify: true } });
  finish(MIXED_RUNS.withErrors, TARGETS[2]!, 'get-small', '2026-11-20T09:02:00.000Z', {}, 0.3);
  store.createRun(newRun(MIXED_RUNS.interrupted, TARGETS[1]!, 'put-small', '2026-11-20T09:03:00.000Z'));
  store.finishRun(MIXED_RUNS.interrupted, {
    status: 'interrupted',
    endedAt: '2026-11-20T09:03:01.000Z',
    measuredSeconds: 0,
    error: 'interrupted before the planned end; figures cover what was measured',
    ops: [],
    segments: [],
    errors: [],
  });
}
