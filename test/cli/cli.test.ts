/** The CLI end to end, as a user runs it: a real process, real files, exit codes and output. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/results/sqlite-store.js';
import { MULTI_CLIENT_RUN, seedMultiClientRun, seedStore } from '../dashboard/seed.js';
import { bin, runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storbench = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

describe('bad input: one line naming the problem, exit 2, nothing written', () => {
  const db = join(dir, 'never.db');
  const cases: [string, string[], RegExp][] = [
    ['unknown scheme', ['run', '--target', 'ftp://x/y', '--workload', 'put-small'], /unknown scheme "ftp:\/\/"/],
    ['unknown flag', ['run', '--target', 'mem://x', '--workload', 'put-small', '--bogus'], /Unknown option '--bogus'/],
    ['missing target', ['run', '--workload', 'put-small'], /--target is required/],
    ['unknown preset', ['run', '--target', 'mem://x', '--workload', 'nope'], /unknown preset "nope"/],
    ['negative size', ['run', '--target', 'mem://x', '--workload', 'put-small', '--size=-4KiB'], /size: .*"-4KiB" is not a size/],
    ['absurd size', ['run', '--target', 'mem://x', '--workload', 'put-small', '--size', '5TiB'], /larger than the 1TiB limit/],
    ['zero concurrency', ['run', '--target', 'mem://x', '--workload', 'put-small', '--concurrency', '0'], /--concurrency: expected a whole number from 1/],
    [
      'threads neither a number nor auto',
      ['run', '--target', 'mem://x', '--workload', 'put-small', '--threads', 'many'],
      /--threads: expected a whole number from 1 to 64 or "auto", got "many"/,
    ],
    ['bad duration', ['run', '--target', 'mem://x', '--workload', 'put-small', '--duration', 'soon'], /duration: "soon" is not a duration/],
    ['unreachable endpoint', ['run', '--target', 'nfs://127.0.0.1:1/export?mountport=1', '--workload', 'put-small'], /cannot open it/],
    ['capability', ['run', '--target', 'null://', '--workload', 'get-small', '--verify'], /needs stored content \(verify\)/],
    [
      'bad --large-files',
      ['run', '--target', 'mem://x', '--workload', 'put-large', '--large-files', 'one'],
      /largeFiles: Invalid option: expected one of "per-worker"\|"shared"/,
    ],
    [
      '--large-files shared on a mix it cannot run',
      ['run', '--target', 'mem://x', '--workload', 'metadata', '--large-files', 'shared'],
      /largeFiles: shared needs a mix of only write and read/,
    ],
    [
      'a shared object the driver cannot hold',
      ['run', '--target', 'mem://x', '--workload', 'get-large', '--large-files', 'shared', '--objects', '40'],
      /needs a shared object of 2560 MiB/,
    ],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    // file:// paths: below, with what is left on disk
    [
      '. in an nfs:// export path',
      ['run', '--target', 'nfs://127.0.0.1/export/./x', '--workload', 'put-small'],
      /target: the path .* has a "." or ".." segment/,
    ],
    [
      '%2e%2e in a webhdfs:// path',
      ['run', '--target', 'webhdfs://127.0.0.1:9870/bench/%2e%2e/other', '--workload', 'put-small'],
      /target: the path .* has a "." or ".." segment/,
    ],
    [
      '.. in an s3:// prefix',
      ['run', '--target', 's3://bench/p/..%2F..%2Fother?endpoint=http://127.0.0.1:1', '--workload', 'put-small'],
      /target: the path .* has a "." or ".." segment/,
    ],
  ];
  for (const [name, args, message] of cases) {
    test(name, () => {
      const r = storbench([...args, '--db', db]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^storbench: error: /);
      assert.ok(!existsSync(db), 'nothing written');
    });
  }

  // each under its own folder of `dir`, so that a regression writes nowhere else
  const refusedOnDisk: [string, string, string[], RegExp][] = [
    [
      'io=sync with fewer threads than workers',
      'iosync-refused?io=sync',
      ['--concurrency', '4', '--threads', '2'],
      /threads: file:\/\/ with blocking calls runs one worker per thread/,
    ],
    [
      'a percent-encoded .. in the path',
      'b%2F..%2F..%2Fescaped-pct',
      [],
      /target: the path ".*\/b%2F\.\.%2F\.\.%2Fescaped-pct" has a "\." or "\.\." segment once decoded/,
    ],
    ['a plain .. in the path', 'a/../dotdot-resolved', [], /target: the path ".*\/a\/\.\.\/dotdot-resolved" has a "\." or "\.\." segment/],
  ];
  for (const [name, path, args, message] of refusedOnDisk) {
    test(`a file:// run refused for ${name} creates nothing on disk`, () => {
      const fs = join(dir, `fs-${name.replace(/\W+/g, '-')}`);
      const r = storbench(['run', '--workload', 'put-small', '--duration', '1s', '--target', `file://${fs}/${path}`, ...args, '--db', db]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.ok(!existsSync(fs), `nothing under ${fs}: ${existsSync(fs) ? readdirSync(fs, { recursive: true }).join(' ') : ''}`);
      assert.ok(!existsSync(join(dir, 'escaped-pct')), 'nothing beside it either');
      assert.ok(!existsSync(db), 'no database');
    });
  }

  test('an invalid workload file names every bad field', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mix: { read: 1, fly: 2 }\nconcurrency: -1\nsize: huge\n');
    const r = storbench(['run', '--target', 'mem://x', '--workload', file, '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mix: Unrecognized key: "fly"/);
    assert.match(r.stderr, /concurrency: Too small/);
    assert.match(r.stderr, /size: "huge" is not a size/);
    assert.ok(!existsSync(db));
  });
});

describe('end to end', () => {
  const db = join(dir, 'results.db');
  const ids: string[] = [];

  test('run --json prints exactly one JSON document of the documented shape', () => {
    for (const target of ['mem://e2e', `file://${join(dir, 'data')}`]) {
      const r = storbench(['run', '--target', target, '--workload', 'mixed', '--duration', '1s', '--objects', '50', '--db', db, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as {
        runId: string;
        status: string;
        target: string;
        workload: string;
        results: { op: string; count: number; errors: number; opsPerSec: number; mibPerSec: number; latencyUs: Record<string, number> }[];
      };
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.equal(doc.status, 'completed');
      assert.equal(doc.workload, 'mixed');
      assert.deepEqual(
        doc.results.map((x) => x.op),
        ['read', 'write'],
      );
      for (const x of doc.results) {
        assert.ok(x.count > 0 && x.opsPerSec > 0 && x.mibPerSec > 0);
        assert.deepEqual(Object.keys(x.latencyUs), ['p50', 'p90', 'p99', 'p999', 'max']);
        assert.ok(x.latencyUs.p50! <= x.latencyUs.p99! && x.latencyUs.p99! <= x.latencyUs.max!);
      }
      ids.push(doc.runId);
    }
  });

  test('runs, show and compare read what run stored', () => {
    const runs = storbench(['runs', '--db', db]);
    assert.equal(runs.code, 0);
    for (const id of ids) assert.match(runs.stdout, new RegExp(id));
    const show = storbench(['show', ids[1]!, '--db', db]);
    assert.equal(show.code, 0);
    assert.match(show.stdout, /semantics:/);
    assert.match(show.stdout, /fsType: /);
    assert.match(show.stdout, /threadpoolSize: /);
    const md = storbench(['compare', ids[0]!, ids[1]!, '--format', 'md', '--db', db]);
    assert.equal(md.code, 0);
    assert.match(md.stdout, /^\| op \| run \|/);
    assert.match(md.stdout, /1\.00x/);
    const csv = storbench(['compare', ...ids, '--format', 'csv', '--db', db]);
    assert.match(csv.stdout.split('\n')[0]!, /^op,run,target,workload,ops_per_sec/);
    assert.equal(storbench(['show', 'no-such-run', '--db', db]).code, 2);
  });

  test('suite: secrets from the environment never reach the database or the output', () => {
    const targets = join(dir, 'targets.yaml');
    // an HDFS that is not there: the token is read from the environment and must not appear in its error either
    writeFileSync(
      targets,
      `targets:
  - name: hdfs
    url: webhdfs://127.0.0.1:1/bench?user=bench&timeoutMs=1000
    env: { delegationToken: STORBENCH_TEST_SECRET_VALUE }
  - name: ceiling
    url: null://
workloads: [put-small, get-small]
`,
    );
    const secret = 'hunter2-very-secret';
    const r = storbench(['suite', '--targets', targets, '--duration', '500ms', '--db', db], { STORBENCH_TEST_SECRET_VALUE: secret });
    assert.match(r.stdout + r.stderr, /hdfs/);
    assert.match(r.stdout, /harness ceiling/);
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) assert.ok(!readFileSync(f).includes(secret), `${f} holds the secret`);
    const missing = storbench(['suite', '--targets', targets, '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /environment variable STORBENCH_TEST_SECRET_VALUE is not set/);
  });

  test("suite: a targets file's baseline is what the matrix compares against, and is stored with the runs", () => {
    const targets = join(dir, 'baseline.yaml');
    const file = (baseline: string) => `targets:
  - name: alpha
    url: mem://alpha
  - name: zulu
    url: mem://zulu
  - name: ceiling
    url: null://
workloads: [put-small]
baseline: ${baseline}
`;
    const bdb = join(dir, 'baseline.db');
    writeFileSync(targets, file('zulu'));
    const r = storbench(['suite', '--targets', targets, '--duration', '300ms', '--db', bdb]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^zulu \(baseline\)/m, 'not the first target by name');
    assert.doesNotMatch(r.stdout, /alpha \(baseline\)/);
    const stored = new Database(bdb, { readonly: true });
    try {
      assert.deepEqual(stored.prepare('SELECT DISTINCT suite_baseline FROM runs').pluck().all(), ['zulu']);
    } finally {
      stored.close();
    }
    for (const bad of ['nope', 'ceiling']) {
      writeFileSync(targets, file(bad));
      const refused = storbench(['suite', '--targets', targets, '--db', join(dir, 'never-baseline.db')]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, new RegExp(`baseline: no storage target named "${bad}" \\(targets: alpha, zulu\\)`));
    }
    assert.ok(!existsSync(join(dir, 'never-baseline.db')));
  });

  test('put-large then get-large with --large-files shared: segments of one file, verified, cleaned up', () => {
    const root = join(dir, 'shared');
    const size = 1_234_567; // streamed in 1 MiB blocks, segments unaligned
    const sharedFiles = () =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name === 'shared-file')
        .map((e) => join(e.parentPath, e.name));
    const common = ['--target', `file://${root}`, '--large-files', 'shared', '--size', String(size), '--verify', '--concurrency', '3', '--db', db, '--json'];
    const put = storbench(['run', '--workload', 'put-large', '--ops', '6', '--dataset', 'sf', ...common]);
    assert.equal(put.code, 0, put.stderr);
    const [file, ...more] = sharedFiles();
    assert.deepEqual(more, [], 'one file for all workers');
    assert.match(file!, /storbench\/datasets\/sf\/.*shared-file$/);
    assert.equal(statSync(file!).size, 6 * size);
    const written = statSync(file!).mtimeMs;

    const get = storbench(['run', '--workload', 'get-large', '--objects', '6', '--ops', '12', '--dataset', 'sf', ...common]);
    assert.equal(get.code, 0, get.stderr);
    const doc = JSON.parse(get.stdout) as { runId: string; results: { op: string; count: number; errors: number }[] };
    assert.deepEqual(
      doc.results.map((x) => [x.op, x.count, x.errors]),
      [['read', 12, 0]],
    );
    assert.equal(statSync(file!).mtimeMs, written, 'the dataset written by put-large was read, not prepared again');
    const show = storbench(['show', doc.runId, '--db', db]);
    assert.match(show.stdout, /largeFiles: shared/);

    // without a dataset: prepare writes the segments, and cleanup removes the shared file with the run
    const own = storbench(['run', '--workload', 'get-large', '--objects', '4', '--ops', '8', ...common]);
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual(
      (JSON.parse(own.stdout) as { results: { count: number; errors: number }[] }).results.map((x) => [x.count, x.errors]),
      [[8, 0]],
    );
    assert.deepEqual(sharedFiles(), [file]);
  });

  test('check runs the conformance behaviors against a target', () => {
    const r = storbench(['check', '--target', 'mem://check']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\d+ passed, 0 failed/);
  });

  test('a killed run leaves a consistent database, marked interrupted at the next start', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'mem://killed', '--workload', 'put-small', '--duration', '60s', '--db', db], {
      stdio: 'ignore',
    });
    await measuringFor(db, 'mem://killed', child);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const runs = storbench(['runs', '--status', 'interrupted', '--db', db, '--json']);
    const doc = JSON.parse(runs.stdout) as { runs: { workload: string; targetName: string; error: string }[] };
    assert.ok(doc.runs.some((x) => x.targetName === 'mem://killed' && /ended before it finished/.test(x.error)));
  });

  test('a run killed with SIGKILL under direct=auto leaves nothing at the root beside storbench/, and no O_DIRECT probe', async () => {
    const { spawn } = await import('node:child_process');
    const root = join(dir, 'killed-direct');
    mkdirSync(root);
    writeFileSync(join(root, 'user.txt'), 'mine');
    const child = spawn(process.execPath, [bin, 'run', '--target', `file://${root}?direct=auto`, '--workload', 'put-small', '--duration', '60s', '--db', db], {
      stdio: 'ignore',
    });
    // killed once it measures (its run folder exists), however slowly a loaded machine starts it
    const measuring = () => existsSync(join(root, 'storbench')) && readdirSync(join(root, 'storbench')).some((n) => /^\d{8}-/.test(n));
    for (let waited = 0; !measuring() && child.exitCode === null && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.deepEqual(readdirSync(root).sort(), ['storbench', 'user.txt']);
    assert.deepEqual(
      readdirSync(root, { recursive: true }).filter((p) => String(p).includes('direct-probe')),
      [],
    );
  });

  test('Ctrl-C stops gracefully and stores the partial run as interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'mem://ctrlc', '--workload', 'put-small', '--duration', '60s', '--db', db, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await measuringFor(db, 'mem://ctrlc', child);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 130);
    const doc = JSON.parse(out) as { status: string; results: { count: number }[] };
    assert.equal(doc.status, 'interrupted');
    assert.ok(doc.results[0]!.count > 0);
  });
});

/** Every file under `root`, relative to it. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

/** Poll until `check` holds (bounded). */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Wait until the run of `targetName` has measured for a second, however slowly a loaded machine starts the
 * process (a fixed sleep killed it before its run existed): its figures are flushed every second.
 */
async function measuringFor(db: string, targetName: string, child: { exitCode: number | null }): Promise<void> {
  await until(() => {
    if (child.exitCode !== null) throw new Error(`the run of ${targetName} ended first (exit ${child.exitCode})`);
    return existsSync(db) && runningSince(db, targetName) !== undefined;
  }, `the run of ${targetName} to start`);
  await new Promise((r) => setTimeout(r, 1500));
}

function runningSince(db: string, targetName: string): string | undefined {
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    if (!raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'runs'").get()) return undefined;
    const row = raw.prepare("SELECT started_at AS startedAt FROM runs WHERE target_name = ? AND status = 'running'").get(targetName) as
      | { startedAt: string }
      | undefined;
    return row?.startedAt;
  } finally {
    raw.close();
  }
}

/** The runs stored at `db`, read as `storbench runs --json` does. */
async function storedRuns(db: string) {
  const { openStore } = await import('../../src/results/sqlite-store.js');
  if (!existsSync(db)) return [];
  const store = openStore(db, { mode: 'read' });
  try {
    return store.listRuns().runs.map((r) => store.getRun(r.id)!);
  } finally {
    store.close();
  }
}

describe('a multi-client run: show and compare give its clients', () => {
  const db = join(dir, 'clients.db');
  before(() => {
    const store = openStore(db);
    seedStore(store, { runs: 1, extras: false });
    seedMultiClientRun(store);
    store.close();
  });

  test('show: a clients table by rank, first and last done, and the stragglers with why', () => {
    const r = storbench(['show', MULTI_CLIENT_RUN, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^clients \(engine slurm\):\n\s*rank +host +status +ops\/s +MiB\/s +p99 +errors +skew +measured +flags$/m);
    assert.match(r.stdout, /^ +0 +node-a +completed +1,000 +3\.91 +1\.50ms +0 +\+1\.20ms +10\.0s$/m);
    assert.match(r.stdout, /^ +1 +node-b +completed +980 +3\.83 +1\.40ms +1 +-400µs +10\.2s$/m);
    assert.match(r.stdout, /^ +2 +node-c +completed +600 +2\.34 +2\.00ms +2 +\+2\.50ms +10\.1s +slow$/m);
    assert.match(r.stdout, /^ +3 +node-d +completed +1,010 +3\.94 +1\.60ms +3 +\+800µs +12\.5s +late$/m);
    assert.match(r.stdout, /^ +4 +node-e +lost +400 +1\.56 +1\.50ms +4 +\+1\.90ms +4\.00s +lost$/m);
    assert.match(r.stdout, /^first done 10\.0s, last done 12\.5s$/m);
    assert.match(
      r.stdout,
      /^stragglers: rank 2 on node-c \(slow: 60% of the median 990 ops\/s\), rank 3 on node-d \(late: done 2\.5 s after the first\), rank 4 on node-e \(lost: no heartbeat for 30 s\)$/m,
    );
    const single = storbench(['show', 'run-00001', '--db', db]);
    assert.equal(single.code, 0, single.stderr);
    assert.doesNotMatch(single.stdout, /^clients|stragglers|first done/m, 'a run of one process has no clients section');
  });

  test('show --json: the clients with their latency summaries, without their histograms', () => {
    const r = storbench(['show', MULTI_CLIENT_RUN, '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      ops: { histogram?: string }[];
      clients: { rank: number; ops: { histogram?: string; latencyUs: { p99: number } }[] }[];
    };
    assert.deepEqual(
      doc.clients.map((c) => c.rank),
      [0, 1, 2, 3, 4],
    );
    assert.equal(doc.clients[2]!.ops[0]!.latencyUs.p99, 2000);
    assert.ok(
      doc.clients.every((c) => c.ops.every((o) => !('histogram' in o))),
      'no client histograms',
    );
    assert.ok(doc.ops[0]!.histogram, "the run's own histogram stays, as before");
  });

  test("compare: each multi-client run's clients and engine, and a warning when the counts differ", () => {
    const r = storbench(['compare', 'run-00001', MULTI_CLIENT_RUN, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^note: run-multi \(ceph-rgw\): 5 clients, engine slurm$/m);
    assert.doesNotMatch(r.stdout, /^note: run-00001/m);
    assert.match(
      r.stdout,
      /^warning: the runs were not set up alike.*clients \(hdfs-3dn: 1, ceph-rgw: 5\).*: each run's figures are the total of its clients$/m,
    );
    const csv = storbench(['compare', 'run-00001', MULTI_CLIENT_RUN, '--format', 'csv', '--db', db]).stdout.trim().split('\n');
    assert.match(csv[0]!, /,errors,clients,engine$/);
    assert.match(csv[1]!, /^write,run-00001,.*,1,$/);
    assert.match(csv[2]!, /^write,run-multi,.*,5,slurm$/);
  });
});

describe('bad --db paths: one line naming --db and why, exit 2, no stack trace, no database created', () => {
  const aFile = join(dir, 'db-a-file');
  writeFileSync(aFile, 'not a directory');
  const commands: [string, string[]][] = [
    ['run', ['run', '--target', 'null://', '--workload', 'put-small', '--duration', '200ms']],
    ['runs', ['runs']],
    ['show', ['show', '20260101-000000-abcd']],
    ['schedule list', ['schedule', 'list']],
  ];
  const paths: [string, string, RegExp][] = [
    ['a directory', dir, /: is a directory$/],
    ['a device', '/dev/full', /: not a regular file$/],
  ];
  for (const [command, args] of commands) {
    for (const [what, path, reason] of paths) {
      test(`${command} --db ${what}`, () => {
        const r = storbench([...args, '--db', path]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.ok(r.stderr.startsWith(`storbench: error: --db ${path}: `), r.stderr);
        assert.match(r.stderr.trim(), reason);
      });
    }
  }

  test('run --db under a file: its directory cannot be created', () => {
    const r = storbench(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '200ms', '--db', join(aFile, 'sub', 'res.db')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^storbench: error: --db \S+: cannot create its directory \(.*ENOTDIR.*\)\n$/);
  });

  test('commands that only read (or change what exists) never create a database', () => {
    const db = join(dir, 'fresh', 'never.db');
    for (const args of [['runs'], ['show', 'nosuchid'], ['compare', 'a', 'b'], ['schedule', 'show', 'nope'], ['schedule', 'rm', 'nope'], ['clean']]) {
      const r = storbench([...args, '--db', db]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `storbench: error: --db ${db}: no database there (no runs yet)\n`);
    }
    assert.ok(!existsSync(join(dir, 'fresh')), 'nothing created');
  });
});

describe('killed runs: figures kept, objects found and removed by clean', () => {
  const db = join(dir, 'killed.db');
  const root = join(dir, 'killed-data');

  test('a run killed 2 s into measuring keeps its figures; clean lists what it left, and removes only that with --yes', async () => {
    mkdirSync(join(root, 'storbench'), { recursive: true });
    writeFileSync(join(root, 'user-file'), 'mine');
    writeFileSync(join(root, 'storbench', 'user-file'), 'mine too');
    const finished = storbench(['run', '--target', `file://${root}`, '--workload', 'put-small', '--duration', '200ms', '--db', db, '--json']);
    assert.equal(finished.code, 0, finished.stderr);
    const child = spawn(process.execPath, [bin, 'run', '--target', `file://${root}`, '--workload', 'put-small', '--duration', '60s', '--db', db], {
      stdio: 'ignore',
    });
    try {
      await until(() => existsSync(db) && readdirSync(join(root, 'storbench')).length > 1, 'the run to start writing');
      await new Promise((r) => setTimeout(r, 2200));
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const killed = (await storedRuns(db)).find((r) => r.status !== 'completed')!;
    assert.equal(killed.status, 'interrupted');
    assert.equal(killed.cleanup, 'pending');
    assert.ok(killed.ops[0]!.count > 0 && killed.measuredSeconds! >= 1, `figures kept: ${killed.ops[0]?.count} ops in ${killed.measuredSeconds} s`);
    const left = filesUnder(join(root, 'storbench', killed.id));
    assert.ok(left.length > 0);

    const runs = storbench(['runs', '--db', db]);
    assert.match(runs.stdout, new RegExp(`${killed.id} .*interrupted.*LEFT OBJECTS`));
    assert.match(runs.stdout, /1 left objects behind/);
    const dry = storbench(['clean', '--db', db]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`storbench/${killed.id}/  run ${killed.id} \\(interrupted, cleanup pending\\)`));
    assert.match(dry.stdout, /dry run: nothing removed/);
    const dryWithTarget = storbench(['clean', '--target', `file://${root}`, '--db', db]);
    assert.equal(dryWithTarget.code, 0);
    assert.deepEqual(filesUnder(join(root, 'storbench', killed.id)), left, 'a dry run removes nothing');
    assert.equal(storbench(['clean', '--yes', '--db', db]).code, 2, '--yes needs the target');

    const clean = storbench(['clean', '--target', `file://${root}`, '--yes', '--db', db]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, new RegExp(`removed storbench/${killed.id}/`));
    assert.deepEqual(filesUnder(join(root, 'storbench', killed.id)), [], 'its files are gone');
    assert.deepEqual(filesUnder(root).sort(), ['storbench/user-file', 'user-file'], 'nothing else was touched');
    assert.equal((await storedRuns(db)).find((r) => r.id === killed.id)!.cleanup, 'done');
    assert.match(storbench(['clean', '--db', db]).stdout, /^nothing left behind by the runs in /);
  });

  test('a run killed during its cleanup keeps its status and figures; its cleanup stays pending for clean', async () => {
    // the kill comes exactly as the cleanup starts: from the run's own progress callback
    const script = `import { parseTarget } from './src/drivers/target.ts';
      import { openStore } from './src/results/sqlite-store.ts';
      import { runBenchmark } from './src/runner/run.ts';
      import { loadWorkload } from './src/workloads/spec.ts';
      await runBenchmark({ target: parseTarget(${JSON.stringify(`file://${root}`)}), spec: loadWorkload('put-small', { duration: '500ms' }),
        store: openStore(${JSON.stringify(db)}), onProgress: (p) => { if (p.phase === 'cleanup') process.kill(process.pid, 'SIGKILL'); } });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const run = (await storedRuns(db)).find((r) => r.cleanup === 'pending')!;
    assert.equal(run.status, 'completed');
    assert.ok(run.ops[0]!.count > 0);
    assert.ok(filesUnder(join(root, 'storbench', run.id)).length > 0);
    const clean = storbench(['clean', '--target', `file://${root}`, '--yes', '--db', db]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(filesUnder(join(root, 'storbench', run.id)), []);
  });
});

test('exit codes: 0 completed, 1 failed or not stored, 3 degraded, 130 interrupted', async () => {
  const { exitCodeOf } = await import('../../src/cli/run-command.js');
  assert.deepEqual(
    ['completed', 'failed', 'degraded', 'interrupted'].map((status) => exitCodeOf({ status } as never)),
    [0, 1, 3, 130],
  );
  assert.equal(exitCodeOf({ status: 'completed', storeError: 'database or disk is full' }), 1);
});

describe('the database on a small file system', { skip: process.getuid?.() !== 0 && 'mounting a tmpfs needs root' }, () => {
  const mnt = join(dir, 'small');
  after(() => {
    spawnSync('umount', ['-l', mnt]);
  }); // lazy: a database left open must not keep it mounted

  test('filling up mid-run: the run goes on, prints its figures, and says in one line that they could not be stored (exit 1)', async () => {
    mkdirSync(mnt);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status, 0);
    const db = join(mnt, 'res.db');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'null://', '--workload', 'mixed', '--duration', '4s', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await until(() => existsSync(db), 'the database');
    // fill the file system to the last page, while the run measures
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(join(mnt, 'filler'), 'w');
    for (const chunk of [Buffer.alloc(65536), Buffer.alloc(4096), Buffer.alloc(512)]) {
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        /* ENOSPC */
      }
    }
    closeSync(fd);
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(stdout, /^op +count +errors/m, 'the figures are printed');
    const errors = stderr.split('\n').filter((l) => l.startsWith('storbench: error:'));
    assert.equal(errors.length, 1, stderr);
    assert.match(errors[0]!, /^storbench: error: --db \S+: the results of run \S+ could not be stored \(database or disk is full\)/);
    assert.doesNotMatch(stderr, /SqliteError|^\s+at /m);
    rmSync(join(mnt, 'filler'));
    const [run] = await storedRuns(db);
    assert.notEqual(run!.status, 'running');
  });

  test('runs and show read a database on read-only media', async () => {
    const db = join(mnt, 'res.db');
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
    const runs = storbench(['runs', '--db', db, '--json']);
    assert.equal(runs.code, 0, runs.stderr);
    const id = (JSON.parse(runs.stdout) as { runs: { id: string }[] }).runs[0]!.id;
    assert.equal(storbench(['show', id, '--db', db]).code, 0);
    const write = storbench(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '200ms', '--db', db]);
    assert.equal(write.code, 2);
    assert.match(write.stderr, /^storbench: error: --db \S+: unable to open database file \(read-only file system\)\n$/);
  });
});

describe('an open-loop run on two threads: p99 per second, service time, the latency bins and each thread', () => {
  const db = join(dir, 'open-loop.db');
  let runId = '';

  test('run --rate stores a p50 and p99 for every second, merged across its threads', () => {
    const r = storbench([
      'run',
      '--target',
      'null://',
      '--workload',
      'get-small',
      '--rate',
      '400',
      '--threads',
      '2',
      '--concurrency',
      '4',
      '--duration',
      '3s',
      '--objects',
      '50',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    runId = (JSON.parse(r.stdout) as { runId: string }).runId;
    const store = openStore(db, { mode: 'read' });
    try {
      const run = store.getRun(runId)!;
      const read = run.ops.find((o) => o.op === 'read')!;
      // each thread's own figures add up to the run's
      assert.deepEqual(
        run.threads?.map((t) => [t.thread, t.op]),
        [
          [0, 'read'],
          [1, 'read'],
        ],
      );
      assert.equal(
        run.threads!.reduce((n, t) => n + t.count, 0),
        read.count,
      );
      const segments = run.segments.filter((s) => s.op === 'read' && s.ops > 0);
      assert.ok(segments.length >= 3, `${segments.length} seconds`);
      assert.equal(
        segments.reduce((n, s) => n + s.ops, 0),
        read.count,
      );
      for (const s of segments) {
        assert.ok(s.latencyP50Us! > 0 && s.latencyP50Us! <= s.latencyP99Us! && s.latencyP99Us! <= s.latencyMaxUs * (1 + 1 / 32) + 1, JSON.stringify(s));
      }
      // the p99 of all seconds together lies between the lowest and the highest p99 of a second (theirs at most 1/32 high)
      const p99s = segments.map((s) => s.latencyP99Us!);
      assert.ok(Math.min(...p99s) <= read.latencyUs.p99 * (1 + 1 / 32) + 1 && read.latencyUs.p99 <= Math.max(...p99s), `${read.latencyUs.p99} vs ${p99s}`);
    } finally {
      store.close();
    }
  });

  test('show gives response vs service time with the coordinated-omission note, and --bins the latency bins', () => {
    const show = storbench(['show', runId, '--db', db]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /op +response p50 +response p99 +service p50 +service p99 +TTFB p50 +TTFB p99 +mean IO rate/);
    assert.match(show.stdout, /^read( +\d[\d.,]*(µs|ms|s)){4}/m);
    assert.match(show.stdout, /coordinated omission/);
    assert.match(
      show.stdout,
      /threads \(the run's figures are all of them merged\):\n\s*thread +op +count +ops\/s +errors +p99\n[- ]+\n\s*0 +read .*\n\s*1 +read /,
    );
    const bins = storbench(['show', runId, '--bins', 'read', '--db', db]);
    assert.equal(bins.code, 0, bins.stderr);
    const [head, ...lines] = bins.stdout.trim().split('\n');
    assert.equal(head, 'value_us_from,value_us_to,count,cumulative_fraction');
    const store = openStore(db, { mode: 'read' });
    const count = store.getRun(runId)!.ops.find((o) => o.op === 'read')!.count;
    store.close();
    assert.equal(
      lines.reduce((n, l) => n + Number(l.split(',')[2]), 0),
      count,
    );
    assert.equal(lines.at(-1)!.split(',')[3], '1');
    const unknown = storbench(['show', runId, '--bins', 'write', '--db', db]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no operation type "write" \(it has read\)/);
  });
});
