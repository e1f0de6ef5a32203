/** The CLI end to end, as a user runs it: a real process, real files, exit codes and output. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'storbench-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bin = new URL('../../bin/storbench.cjs', import.meta.url).pathname;

function storbench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
    ['threads neither a number nor auto', ['run', '--target', 'mem://x', '--workload', 'put-small', '--threads', 'many'], /--threads: expected a whole number from 1 to 64 or "auto", got "many"/],
    ['bad duration', ['run', '--target', 'mem://x', '--workload', 'put-small', '--duration', 'soon'], /duration: "soon" is not a duration/],
    ['unreachable endpoint', ['run', '--target', 'nfs://127.0.0.1:1/export?mountport=1', '--workload', 'put-small'], /cannot open it/],
    ['capability', ['run', '--target', 'null://', '--workload', 'get-small', '--verify'], /needs stored content \(verify\)/],
    ['bad --large-files', ['run', '--target', 'mem://x', '--workload', 'put-large', '--large-files', 'one'], /largeFiles: Invalid option: expected one of "per-worker"\|"shared"/],
    ['--large-files shared on a mix it cannot run', ['run', '--target', 'mem://x', '--workload', 'metadata', '--large-files', 'shared'], /largeFiles: shared needs a mix of only write and read/],
    ['a shared object the driver cannot hold', ['run', '--target', 'mem://x', '--workload', 'get-large', '--large-files', 'shared', '--objects', '40'], /needs a shared object of 2560 MiB/],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    // file:// paths: below, with what is left on disk
    ['. in an nfs:// export path', ['run', '--target', 'nfs://127.0.0.1/export/./x', '--workload', 'put-small'], /target: the path .* has a "." or ".." segment/],
    ['%2e%2e in a webhdfs:// path', ['run', '--target', 'webhdfs://127.0.0.1:9870/bench/%2e%2e/other', '--workload', 'put-small'], /target: the path .* has a "." or ".." segment/],
    ['.. in an s3:// prefix', ['run', '--target', 's3://bench/p/..%2F..%2Fother?endpoint=http://127.0.0.1:1', '--workload', 'put-small'], /target: the path .* has a "." or ".." segment/],
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
    ['io=sync with fewer threads than workers', 'iosync-refused?io=sync', ['--concurrency', '4', '--threads', '2'], /threads: file:\/\/ with blocking calls runs one worker per thread/],
    ['a percent-encoded .. in the path', 'b%2F..%2F..%2Fescaped-pct', [], /target: the path ".*\/b%2F\.\.%2F\.\.%2Fescaped-pct" has a "\." or "\.\." segment once decoded/],
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
      const doc = JSON.parse(r.stdout) as { runId: string; status: string; target: string; workload: string; results: { op: string; count: number; errors: number; opsPerSec: number; mibPerSec: number; latencyUs: Record<string, number> }[] };
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.equal(doc.status, 'completed');
      assert.equal(doc.workload, 'mixed');
      assert.deepEqual(doc.results.map((x) => x.op), ['read', 'write']);
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
    writeFileSync(targets, `targets:
  - name: hdfs
    url: webhdfs://127.0.0.1:1/bench?user=bench&timeoutMs=1000
    env: { delegationToken: STORBENCH_TEST_SECRET_VALUE }
  - name: ceiling
    url: null://
workloads: [put-small, get-small]
`);
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

  test('put-large then get-large with --large-files shared: segments of one file, verified, cleaned up', () => {
    const root = join(dir, 'shared');
    const size = 1_234_567; // streamed in 1 MiB blocks, segments unaligned
    const sharedFiles = () => readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name === 'shared-file').map((e) => join(e.parentPath, e.name));
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
    assert.deepEqual(doc.results.map((x) => [x.op, x.count, x.errors]), [['read', 12, 0]]);
    assert.equal(statSync(file!).mtimeMs, written, 'the dataset written by put-large was read, not prepared again');
    const show = storbench(['show', doc.runId, '--db', db]);
    assert.match(show.stdout, /largeFiles: shared/);

    // without a dataset: prepare writes the segments, and cleanup removes the shared file with the run
    const own = storbench(['run', '--workload', 'get-large', '--objects', '4', '--ops', '8', ...common]);
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual((JSON.parse(own.stdout) as { results: { count: number; errors: number }[] }).results.map((x) => [x.count, x.errors]), [[8, 0]]);
    assert.deepEqual(sharedFiles(), [file]);
  });

  test('check runs the conformance behaviors against a target', () => {
    const r = storbench(['check', '--target', 'mem://check']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\d+ passed, 0 failed/);
  });

  test('a killed run leaves a consistent database, marked interrupted at the next start', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'mem://killed', '--workload', 'put-small', '--duration', '60s', '--db', db], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 2500));
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
    const child = spawn(process.execPath, [bin, 'run', '--target', `file://${root}?direct=auto`, '--workload', 'put-small', '--duration', '60s', '--db', db], { stdio: 'ignore' });
    // killed once it measures (its run folder exists), however slowly a loaded machine starts it
    const measuring = () => existsSync(join(root, 'storbench')) && readdirSync(join(root, 'storbench')).some((n) => /^\d{8}-/.test(n));
    for (let waited = 0; !measuring() && child.exitCode === null && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.deepEqual(readdirSync(root).sort(), ['storbench', 'user.txt']);
    assert.deepEqual(readdirSync(root, { recursive: true }).filter((p) => String(p).includes('direct-probe')), []);
  });

  test('Ctrl-C stops gracefully and stores the partial run as interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'mem://ctrlc', '--workload', 'put-small', '--duration', '60s', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 130);
    const doc = JSON.parse(out) as { status: string; results: { count: number }[] };
    assert.equal(doc.status, 'interrupted');
    assert.ok(doc.results[0]!.count > 0);
  });
});
