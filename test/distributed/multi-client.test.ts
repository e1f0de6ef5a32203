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

describe('run --engine local --clients 3', () => {
  it('writes on file:// from 3 agent processes: one merged run, exact, each rank in its own key share, started together', () => {
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
      'put-small',
      '--duration',
      '3s',
      '--warmup',
      '0s',
      '--concurrency',
      '6',
      '--no-cleanup',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, 'completed');
    const run = stored(db, out.runId);
    assert.deepEqual(
      run.clients.map((c) => c.rank),
      [0, 1, 2],
    );
    assert.ok(run.clients.every((c) => c.status === 'completed' && c.host && c.measuredSeconds! > 2.5));
    const pids = new Set(run.clients.map((c) => c.pid));
    assert.equal(pids.size, 3, 'three distinct agent processes');
    assert.ok(!pids.has(run.pid), 'none of them the coordinator');
    assert.equal(run.environment.engine, 'local');
    assert.equal(run.environment.clients, 3);
    for (const c of run.clients) {
      assert.ok(Math.abs(c.startSkewMs!) < 250, `rank ${c.rank} started ${c.startSkewMs} ms from the common start`);
      assert.equal(typeof c.clockOffsetMs, 'number');
      assert.ok(c.ops[0]!.count > 0);
    }
    assertExactMerge(run);
    // one thread per agent: rank r owns the key indices r, r+3, r+6... and writes them from its first on
    const indices = keyIndices(join(root, 'storbench', out.runId));
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
        `rank ${c.rank}: ${mine.length} files for ${written} writes`,
      );
    }
  });

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

  it('a rank killed mid-run fails the run at once, naming it; the others stop and keep their figures; no agent survives', async () => {
    const root = fresh('fs');
    const db = fresh('db');
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--engine',
        'local',
        '--clients',
        '3',
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
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    // once the run measures (its live progress counts operations), SIGKILL rank 1: a dead client host, as far as the run can tell
    let killedAt = 0;
    for (let i = 0; i < 300 && !killedAt; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (!existsSync(db)) continue;
      const { default: Database } = await import('better-sqlite3');
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      const row = conn.prepare(`SELECT id, progress_json FROM runs`).get() as { id: string; progress_json: string | null } | undefined;
      conn.close();
      if (!row?.progress_json || JSON.parse(row.progress_json).ops <= 0) continue;
      const [pid] = processesWith(`--run ${row.id} --rank 1`);
      if (pid === undefined) continue;
      process.kill(pid, 'SIGKILL');
      killedAt = Date.now();
    }
    assert.ok(killedAt, 'rank 1 was found measuring and killed');
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
      survivors.every((c) => c.status === 'completed' && c.ops[0]!.count > 0),
      'the other ranks sent what they measured',
    );
    assert.ok(run.ops[0]!.count > 0, 'the failed run keeps the figures measured');
    assert.ok(Date.now() - t0 < 60_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(processesWith(`--run ${out.runId}`), [], 'no agent process survives');
  });
});

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
      const r = runCli(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '1s', ...flags, '--db', db]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(existsSync(db), false);
    });
  }

  it('an engine whose launcher is not installed', () => {
    for (const engine of ['slurm', 'mpi', 'yarn']) {
      const db = fresh('db');
      const r = runCli(['run', '--target', 'null://', '--workload', 'put-small', '--engine', engine, '--clients', '2', '--db', db], {
        env: { PATH: '/nonexistent', HADOOP_HOME: '/nonexistent', HADOOP_YARN_HOME: '/nonexistent' },
      });
      assert.equal(r.code, 2, `${engine}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--engine ${engine}: (srun|mpirun|no yarn command)`));
      assert.equal(existsSync(db), false);
    }
  });

  it('--engine external without a token (the coordinator never listens without one)', () => {
    const db = fresh('db');
    const r = runCli(
      ['run', '--target', 'null://', '--workload', 'put-small', '--engine', 'external', '--clients', '2', '--coordinator-bind', '0.0.0.0:0', '--db', db],
      {
        env: { STORBENCH_AGENT_TOKEN: '' },
      },
    );
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
    const r = runCli(
      [
        'run',
        '--target',
        'null://',
        '--workload',
        'put-small',
        '--engine',
        'local',
        '--clients',
        '2',
        '--agent-command',
        `${process.execPath} ${old}`,
        '--db',
        db,
      ],
      { timeoutMs: 60_000 },
    );
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
    const r = runCli(
      [
        'run',
        '--target',
        'null://',
        '--workload',
        'put-small',
        '--engine',
        'local',
        '--clients',
        '2',
        '--registration-timeout',
        '3s',
        '--agent-command',
        `${process.execPath} -e setTimeout(()=>{},60000)`,
        '--db',
        db,
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
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
