/** `/api/schedules` through app.inject(): answers, the token on every change, strict schemas (400, never 500). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../src/dashboard/app.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'storbench-schedules-api-'));
const store = openStore(':memory:');
const scheduler = new Scheduler({ store, log: () => undefined });
const app = await buildApp({ store, token: TOKEN, scheduler });
const readOnly = await buildApp({ store });
after(async () => {
  await scheduler.stop();
  await app.close();
  await readOnly.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const body = {
  id: 'nightly',
  cron: '0 2 * * *',
  workloads: ['put-small'],
  overrides: { duration: '2s', ops: 50, objects: 10 },
  targets: [
    { name: 'null', url: 'null://' },
    { name: 's3', url: 's3://127.0.0.1:1/bucket', env: { secretAccessKey: 'S3_SECRET' } },
  ],
  thresholds: { throughputDropPct: 15 },
  webhook: 'http://127.0.0.1:9/hooks/abc',
};
const post = (url: string, payload?: unknown, headers: Record<string, string> = auth) =>
  app.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

test('adding a schedule needs the token; the answer shows it with defaults and its next due time', async () => {
  assert.equal((await readOnly.inject({ method: 'POST', url: '/api/schedules', payload: body })).statusCode, 403, 'a server without a token is read-only');
  assert.equal((await post('/api/schedules', body, {})).statusCode, 401);
  assert.equal((await post('/api/schedules', body, { authorization: 'Bearer wrong-token-0000000000' })).statusCode, 401);
  const r = await post('/api/schedules', body);
  assert.equal(r.statusCode, 201, r.body);
  const s = r.json().schedule;
  assert.deepEqual(s.thresholds, { throughputDropPct: 15, p99RisePct: 20 });
  assert.equal(s.missed, 'skip');
  assert.equal(s.enabled, true);
  assert.equal(s.webhook, 'http://127.0.0.1:9/…', 'the webhook path (it may be a token) is not shown');
  assert.match(s.nextDueAt, /T02:00:00\.000Z$/);
  assert.deepEqual(s.suite.targets[1].env, { secretAccessKey: 'S3_SECRET' });
  const withBaseline = await post('/api/schedules', { ...body, id: 'with-baseline', baseline: 's3' });
  assert.equal(withBaseline.statusCode, 201, withBaseline.body);
  assert.equal(withBaseline.json().schedule.suite.baseline, 's3');
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/schedules/with-baseline', headers: auth })).statusCode, 204);
  const dup = await post('/api/schedules', body);
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().code, 'STORBENCH_ERR_CONFLICT');
});

test('bad bodies are 400s naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{ ...body, id: 'x', extra: 1 }, /body: unknown field "extra"/],
    [{ ...body, id: 'x', cron: 'at night' }, /cron: "at night" is not a cron expression/],
    [{ ...body, id: 'bad id' }, /body\.id has an invalid format/],
    [{ ...body, id: 'x', targets: [] }, /body\.targets must NOT have fewer than 1 items/],
    [{ ...body, id: 'x', targets: 'null://' }, /body\.targets must be array/],
    [
      { ...body, id: 'x', targets: [{ url: 's3://k:secret@127.0.0.1/b' }] },
      /carries the URL password in clear; a schedule keeps secrets only as environment variable names/,
    ],
    [{ ...body, id: 'x', targets: [{ url: 'null://', env: { key: 'not a name' } }] }, /invalid format/],
    [{ ...body, id: 'x', workloads: ['nope'] }, /^body\.workloads\.0 must be one of put-small, get-small, /],
    [{ ...body, id: 'x', workloads: [{ mix: 'write' }] }, /^body\.workloads\.0\.mix must be object$/],
    [{ ...body, id: 'x', targets: [{ url: 'null://', extra: 1 }] }, /^body\.targets\.0: unknown field "extra"$/],
    [{ ...body, id: 'x', targets: [{ url: 'zz://host/x' }] }, /targets\.0: unknown scheme "zz:\/\/"/],
    [
      {
        ...body,
        id: 'x',
        targets: [
          { url: 'null://', name: 'n' },
          { url: 'null://', name: 'n' },
        ],
      },
      /targets\.1\.name: "n" is used twice/,
    ],
    [{ ...body, id: 'x', targets: [{ url: 'null://', options: { a: { b: 1 } } }] }, /^body\.targets\.0\.options\.a must be a string, a number or a boolean$/],
    [{ ...body, id: 'x', cron: '0 0 30 2 *' }, /cron: "0 0 30 2 \*" never comes due/],
    [{ ...body, id: 'x', overrides: { duration: 'forever' } }, /duration/],
    [{ ...body, id: 'x', missed: 'maybe' }, /body\.missed must be one of skip, run-once/],
    [{ ...body, id: 'x', thresholds: { throughputDropPct: 0 } }, /throughputDropPct must be > 0/],
    [{ ...body, id: 'x', webhook: 'http://127.0.0.1/x?token=1' }, /webhook: a URL with credentials or a query is a secret/],
    [{ ...body, id: 'x', baseline: 'hdfs' }, /schedule: baseline: no storage target named "hdfs" \(targets: s3\)/],
    [{ ...body, id: 'x', baseline: ' ' }, /body\.baseline/],
    ['not json at all', /./],
  ];
  for (const [payload, message] of cases) {
    const r =
      typeof payload === 'string'
        ? await app.inject({ method: 'POST', url: '/api/schedules', headers: { ...auth, 'content-type': 'application/json' }, payload })
        : await post('/api/schedules', payload);
    assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
    assert.match(r.json().message, message);
  }
  assert.equal(store.listSchedules().length, 1, 'nothing was stored');
});

test('list, show, disable, enable, run now, remove', async () => {
  const list = (await app.inject('/api/schedules')).json();
  assert.deepEqual(
    list.schedules.map((s: { id: string }) => s.id),
    ['nightly'],
  );
  assert.equal(list.schedules[0].lastJob, null);
  assert.equal((await app.inject('/api/schedules?x=1')).statusCode, 400);
  assert.equal((await app.inject('/api/schedules/missing')).statusCode, 404);
  assert.equal((await app.inject('/api/schedules/bad%20id')).statusCode, 400);

  assert.equal((await post('/api/schedules/nightly/disable', undefined, {})).statusCode, 401);
  const off = await post('/api/schedules/nightly/disable');
  assert.equal(off.statusCode, 200);
  assert.equal(off.json().schedule.enabled, false);
  assert.equal(off.json().schedule.nextDueAt, null);
  assert.equal((await post('/api/schedules/nightly/enable')).json().schedule.enabled, true);
  assert.equal((await post('/api/schedules/missing/enable')).statusCode, 404);

  // The s3 target's secret variable is unset here: the job fails at once, with the reason, and the null
  // target is not run either (the suite is resolved whole before anything runs).
  const run = await post('/api/schedules/nightly/run');
  assert.equal(run.statusCode, 202, run.body);
  assert.equal(run.json().job.status, 'failed');
  assert.match(run.json().job.reason, /environment variable S3_SECRET is not set/);
  assert.equal((await readOnly.inject({ method: 'POST', url: '/api/schedules/nightly/run' })).statusCode, 403);

  const shown = (await app.inject('/api/schedules/nightly?jobs=5')).json();
  assert.equal(shown.jobs.length, 1);
  assert.equal(shown.jobs[0].trigger, 'manual');
  assert.deepEqual(shown.runs, []);
  assert.equal((await app.inject('/api/schedules/nightly?jobs=0')).statusCode, 400);

  assert.equal((await app.inject({ method: 'DELETE', url: '/api/schedules/nightly' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/schedules/nightly', headers: auth })).statusCode, 204);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/schedules/nightly', headers: auth })).statusCode, 404);
  assert.deepEqual(store.listJobs('nightly'), [], 'its jobs went with it');
});

test('run now on a server without a scheduler is a 409; a job on a free target starts (202, running)', async () => {
  const noScheduler = await buildApp({ store, token: TOKEN });
  try {
    assert.equal((await post('/api/schedules', { ...body, id: 'quick', targets: [{ url: 'null://' }] })).statusCode, 201);
    const r = await noScheduler.inject({ method: 'POST', url: '/api/schedules/quick/run', headers: auth });
    assert.equal(r.statusCode, 409);
    assert.match(r.json().message, /no scheduler/);
    const started = await post('/api/schedules/quick/run');
    assert.equal(started.statusCode, 202);
    assert.equal(started.json().job.status, 'running');
    await scheduler.idle();
    const shown = (await app.inject('/api/schedules/quick')).json();
    assert.equal(shown.jobs[0].status, 'completed');
    assert.equal(shown.runs.length, 1);
    assert.equal(shown.runs[0].scheduleId, 'quick');
  } finally {
    await noScheduler.close();
  }
});

/** A valid workload file on the server: a route that reads server files would accept it. */
function serverWorkloadFile(): string {
  const path = join(dir, 'server-side.yaml');
  writeFileSync(path, 'mix: { write: 1 }\nobjects: 5\nops: 20\nduration: 2s\n');
  return path;
}

test('workloads are preset names or inline specs: a path is a 400 naming the field, and no server file is read', async () => {
  // The readable file first: code that reads server files accepts it (201) and fails here, before /dev/zero.
  for (const path of [serverWorkloadFile(), '/dev/zero', '/etc/passwd', './put-small', 'put-small.yaml', '../x']) {
    const started = Date.now();
    const r = await post('/api/schedules', { ...body, id: 'paths', workloads: ['put-small', path] });
    assert.equal(r.statusCode, 400, `${path}: ${r.body}`);
    assert.match(r.json().message, /^body\.workloads\.1 must be one of put-small, /, path);
    assert.ok(Date.now() - started < 2000, `${path}: answered at once`);
  }
  assert.equal(store.getSchedule('paths'), undefined, 'nothing was stored');
  const badInline = await post('/api/schedules', { ...body, id: 'paths', workloads: [{ mix: { write: 0 } }] });
  assert.equal(badInline.statusCode, 400);
  assert.match(badInline.json().message, /workload workloads\.0: mix: at least one operation needs a weight above 0/);
});

test('an inline workload spec is stored as given and runs', async () => {
  const inline = { name: 'tiny-put', mix: { write: 1 }, objects: 5, size: '1KiB', concurrency: 2 };
  const r = await post('/api/schedules', { ...body, id: 'inline', targets: [{ url: 'null://' }], workloads: [inline, 'get-small'] });
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(r.json().schedule.suite.workloads, [inline, 'get-small']);
  const started = await post('/api/schedules/inline/run');
  assert.equal(started.statusCode, 202, started.body);
  await scheduler.idle();
  const shown = (await app.inject('/api/schedules/inline')).json();
  assert.equal(shown.jobs[0].status, 'completed', shown.jobs[0].reason);
  assert.deepEqual(shown.runs.map((run: { workload: string }) => run.workload).sort(), ['get-small', 'tiny-put']);
});

test('a schedule that holds a file path (as older versions stored) fails its job without reading the file', async () => {
  const path = serverWorkloadFile();
  store.createSchedule({
    id: 'legacy',
    cron: '0 2 * * *',
    enabled: true,
    missed: 'skip',
    thresholds: { throughputDropPct: 10, p99RisePct: 20 },
    suite: { targets: [{ url: 'null://', options: {}, env: {} }], workloads: [path], overrides: {} },
  });
  const r = await post('/api/schedules/legacy/run');
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.json().job.status, 'failed');
  assert.match(r.json().job.reason, /workloads\.0: ".*server-side\.yaml" is a file path: schedules hold preset names or inline specs/);
  await scheduler.idle();
  assert.deepEqual((await app.inject('/api/schedules/legacy')).json().runs, [], 'nothing ran');
});

test('a schedule name with capitals (as the CLI takes it) is taken and found by the API', async () => {
  const r = await post('/api/schedules', { ...body, id: 'Nightly-UP' });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal((await app.inject('/api/schedules/Nightly-UP')).statusCode, 200);
  assert.equal((await post('/api/schedules/Nightly-UP/disable')).statusCode, 200);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/schedules/Nightly-UP', headers: auth })).statusCode, 204);
});
