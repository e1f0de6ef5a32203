/**
 * End to end with real time: `storbench schedule add` and `storbench serve` as a user runs them, a
 * schedule firing every second against file://, and a server killed in the middle of a scheduled run.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/results/sqlite-store.js';
import type { JobRecord, RunSummary } from '../../src/results/types.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-sched-e2e-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const env = { ...process.env, STORBENCH_TOKEN: '' };

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, ['bin/storbench.cjs', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 0, `storbench ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `storbench serve` on a free port; resolves once it listens. */
async function serve(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/storbench.cjs', 'serve', '--port', '0', '--db', db], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/serving .* at http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out} ${err}`)));
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on('close', (code) => resolve(code));
  });

/** What the database says about a schedule, read through a second connection as any reader would. */
function look(db: string, schedule: string): { runs: RunSummary[]; jobs: JobRecord[] } {
  const store = openStore(db);
  try {
    return { runs: store.listRuns({ scheduleId: schedule, limit: 1000 }).runs.reverse(), jobs: store.listJobs(schedule, 1000).reverse() };
  } finally {
    store.close();
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a schedule firing every second: two completed runs, a skipped overlap, then a detected regression', { timeout: 120_000 }, async () => {
  const db = join(dir, 'e2e.db');
  const data = join(dir, 'data');
  mkdirSync(data);
  // Every run lasts 1.5 s, so the next second always comes due while it runs: that job is skipped.
  const workload = join(dir, 'e2e-put.yaml');
  writeFileSync(workload, 'mix: { write: 1 }\nwrites: overwrite\nobjects: 4\nsize: 1KiB\nconcurrency: 2\nduration: 1500ms\n');
  // Loose thresholds: this machine is shared, and 1 KiB runs vary by 2× between themselves; the slowed
  // run below writes 16384 times more bytes per operation and falls far beyond them.
  cli(
    'schedule',
    'add',
    'every-second',
    '--cron',
    '* * * * * *',
    '--target',
    `file://${data}`,
    '--workloads',
    workload,
    '--throughput-drop',
    '60',
    '--p99-rise',
    '300',
    '--db',
    db,
  );
  const server = await serve(db);
  try {
    // Once the second run has started, the stored workload (the file's fields, copied by `schedule add`)
    // is changed: the third run writes 16 MiB objects.
    await until('the second run to start', 60_000, () => (look(db, 'every-second').runs.length >= 2 ? true : undefined));
    const raw = new Database(db);
    raw.prepare(`UPDATE schedules SET suite_json = json_set(suite_json, '$.workloads[0].size', '16MiB') WHERE id = 'every-second'`).run();
    raw.close();
    // jobs, not runs: a run is stored completed before its cleanup, while its job still holds the target
    await until('three completed jobs', 60_000, () => (look(db, 'every-second').jobs.filter((j) => j.status === 'completed').length >= 3 ? true : undefined));
  } finally {
    server.kill('SIGTERM');
  }
  assert.equal(await exited(server), 0, 'SIGTERM stops serve cleanly');

  const { runs, jobs } = look(db, 'every-second');
  const completed = runs.filter((r) => r.status === 'completed');
  const [first, second, third] = completed;
  assert.ok(first && second && third);
  assert.equal(first.regression, undefined, 'the first run has no history');
  assert.equal(second.regression, undefined, 'one earlier run is no baseline yet');
  const regression = third.regression as {
    regressed: boolean;
    crossed: { op: string; metric: string; baseline: number; value: number }[];
    baselineRuns: string[];
  };
  assert.equal(regression.regressed, true, `the 16 MiB run is flagged: ${JSON.stringify(third.ops)} vs ${JSON.stringify([first.ops, second.ops])}`);
  assert.deepEqual(regression.baselineRuns, [second.id, first.id]);
  const figures = (r: RunSummary) => `${Math.round(r.ops[0]!.opsPerSec)} ops/s p99 ${r.ops[0]!.latencyUs.p99} µs`;
  console.log(`1 KiB runs: ${figures(first)}, ${figures(second)}; 16 MiB run: ${figures(third)}; jobs: ${jobs.map((j) => j.status).join(' ')}`);
  const drop = regression.crossed.find((c) => c.metric === 'opsPerSec')!;
  assert.equal(drop.op, 'write');
  assert.ok(drop.value < drop.baseline * 0.4);

  const skipped = jobs.filter((j) => j.status === 'skipped');
  assert.ok(skipped.length >= 1, 'a job came due while the previous one still ran');
  assert.equal(jobs.filter((j) => j.trigger === 'missed').length, 0, 'a schedule no server ran yet missed nothing');
  assert.match(skipped[0]!.reason!, new RegExp(`^target file://${data} is still in use by job \\d+ of schedule every-second \\(started `));
  assert.ok(jobs.filter((j) => j.status === 'completed').length >= 3);
  // The same regression in `storbench runs`.
  const listing = cli('runs', '--schedule', 'every-second', '--db', db, '--limit', '100');
  assert.match(listing.split('\n').find((l) => l.startsWith(third.id))!, /REGRESSED$/);
});

test('killing serve mid-run leaves the database consistent; after a restart the run and job are interrupted and the schedule goes on', {
  timeout: 120_000,
}, async () => {
  const db = join(dir, 'kill.db');
  const data = join(dir, 'kill-data');
  mkdirSync(data);
  cli(
    'schedule',
    'add',
    'long',
    '--cron',
    '* * * * * *',
    '--target',
    `file://${data}`,
    '--workloads',
    'put-small',
    '--duration',
    '60s',
    '--objects',
    '10',
    '--concurrency',
    '2',
    '--db',
    db,
  );
  const first = await serve(db);
  const running = await until('a scheduled run to be measuring', 60_000, () => {
    const { runs, jobs } = look(db, 'long');
    const run = runs.find((r) => r.status === 'running');
    return run && jobs.some((j) => j.status === 'running') ? run : undefined;
  });
  await new Promise((r) => setTimeout(r, 1500));
  first.kill('SIGKILL');
  await exited(first);

  const raw = new Database(db, { readonly: true });
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(
    (raw.prepare(`SELECT status FROM runs WHERE id = ?`).get(running.id) as { status: string }).status,
    'running',
    'before the restart the run is still marked running',
  );
  raw.close();

  const second = await serve(db);
  try {
    const after = look(db, 'long');
    const run = after.runs.find((r) => r.id === running.id)!;
    assert.equal(run.status, 'interrupted');
    assert.match(run.error!, /the process running it ended before it finished/);
    const killedJob = after.jobs.find((j) => j.suiteId === run.suiteId)!;
    assert.equal(killedJob.status, 'interrupted', 'the job row follows its run');
    assert.ok(killedJob.endedAt);
    // The schedule carries on: a new job starts on the (no longer busy) target.
    await until('a new job after the restart', 30_000, () =>
      look(db, 'long').jobs.find((j) => j.id > killedJob.id && j.status === 'running' && j.trigger === 'cron'),
    );
    assert.ok(
      look(db, 'long').jobs.some((j) => j.trigger === 'missed' && j.status === 'skipped'),
      'the seconds missed while down are recorded (policy skip)',
    );
  } finally {
    second.kill('SIGTERM');
  }
  assert.equal(await exited(second), 0);
  const end = look(db, 'long');
  assert.equal(end.jobs.filter((j) => j.status === 'running').length, 0, 'a clean stop leaves no job running');
  assert.equal(end.runs.filter((r) => r.status === 'running').length, 0);
  assert.equal(end.jobs.at(-1)!.status, 'interrupted');
});
