/**
 * Multi-client runs end to end, as users run them: `storbench run --engine E --clients N` launches real agent
 * processes (here `--engine local`; the engines' own tests are in engines.test.ts), which register, prepare
 * their shares, start together and send their record sets; the merged figures must be exact.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { RunDetail } from '../../src/results/types.js';
import { decodeHistogram, encodeHistogram, newHistogram } from '../../src/runner/histogram.js';
import { bin, runCli } from '../cli/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-multi-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);

function stored(db: string, runId: string): RunDetail {
  const store = openStore(db);
  try {
    return store.getRun(runId)!;
  } finally {
    store.close();
  }
}

/** Per operation: the merged count is the clients' sum, and the merged histogram their sum bucket by bucket. */
export function assertExactMerge(run: RunDetail): void {
  for (const merged of run.ops) {
    const parts = run.clients.flatMap((c) => c.ops.filter((o) => o.op === merged.op));
    assert.equal(
      merged.count,
      parts.reduce((s, o) => s + o.count, 0),
      `${merged.op}: merged count = sum of the clients'`,
    );
    assert.equal(
      merged.errors,
      parts.reduce((s, o) => s + o.errors, 0),
      `${merged.op}: merged errors = sum`,
    );
    assert.equal(
      merged.bytes,
      parts.reduce((s, o) => s + o.bytes, 0),
      `${merged.op}: merged bytes = sum`,
    );
    const sum = newHistogram();
    for (const p of parts) sum.add(decodeHistogram(p.histogram));
    const m = decodeHistogram(merged.histogram);
    assert.equal(m.totalCount, sum.totalCount);
    assert.equal(encodeHistogram(m), encodeHistogram(sum), `${merged.op}: the merged histogram is the clients' sum, bucket by bucket`);
  }
}

/** Every file's key index under `root`. */
function keyIndices(root: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/^\d+$/.test(e.name)) out.push(Number(e.name));
    }
  };
  walk(root);
  return out;
}

/** PIDs of live processes whose command line mentions `text`. */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(text) && Number(p) !== process.pid) pids.push(Number(p));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** The engines under test: local always; the others when the project's scripts started them (npm test does). */
const ENGINE_CASES: { engine: string; env?: Record<string, string>; skip?: string }[] = [
  { engine: 'local' },
  process.env.STORBENCH_TEST_SLURM
    ? { engine: 'slurm', env: { SLURM_CONF: process.env.STORBENCH_TEST_SLURM } }
    : { engine: 'slurm', skip: 'STORBENCH_TEST_SLURM is not set (npm run services -- up slurm)' },
  process.env.STORBENCH_TEST_MPI ? { engine: 'mpi' } : { engine: 'mpi', skip: 'STORBENCH_TEST_MPI is not set (npm run services -- up mpi)' },
  process.env.STORBENCH_TEST_YARN
    ? { engine: 'yarn', env: { HADOOP_HOME: process.env.STORBENCH_TEST_YARN, HADOOP_CONF_DIR: join(process.env.STORBENCH_TEST_YARN, 'etc', 'hadoop') } }
    : { engine: 'yarn', skip: 'STORBENCH_TEST_YARN is not set (npm run services -- up yarn)' },
];

/** The agent process of `rank` in run `runId` (the node process, not its launcher), found by its command line and environment. */
function agentPid(runId: string, rank: number): number | undefined {
  for (const pid of processesWith(`--run ${runId}`)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0] !== process.execPath || !argv.includes('agent')) continue;
      const env = Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      const i = argv.indexOf('--rank');
      const own =
        i >= 0 ? Number(argv[i + 1]) : env.YARN_SHELL_ID !== undefined ? Number(env.YARN_SHELL_ID) - 1 : Number(env.SLURM_PROCID ?? env.OMPI_COMM_WORLD_RANK);
      if (own === rank) return pid;
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** The checks every run of 3 clients passes: 3 real agents, not the coordinator, engine ids, synchronized, exact. */
function assertThreeClients(run: RunDetail, engine: string): void {
  assert.deepEqual(
    run.clients.map((c) => c.rank),
    [0, 1, 2],
  );
  assert.ok(
    run.clients.every((c) => c.status === 'completed' && c.host),
    JSON.stringify(run.clients.map((c) => [c.status, c.error])),
  );
  const pids = new Set(run.clients.map((c) => c.pid));
  assert.equal(pids.size, 3, 'three distinct agent processes');
  assert.ok(!pids.has(run.pid), 'none of them the coordinator');
  assert.equal(run.environment.engine, engine);
  assert.equal(run.environment.clients, 3);
  if (engine !== 'local')
    assert.ok(
      run.clients.every((c) => c.engineTask),
      `${engine} task ids: ${run.clients.map((c) => c.engineTask)}`,
    );
  if (engine === 'yarn') assert.equal(new Set(run.clients.map((c) => c.engineTask)).size, 3, 'three distinct containers');
  for (const c of run.clients) {
    assert.ok(Math.abs(c.startSkewMs!) < 250, `rank ${c.rank} started ${c.startSkewMs} ms from the common start`);
    assert.equal(typeof c.clockOffsetMs, 'number');
    assert.ok(c.ops[0]!.count > 0);
  }
  assertExactMerge(run);
}

/** Key indices owned by each rank (one thread per agent: rank r owns r, r+3, ...) hold a contiguous share from its first. */
function assertKeyShares(run: RunDetail, indices: number[]): void {
  assert.equal(new Set(indices).size, indices.length);
  for (const c of run.clients) {
    const mine = indices.filter((i) => i % 3 === c.rank).sort((a, b) => a - b);
    assert.deepEqual(
      mine,
      mine.map((_, k) => c.rank + 3 * k),
      `rank ${c.rank} wrote a contiguous share from its first key`,
    );
    const written = c.ops.find((o) => o.op === 'write')!.count;
    // counted writes, plus at most its in-flight ones that ended after the window
    assert.ok(
      mine.length >= written && mine.length <= written + 2 * Number(c.environment.workers),
      `rank ${c.rank}: ${mine.length} objects for ${written} writes`,
    );
  }
}

for (const { engine, env, skip } of ENGINE_CASES) {
  const flags = ['--engine', engine, '--clients', '3', '--registration-timeout', '180s'];
  describe(`run --engine ${engine} --clients 3`, { skip }, () => {
    /** A 3 s put-small on 3 clients of this engine, its objects kept: the stored run, checked. */
    const putOnThree = (target: string): RunDetail => {
      const db = fresh('db');
      const args = ['run', ...flags, '--target', target, '--workload', 'put-small', '--duration', '3s', '--warmup', '0s'];
      const r = runCli([...args, '--concurrency', '6', '--no-cleanup', '--db', db, '--json'], { ...(env ? { env } : {}), timeoutMs: 240_000 });
      assert.equal(r.code, 0, r.stderr);
      const run = stored(db, JSON.parse(r.stdout).runId);
      assert.equal(run.status, 'completed', run.error);
      assertThreeClients(run, engine);
      assert.ok(run.clients.every((c) => c.measuredSeconds! > 2.5));
      // each second's p99 is that of all clients together (their log buckets merged by the coordinator), never missing
      const seconds = run.segments.filter((s) => s.op === 'write' && s.ops > 0);
      assert.ok(seconds.length >= 3 && seconds.every((s) => s.latencyP99Us! > 0 && s.latencyP50Us! <= s.latencyP99Us!), JSON.stringify(seconds));
      assert.ok(run.ops[0]!.latencyUs.p99 <= Math.max(...seconds.map((s) => s.latencyP99Us!)), 'the p99 of all seconds is at most the highest p99 of one');
      return run;
    };

    it('writes on file:// from 3 agent processes: one merged run, exact, each rank in its own key share, started together', () => {
      const root = fresh('fs');
      const run = putOnThree(`file://${root}`);
      assertKeyShares(run, keyIndices(join(root, 'storbench', run.id)));
    });

    it('writes on S3 (Ceph RGW) from 3 agents, each in its own key share', {
      skip: process.env.STORBENCH_TEST_CEPH ? undefined : 'STORBENCH_TEST_CEPH is not set',
    }, async () => {
      const url = process.env.STORBENCH_TEST_CEPH!;
      const run = putOnThree(url);
      const driver = await createDriver({ target: parseTarget(url), concurrency: 4 });
      await driver.open();
      try {
        const keys: string[] = [];
        for await (const page of driver.list(`storbench/${run.id}/`)) keys.push(...page.map((o) => o.key));
        assertKeyShares(
          run,
          keys.map((k) => Number(k.slice(k.lastIndexOf('/') + 1))),
        );
      } finally {
        await driver.deletePrefix(`storbench/${run.id}/`);
        await driver.close();
      }
    });

    it('a rank killed mid-run fails the run at once, naming it; the others stop and keep their figures; no agent survives', async () => {
      const root = fresh('fs');
      const db = fresh('db');
      const child = spawn(
        process.execPath,
        [
          bin,
          'run',
          ...flags,
          '--target',
          `file://${root}`,
          '--workload',
          'put-small',
          '--duration',
          '60s',
          '--warmup',
          '0s',
          '--concurrency',
          '3',
          '--db',
          db,
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const guard = setTimeout(() => child.kill('SIGKILL'), 240_000);
      // once the run measures (its live progress counts operations), SIGKILL rank 1: a dead client host, as far as the run can tell
      let killedAt = 0;
      for (let i = 0; i < 900 && !killedAt && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 200));
        if (!existsSync(db)) continue;
        let row: { id: string; progress_json: string | null } | undefined;
        const conn = new Database(db, { readonly: true, fileMustExist: true });
        try {
          row = conn.prepare(`SELECT id, progress_json FROM runs`).get() as typeof row;
        } catch {
          continue; // the database is being created
        } finally {
          conn.close();
        }
        if (!row?.progress_json || JSON.parse(row.progress_json).ops <= 0) continue;
        // the live progress (what /metrics and the live view read) counts every client
        assert.equal(JSON.parse(row.progress_json).clients, 3);
        const pid = agentPid(row.id, 1);
        if (pid === undefined) continue;
        process.kill(pid, 'SIGKILL');
        killedAt = Date.now();
      }
      assert.ok(killedAt, `rank 1 was found measuring and killed; ${stderr}`);
      const code = await exited;
      clearTimeout(guard);
      const afterKill = (Date.now() - killedAt) / 1000;
      assert.equal(code, 1, stderr);
      const out = JSON.parse(stdout);
      assert.equal(out.status, 'failed');
      assert.match(out.error, /rank 1\b/);
      assert.ok(afterKill < 15, `the command ended ${afterKill}s after the kill (the run was planned for 60s)`);
      const run = stored(db, out.runId);
      assert.equal(run.status, 'failed');
      assert.equal(run.clients.find((c) => c.rank === 1)!.status, 'lost');
      const survivors = run.clients.filter((c) => c.rank !== 1);
      assert.ok(
        survivors.every((c) => c.ops[0]!.count > 0),
        'the other ranks sent what they measured',
      );
      assert.ok(run.ops[0]!.count > 0, 'the failed run keeps the figures measured');
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(processesWith(`--run ${out.runId}`), [], 'no agent process survives');
    });
  });
}

describe('run --engine local: reads', () => {
  it('reads on file:// from objects each agent prepared for itself, then cleans up', () => {
    const root = fresh('fs');
    const db = fresh('db');
    const r = runCli([
      'run',
      '--engine',
      'local',
      '--clients',
      '3',
      '--target',
      `file://${root}`,
      '--workload',
      'get-small',
      '--objects',
      '60',
      '--duration',
      '2s',
      '--warmup',
      '0s',
      '--concurrency',
      '6',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const run = stored(db, out.runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.ops[0]!.errors, 0);
    assert.ok(run.clients.every((c) => c.ops[0]!.op === 'read' && c.ops[0]!.count > 0 && c.ops[0]!.errors === 0));
    assertExactMerge(run);
    assert.equal(run.cleanup, 'done');
    assert.deepEqual(keyIndices(join(root, 'storbench')), [], 'the run removed its objects');
  });
});

/** `storbench run` of put-small on null:// with these flags (the multi-client flags under test) into `db`. */
const putOnNull = (flags: readonly string[], db: string, options: Parameters<typeof runCli>[1] = {}) =>
  runCli(['run', '--target', 'null://', '--workload', 'put-small', ...flags, '--db', db], options);

describe('multi-client bad input: one line, exit 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['--clients 0', ['--engine', 'local', '--clients', '0'], /--clients: expected a whole number from 1/],
    ['an unknown engine', ['--engine', 'spark', '--clients', '2'], /--engine: unknown engine "spark" \(engines: local, slurm, mpi, yarn, external\)/],
    ['--clients without --engine', ['--clients', '2'], /--clients needs --engine/],
    ['--engine without --clients', ['--engine', 'local'], /--clients: how many clients/],
    ['more clients than concurrency', ['--engine', 'local', '--clients', '4', '--concurrency', '2'], /--concurrency: 2 is shared among the 4 clients/],
    ['a bad bind', ['--engine', 'local', '--clients', '2', '--coordinator-bind', 'nowhere'], /--coordinator-bind: expected HOST:PORT/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, () => {
      const db = fresh('db');
      const r = putOnNull(['--duration', '1s', ...flags], db);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(existsSync(db), false);
    });
  }

  it('an engine whose launcher is not installed', () => {
    for (const engine of ['slurm', 'mpi', 'yarn']) {
      const db = fresh('db');
      const r = putOnNull(['--engine', engine, '--clients', '2'], db, {
        env: { PATH: '/nonexistent', HADOOP_HOME: '/nonexistent', HADOOP_YARN_HOME: '/nonexistent' },
      });
      assert.equal(r.code, 2, `${engine}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--engine ${engine}: (srun|mpirun|no yarn command)`));
      assert.equal(existsSync(db), false);
    }
  });

  it('--engine external without a token (the coordinator never listens without one)', () => {
    const db = fresh('db');
    const r = putOnNull(['--engine', 'external', '--clients', '2', '--coordinator-bind', '0.0.0.0:0'], db, { env: { STORBENCH_AGENT_TOKEN: '' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /STORBENCH_AGENT_TOKEN/);
    assert.equal(existsSync(db), false);
  });

  it('an agent of another storbench version is refused and nothing is written', () => {
    const db = fresh('db');
    // an "agent" speaking the protocol with another version (what an old install on one client host would send)
    const old = join(dir, 'old-agent.mjs');
    writeFileSync(
      old,
      `import { connect } from 'node:net';
const a = process.argv; const [host, port] = a[a.indexOf('--coordinator') + 1].split(':');
const s = connect({ host, port: Number(port) }, () => s.write(JSON.stringify({ t: 'hello', token: process.env.STORBENCH_AGENT_TOKEN,
  rank: Number(a[a.indexOf('--rank') + 1]), host: 'old', pid: process.pid, version: '0.0.1-old' }) + '\\n'));
s.on('data', () => {}); s.on('close', () => process.exit(0)); setTimeout(() => process.exit(0), 20000);`,
    );
    const r = putOnNull(['--engine', 'local', '--clients', '2', '--agent-command', `${process.execPath} ${old}`], db, { timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /runs storbench 0\.0\.1-old, this coordinator \S+: install the same version on every client/);
    assert.equal(existsSync(db), false);
  });
});

describe('an engine that never starts all agents', () => {
  it('ends the run failed after the registration timeout, naming the ranks that never came', () => {
    const db = fresh('db');
    const t0 = Date.now();
    // agents that never dial in
    const agents = `${process.execPath} -e setTimeout(()=>{},60000)`;
    const r = putOnNull(['--engine', 'local', '--clients', '2', '--registration-timeout', '3s', '--agent-command', agents, '--json'], db, {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, 'failed');
    assert.match(out.error, /registration timed out after 3s: ranks 0, 1 never came/);
    assert.ok(Date.now() - t0 < 20_000);
    const run = stored(db, out.runId);
    assert.deepEqual(
      run.clients.map((c) => c.status),
      ['never-registered', 'never-registered'],
    );
    assert.deepEqual(processesWith('setTimeout(()=>{},60000)'), [], 'the launched processes were stopped');
  });
});

describe('suites and schedules on many clients', () => {
  it('suite --engine local --clients 2: every run of the suite is a 2-client run; a targets file secret reaches no agent argument', () => {
    const root = fresh('fs');
    const db = fresh('db');
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, `targets:\n  - name: ceiling\n    url: null://\n  - name: disk\n    url: file://${root}\nworkloads: [put-small]\n`);
    const r = runCli(['suite', '--targets', targets, '--engine', 'local', '--clients', '2', '--duration', '1s', '--warmup', '0s', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.runs.length, 2);
    for (const { runId } of out.runs) {
      const run = stored(db, runId);
      assert.equal(run.status, 'completed');
      assert.equal(run.clients.length, 2);
      assertExactMerge(run);
    }
  });

  it('a schedule naming an engine and a client count runs its jobs on that many clients', () => {
    const db = fresh('db');
    const add = runCli([
      'schedule',
      'add',
      'fleet',
      '--cron',
      '0 3 * * *',
      '--target',
      'null://',
      '--workloads',
      'put-small',
      '--duration',
      '1s',
      '--warmup',
      '0s',
      '--engine',
      'local',
      '--clients',
      '2',
      '--db',
      db,
    ]);
    assert.equal(add.code, 0, add.stderr);
    const show = runCli(['schedule', 'show', 'fleet', '--db', db]);
    assert.match(show.stdout, /clients: 2 placed by local/);
    const ran = runCli(['schedule', 'run-now', 'fleet', '--json', '--db', db]);
    assert.equal(ran.code, 0, ran.stderr);
    const store = openStore(db);
    try {
      const [run] = store.listRuns({ scheduleId: 'fleet' }).runs;
      const detail = store.getRun(run!.id)!;
      assert.equal(detail.clients.length, 2);
      assert.equal(detail.environment.engine, 'local');
    } finally {
      store.close();
    }
    const bad = runCli([
      'schedule',
      'add',
      'bad',
      '--cron',
      '0 3 * * *',
      '--target',
      'null://',
      '--workloads',
      'put-small',
      '--engine',
      'local',
      '--clients',
      '8',
      '--concurrency',
      '4',
      '--db',
      fresh('db'),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--concurrency: 4 is shared among the 8 clients/);
  });
});
