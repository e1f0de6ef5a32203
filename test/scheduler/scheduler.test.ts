/**
 * Schedule logic with injected time: `tick(now)` and `catchUp(now)` are called with chosen instants, so
 * nothing waits for real minutes. Jobs run for real (null:// and file:// targets, tiny workloads).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { migrations } from '../../src/results/migrations.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { NewSchedule, ResultsStore } from '../../src/results/types.js';
import { detectRegression, median } from '../../src/scheduler/regression.js';
import { DEFAULT_THRESHOLDS, inlineWorkload, validateSchedule } from '../../src/scheduler/schedule.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { PRESETS } from '../../src/workloads/presets.js';
import { loadWorkload, validateWorkload } from '../../src/workloads/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-sched-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MIN = 60_000;
/** The first whole minute after now: due times of `* * * * *` are whole minutes. */
const nextMinute = () => new Date(Math.ceil((Date.now() + 1) / MIN) * MIN);

function schedule(id: string, over: Partial<Parameters<typeof validateSchedule>[0] & object> = {}): NewSchedule {
  return validateSchedule({
    id,
    cron: '* * * * *',
    targets: [{ url: 'null://' }],
    workloads: ['put-small'],
    overrides: { ops: 200, duration: '5s', objects: 10 },
    ...over,
  });
}

function fresh(): { store: ResultsStore; scheduler: Scheduler; lines: string[] } {
  const store = openStore(':memory:');
  const lines: string[] = [];
  return { store, scheduler: new Scheduler({ store, log: (l) => lines.push(l), env: { BENCH_SECRET: 's3cr3t-value' } }), lines };
}

test('validateSchedule: defaults, and every bad input is a clear error naming the field', () => {
  const s = schedule('a');
  assert.deepEqual(s.thresholds, DEFAULT_THRESHOLDS);
  assert.deepEqual(DEFAULT_THRESHOLDS, { throughputDropPct: 10, p99RisePct: 20 });
  assert.equal(s.missed, 'skip');
  assert.equal(s.enabled, true);
  assert.throws(() => schedule('a', { cron: 'every night' }), /cron: "every night" is not a cron expression/);
  assert.throws(() => schedule('bad name!'), /schedule: id: letters, digits/);
  assert.throws(
    () => schedule('a', { targets: [{ url: 's3://user:pw@127.0.0.1:1/b' }] }),
    /targets\.0: s3:\/\/user:\*\*\*@127\.0\.0\.1:1\/b carries the URL password in clear/,
  );
  assert.throws(
    () => schedule('a', { targets: [{ url: 's3://127.0.0.1:1/b', options: { secretAccessKey: 'x' } }] }),
    /carries option secretAccessKey in clear/,
  );
  const withEnv = schedule('a', { targets: [{ url: 's3://127.0.0.1:1/b', env: { secretAccessKey: 'BENCH_SECRET' } }] });
  assert.deepEqual(withEnv.suite.targets[0]!.env, { secretAccessKey: 'BENCH_SECRET' }, 'secrets are kept as variable names');
  assert.throws(() => schedule('a', { overrides: { sizee: '1KiB' } }), /workload put-small: .*sizee/);
  assert.throws(() => schedule('a', { workloads: ['nope'] }), /unknown preset "nope"/);
  assert.throws(() => schedule('a', { webhook: 'http://127.0.0.1:1/hook?token=x' }), /webhook: a URL with credentials or a query is a secret/);
  assert.throws(() => schedule('a', { webhook: 'ftp://127.0.0.1/' }), /only http and https/);
  assert.throws(() => schedule('a', { thresholds: { throughputDropPct: -1 } }), /thresholds\.throughputDropPct/);
  assert.equal(schedule('a', { webhook: 'env:HOOK' }).webhook, 'env:HOOK');
});

test('a workload stored inline validates back to the same spec, for every preset and with overrides', () => {
  for (const name of Object.keys(PRESETS)) {
    for (const overrides of [{}, { duration: '90s', warmup: 1.5, size: '1MiB', rangeSize: '4KiB', blockSize: 65536 }]) {
      const spec = loadWorkload(name, overrides);
      const stored = JSON.parse(JSON.stringify(inlineWorkload(spec)));
      assert.deepEqual(validateWorkload(stored, name), spec, `${name} ${JSON.stringify(overrides)}`);
    }
  }
});

test('detectRegression: the median of up to five earlier runs; only figures beyond the thresholds cross', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const run = (id: string, opsPerSec: number, p99: number) => ({ id, ops: [{ op: 'write', opsPerSec, latencyUs: { p99 } }] });
  const history = [run('h1', 1000, 100), run('h2', 900, 110), run('h3', 5000, 90), run('h4', 1100, 100), run('h5', 950, 105), run('h6', 1, 1)];
  assert.equal(detectRegression(run('x', 10, 10_000), history.slice(0, 1), DEFAULT_THRESHOLDS), undefined, 'one earlier run is no baseline');
  const ok = detectRegression(run('x', 950, 115), history, DEFAULT_THRESHOLDS)!;
  assert.equal(ok.regressed, false);
  assert.deepEqual(ok.baselineRuns, ['h1', 'h2', 'h3', 'h4', 'h5'], 'the sixth earlier run is not used');
  const slow = detectRegression(run('x', 850, 130), history, DEFAULT_THRESHOLDS)!;
  assert.equal(slow.regressed, true);
  assert.deepEqual(
    slow.crossed.map((c) => [c.metric, c.baseline, c.value, c.changePct]),
    [
      ['opsPerSec', 1000, 850, -15],
      ['p99Us', 100, 130, 30],
    ],
  );
  assert.equal(detectRegression(run('x', 850, 130), history, { throughputDropPct: 20, p99RisePct: 50 })!.regressed, false, 'per-schedule thresholds');
});

test('tick(now): fires due jobs once, skips a job whose target is still busy (with the reason), collapses late ticks', async () => {
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('every-minute'));
  store.createSchedule(schedule('off', { enabled: false }));
  const m1 = nextMinute();
  assert.equal(scheduler.tick(new Date(m1.getTime() - 1)).jobs.length, 0, 'nothing is due before the first minute');
  const first = scheduler.tick(m1);
  assert.equal(first.jobs.length, 1, 'the disabled schedule does not fire');
  assert.equal(first.jobs[0]!.job.status, 'running');
  assert.equal(first.nextAt?.getTime(), m1.getTime() + MIN);
  assert.equal(scheduler.tick(m1).jobs.length, 0, 'a due time fires once');
  // Still running when the next minute comes (the tick is immediate): recorded as skipped.
  const second = scheduler.tick(new Date(m1.getTime() + MIN));
  assert.equal(second.jobs[0]!.job.status, 'skipped');
  assert.match(second.jobs[0]!.job.reason!, new RegExp(`target null:// is still in use by job ${first.jobs[0]!.job.id} of schedule every-minute`));
  assert.equal((await first.jobs[0]!.done).status, 'completed');
  // Three minutes late: one job, for the latest due time.
  const late = scheduler.tick(new Date(m1.getTime() + 4 * MIN + 5000));
  assert.equal(late.jobs.length, 1);
  assert.equal(late.jobs[0]!.job.dueAt, new Date(m1.getTime() + 4 * MIN).toISOString());
  await scheduler.idle();
  const jobs = store.listJobs('every-minute');
  assert.deepEqual(
    jobs.map((j) => j.status),
    ['completed', 'skipped', 'completed'],
  );
  const runs = store.listRuns({ scheduleId: 'every-minute' }).runs;
  assert.equal(runs.length, 2);
  assert.ok(
    runs.every((r) => r.suiteId === jobs[0]!.suiteId || r.suiteId === jobs[2]!.suiteId),
    "runs carry their job's suite id",
  );
  assert.equal(store.listJobs('off').length, 0);
  store.close();
});

test("a schedule's baseline must name one of its storage targets, and is stored with every run of its jobs", async () => {
  const targets = [
    { name: 'local', url: 'mem://local' },
    { name: 'ceiling', url: 'null://' },
  ];
  assert.throws(() => schedule('b', { targets, baseline: 'nope' }), /schedule: baseline: no storage target named "nope" \(targets: local\)/);
  assert.throws(() => schedule('b', { targets, baseline: 'ceiling' }), /no storage target named "ceiling"/, 'null:// is never a baseline');
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('b', { targets, baseline: 'local' }));
  assert.equal(store.getSchedule('b')!.suite.baseline, 'local');
  const job = await scheduler.runNow('b').done;
  assert.equal(job.status, 'completed', job.reason);
  const runs = store.listRuns({ scheduleId: 'b' }).runs;
  assert.equal(runs.length, 2);
  assert.deepEqual(
    runs.map((r) => r.suiteBaseline),
    ['local', 'local'],
  );
  store.close();
});

test('two schedules on one target never run together; on different targets they do', async () => {
  const { store, scheduler } = fresh();
  const data = join(dir, 'shared');
  store.createSchedule(schedule('a', { targets: [{ url: `file://${data}?fsync=true`, name: 'one' }] }));
  store.createSchedule(schedule('b', { targets: [{ url: `file://${data}`, name: 'two' }] }));
  store.createSchedule(schedule('c'));
  const { jobs } = scheduler.tick(nextMinute());
  assert.deepEqual(
    jobs.map((j) => [j.job.scheduleId, j.job.status]),
    [
      ['a', 'running'],
      ['b', 'skipped'],
      ['c', 'running'],
    ],
  );
  assert.match(jobs[1]!.job.reason!, /is still in use by job \d+ of schedule a/, 'the same path with other options is the same target');
  await scheduler.idle();
  store.close();
});

test('an unreachable target fails fast with the error recorded; a missing secret variable fails the job; others run', async () => {
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('down', { targets: [{ url: 'nfs://127.0.0.1:1/export' }] }));
  store.createSchedule(schedule('nosecret', { targets: [{ url: 's3://127.0.0.1:1/b', env: { secretAccessKey: 'NOT_SET_ANYWHERE' } }] }));
  store.createSchedule(schedule('fine'));
  const t0 = Date.now();
  const { jobs } = scheduler.tick(nextMinute());
  const [down, fine, nosecret] = await Promise.all(jobs.map((j) => j.done)); // in schedule name order
  assert.ok(Date.now() - t0 < 20_000, 'fails fast');
  assert.equal(down!.status, 'failed');
  assert.match(down!.reason!, /put-small on nfs:\/\/127\.0\.0\.1:1\/export: target .* cannot open it .*ECONNREFUSED/);
  assert.equal(nosecret!.status, 'failed');
  assert.match(nosecret!.reason!, /schedule nosecret: targets\.0\.env\.secretAccessKey: environment variable NOT_SET_ANYWHERE is not set/);
  assert.equal(fine!.status, 'completed');
  store.close();
});

test('missed runs at start: skip records one skipped job, run-once runs one job; the schedule goes on', async () => {
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('skipper'));
  store.createSchedule(schedule('runner', { missed: 'run-once' }));
  const m1 = nextMinute();
  scheduler.tick(m1);
  await scheduler.idle();
  // The server was down for ten minutes.
  const back = new Date(m1.getTime() + 10 * MIN + 30_000);
  const handles = scheduler.catchUp(back);
  assert.deepEqual(
    handles.map((h) => [h.job.scheduleId, h.job.trigger, h.job.status]),
    [
      ['runner', 'missed', 'running'],
      ['skipper', 'missed', 'skipped'],
    ],
  );
  assert.match(handles[1]!.job.reason!, /^10 due times missed while no scheduler ran \(.*\); missed-run policy: skip$/);
  await scheduler.idle();
  assert.equal(scheduler.tick(back).jobs.length, 0, 'the missed due times are handled');
  assert.equal(scheduler.tick(new Date(m1.getTime() + 11 * MIN)).jobs.length, 2, 'and the schedules carry on');
  await scheduler.idle();
  store.createSchedule(schedule('new-one', { missed: 'run-once' }));
  assert.deepEqual(
    scheduler.catchUp(new Date(m1.getTime() + 30 * MIN)).map((h) => h.job.scheduleId),
    ['runner', 'skipper'],
    'a schedule no scheduler handled yet missed nothing',
  );
  await scheduler.idle();
  store.close();
});

test('stop() interrupts a running job: its run and the job end interrupted', async () => {
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('long', { overrides: { duration: '60s', objects: 10 } }));
  const { jobs } = scheduler.tick(nextMinute());
  await new Promise((r) => setTimeout(r, 500));
  await scheduler.stop();
  const job = await jobs[0]!.done;
  assert.equal(job.status, 'interrupted');
  assert.equal(store.listRuns({ scheduleId: 'long' }).runs[0]!.status, 'interrupted');
  store.close();
});

test('a schedule removed while its job runs: the job still ends, nothing throws', async () => {
  const { store, scheduler } = fresh();
  store.createSchedule(schedule('gone', { overrides: { duration: '1s', objects: 10 } }));
  const { jobs } = scheduler.tick(nextMinute());
  assert.ok(store.deleteSchedule('gone'));
  const job = await jobs[0]!.done;
  assert.equal(job.status, 'completed');
  assert.equal(store.getJob(job.id), undefined);
  store.close();
});

test('a regression is stored on the run with the figures that crossed, and announced once to the webhook', async () => {
  const received: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const store = openStore(':memory:');
    const lines: string[] = [];
    const scheduler = new Scheduler({ store, log: (l) => lines.push(l), env: { HOOK: hook } });
    store.createSchedule(schedule('watched', { webhook: 'env:HOOK' }));
    // Two earlier runs of the same schedule, target and workload at a rate no real run reaches.
    for (const [i, id] of ['base-1', 'base-2'].entries()) {
      store.createRun({
        id,
        target: 'null://',
        targetName: 'null://',
        scheme: 'null',
        system: 'null',
        workload: 'put-small',
        spec: {},
        loadModel: 'closed',
        concurrency: 1,
        seed: 1,
        semantics: {} as never,
        capabilities: {} as never,
        environment: {},
        scheduleId: 'watched',
        startedAt: new Date(Date.now() - (10 - i) * 1000).toISOString(),
      });
      const lat = { min: 1, mean: 1, p50: 1, p90: 1, p99: 1, p999: 1, max: 1 };
      store.finishRun(id, {
        status: 'completed',
        endedAt: new Date().toISOString(),
        measuredSeconds: 1,
        segments: [],
        errors: [],
        ops: [{ op: 'write', count: 1e12, errors: 0, errorsByKind: {}, bytes: 0, items: 0, opsPerSec: 1e12, mibPerSec: 0, latencyUs: lat, histogram: '' }],
      });
    }
    const { jobs } = scheduler.tick(nextMinute());
    await jobs[0]!.done;
    await scheduler.idle();
    const run = store.listRuns({ scheduleId: 'watched', limit: 1 }).runs[0]!;
    const regression = run.regression as { regressed: boolean; crossed: { op: string; metric: string; baseline: number }[]; baselineRuns: string[] };
    assert.equal(regression.regressed, true);
    assert.deepEqual(
      regression.crossed.map((c) => [c.op, c.metric, c.baseline]),
      [
        ['write', 'opsPerSec', 1e12],
        ['write', 'p99Us', 1],
      ],
    );
    assert.deepEqual(regression.baselineRuns, ['base-2', 'base-1']);
    assert.equal(received.length, 1);
    const post = received[0] as { method: string; type: string; body: Record<string, unknown> };
    assert.equal(post.method, 'POST');
    assert.equal(post.type, 'application/json');
    assert.equal(post.body.event, 'regression');
    assert.equal(post.body.schedule, 'watched');
    assert.equal(post.body.runId, run.id);
    assert.ok(lines.some((l) => /REGRESSED: write ops\/s/.test(l)));
    store.close();
  } finally {
    server.close();
  }
});

test('a webhook that never answers is given up after its timeout and blocks no job', async () => {
  const server = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { postWebhook } = await import('../../src/scheduler/webhook.js');
  const lines: string[] = [];
  const t0 = Date.now();
  const ok = await postWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { x: 1 }, (l) => lines.push(l), 300);
  assert.equal(ok, false);
  assert.ok(Date.now() - t0 < 5000);
  assert.match(lines[0]!, /webhook http:\/\/127\.0\.0\.1:\d+: no answer within 300 ms/);
  server.closeAllConnections();
  server.close();
});

test('a database of schema 1 is migrated to the latest schema: its runs stay, schedules can be added', () => {
  const path = join(dir, 'v1.db');
  const raw = new Database(path);
  raw.exec(migrations[0]!);
  raw.pragma('user_version = 1');
  raw
    .prepare(`INSERT INTO runs (id, status, target, target_name, scheme, system, workload, spec_json, load_model, concurrency,
    seed, semantics_json, capabilities_json, environment_json, started_at, host, pid) VALUES ('old', 'completed', 'null://', 'null://',
    'null', 'null', 'put-small', '{}', 'closed', 1, 1, '{}', '{}', '{}', '2026-01-01T00:00:00.000Z', 'h', 1)`)
    .run();
  raw.close();
  const store = openStore(path);
  assert.equal(store.getRun('old')?.status, 'completed');
  store.createSchedule(schedule('after-upgrade'));
  assert.equal(store.listSchedules().length, 1);
  store.close();
  const again = new Database(path, { readonly: true });
  assert.equal(again.pragma('user_version', { simple: true }), migrations.length);
  again.close();
});
