/**
 * Bad CLI input, end to end (issue 13, review section 1): every case is one line `storbench: error: ...`
 * naming the field, exit 2, and no database written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bin, runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Run the CLI; a process still alive after `timeoutMs` is killed (status null). */
const storbench = (args: string[], timeoutMs = 60_000) => runCli(args, { timeoutMs });

/** Assert the bad-input contract: exit 2, one line naming the problem, no database. */
function refused(args: string[], message: RegExp, timeoutMs?: number) {
  const db = join(dir, `never-${Math.random().toString(36).slice(2)}.db`);
  const r = storbench([...args, '--db', db], timeoutMs);
  assert.equal(r.code, 2, `exit 2 (got ${r.code}): ${r.stderr}`);
  assert.match(r.stderr, /^storbench: error: /);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.ok(!existsSync(db), 'no database written');
}

const fifo = join(dir, 'fifo.yaml');
execFileSync('mkfifo', [fifo]);
const folder = join(dir, 'folder.yaml');
mkdirSync(folder);
const huge = join(dir, 'huge.yaml');
writeFileSync(huge, `description: x\n# ${'x'.repeat(1024 * 1024)}\nmix: { write: 1 }\n`);

describe('D1: workload and targets files are regular files of at most 1 MiB', () => {
  // A device or a FIFO used to hang (or grow without bound): the short timeout makes that a failure.
  for (const [name, path, why] of [
    ['a device', '/dev/zero', /a device, not a regular file/],
    ['a FIFO', fifo, /a FIFO, not a regular file/],
    ['a directory', folder, /a directory, not a regular file/],
    ['a file over 1 MiB', huge, /larger than 1 MiB/],
  ] as const) {
    test(`workload file: ${name}`, () => {
      refused(
        ['run', '--target', 'null://', '--workload', path, '--duration', '1s'],
        new RegExp(`workload ${path}: cannot read it \\(${why.source}\\)`),
        10_000,
      );
    });
    test(`targets file: ${name}`, () => {
      refused(['suite', '--targets', path, '--workloads', 'put-small'], new RegExp(`targets file ${path}: cannot read it \\(${why.source}\\)`), 10_000);
    });
  }
});

describe('D2: open-loop rates', () => {
  test('a rate below 0.001 ops/s is refused', () => {
    refused(
      ['run', '--target', 'null://', '--workload', 'put-small', '--rate', '1e-300', '--duration', '1s'],
      /--rate: expected ops per second from 0.001 to 10000000/,
    );
    const file = join(dir, 'slow.yaml');
    writeFileSync(file, 'mix: { write: 1 }\nrate: 0.0001\nduration: 1h\n');
    refused(['run', '--target', 'null://', '--workload', file], /rate: Too small: expected number to be >=0.001/);
  });

  test('a rate with less than one operation in the duration is refused', () => {
    refused(
      ['run', '--target', 'null://', '--workload', 'put-small', '--rate', '0.1', '--duration', '2s'],
      /rate: 0.1 ops\/s is less than one operation in the 2s duration/,
    );
  });

  test('a slow rate run ends with its duration, and the process exits', () => {
    // 16 workers at 1 op/s: the last one's first operation was due 15 s in; the run must not wait for it
    const t0 = Date.now();
    const r = storbench(
      [
        'run',
        '--target',
        'null://',
        '--workload',
        'put-small',
        '--rate',
        '1',
        '--duration',
        '1s',
        '--concurrency',
        '16',
        '--threads',
        '1',
        '--db',
        join(dir, 'slow.db'),
      ],
      12_000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /completed in 1\.0s measured/);
    assert.ok(Date.now() - t0 < 12_000);
  });
});

describe('D3: suite validates every target before running any', () => {
  for (const [name, url, message] of [
    ['an unknown scheme', 'foo://x', /suite: target second: unknown scheme "foo:\/\/"/],
    ['an invalid bucket', 's3://b', /suite: target second: .*must be one valid bucket name, got "b"/],
    ['a relative file path', 'file://relative/x', /suite: target second: file:\/\/ takes no host \("relative"\)/],
    ['a bad driver option', 'null://?readSize=lots', /: target second: target option readSize: "lots" is not a size/],
  ] as const) {
    test(`a good target, then ${name}: nothing runs`, () => {
      const file = join(dir, `targets-${name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, `targets:\n  - { name: first, url: "null://" }\n  - { name: second, url: "${url}" }\nworkloads: [put-small]\n`);
      refused(['suite', '--targets', file, '--duration', '500ms'], message);
    });
  }
});

describe('D4: an unreachable target is one line', () => {
  test('Cassandra on a refused port: each host and its reason on one line', () => {
    refused(
      ['run', '--target', 'cassandra://127.0.0.1:1/ks', '--workload', 'put-small'],
      /target cassandra:\/\/127\.0\.0\.1:1\/ks: cannot open it \(cassandra open: NoHostAvailableError: no host could be used \(127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1\)\)$/m,
    );
  });
});

describe('D5: a negative value without "=" is the flag\'s value, refused in one line naming the flag', () => {
  const run = ['run', '--target', 'null://', '--workload', 'put-small'];
  for (const [flag, value, message] of [
    ['--duration', '-5s', /duration: "-5s" is not a duration/],
    ['--rate', '-1', /--rate: expected ops per second from 0.001/],
    ['--objects', '-1', /--objects: expected a whole number from 0 to 100000000, got "-1"/],
    ['--ops', '-0', /--ops: expected a whole number from 1 to 1000000000000, got "-0"/],
    ['--size', '-0', /size: "-0" is not a size/],
  ] as const) {
    test(`${flag} ${value}`, () => refused([...run, flag, value], message));
  }
  test('schedule add --throughput-drop -5', () => {
    refused(
      ['schedule', 'add', 'x', '--cron', '* * * * *', '--target', 'null://', '--workloads', 'put-small', '--throughput-drop', '-5'],
      /--throughput-drop: expected a percentage above 0, got "-5"/,
    );
  });
  test('a flag followed by another flag is still a missing value, on one line', () => {
    refused(
      ['run', '--target', '--workload', 'put-small'],
      /run: Option '--target' argument is ambiguous\. Did you forget to specify the option argument for '--target'\?$/m,
    );
  });
});

describe('D6: whole numbers are plain decimal digits', () => {
  const run = ['run', '--target', 'null://', '--workload', 'put-small', '--duration', '1s'];
  for (const [flag, value, range] of [
    ['--concurrency', '0x10', '1 to 10000'],
    ['--ops', '0x10', '1 to 1000000000000'],
    ['--objects', '1e3', '0 to 100000000'],
    ['--seed', '0b101', '0 to 2147483647'],
    ['--concurrency', ' 16 ', '1 to 10000'],
  ] as const) {
    test(`${flag} "${value}"`, () => refused([...run, flag, value], new RegExp(`${flag}: expected a whole number from ${range}, got "${value}"`)));
  }
  test('--rate 0x10 and runs --limit 1e1', () => {
    refused([...run, '--rate', '0x10'], /--rate: expected ops per second from 0.001 to 10000000, got "0x10"/);
    refused(['runs', '--limit', '1e1'], /--limit: expected a whole number from 1 to 10000, got "1e1"/);
  });
  test('a target option', () => {
    // port 1: should the option be taken, the connection is refused (nothing else on 127.0.0.1 is reached)
    refused(
      ['run', '--target', 'nfs://127.0.0.1:1/x?mountport=0x1', '--workload', 'put-small'],
      /target option mountport: expected a whole number from 0 to 65535, got "0x1"/,
    );
  });
  test('numbers in a workload file, every one named', () => {
    const file = join(dir, 'numbers.yaml');
    writeFileSync(file, 'mix: { write: 1 }\nconcurrency: 0x10\nobjects: 1e3\nseed: 0o17\nrate: .inf\nduration: 2s\n');
    refused(
      ['run', '--target', 'null://', '--workload', file],
      /concurrency: write 0x10 as a plain decimal number; objects: write 1e3 as .*; seed: write 0o17 as .*; rate: write \.inf as a plain decimal number$/m,
    );
  });
  test('numbers in a targets file', () => {
    const file = join(dir, 'numbers-targets.yaml');
    writeFileSync(file, 'targets:\n  - url: "nfs://127.0.0.1:1/x"\n    options: { mountport: 0x1 }\nworkloads: [put-small]\n');
    refused(['suite', '--targets', file], /targets file .*: targets\.0\.options\.mountport: write 0x1 as a plain decimal number$/m);
  });
});

describe('D7: degenerate values are refused', () => {
  const run = ['run', '--target', 'null://', '--workload', 'put-small'];
  for (const [name, args, message] of [
    ['--duration 0', [...run, '--duration', '0'], /duration: at least 100ms \(a shorter run measures nothing\)/],
    ['--duration 0.0001ms', [...run, '--duration', '0.0001ms'], /duration: at least 100ms/],
    ['--size 0.4 (not whole bytes)', [...run, '--size', '0.4'], /size: 0\.4 is not a whole number of bytes/],
    ["--name ''", [...run, '--name', ''], /run: --name: must not be empty or blank/],
    ["--name '  '", [...run, '--name', '  '], /run: --name: must not be empty or blank/],
    ['mem://%zz', ['run', '--target', 'mem://%zz', '--workload', 'put-small', '--duration', '1s'], /target: the host part "%zz" is not valid percent-encoding/],
  ] as const) {
    test(name, () => refused([...args], message));
  }
  test('a blank name in a targets file', () => {
    const file = join(dir, 'blank-name.yaml');
    writeFileSync(file, 'targets:\n  - { name: "  ", url: "null://" }\nworkloads: [put-small]\n');
    refused(['suite', '--targets', file], /targets\.0\.name: must not be empty or blank/);
  });
});

describe('D10: a reader that closes the pipe early', () => {
  test('show | head: the process ends quietly with 141 (128 + SIGPIPE)', async () => {
    const { spawn } = await import('node:child_process');
    const db = join(dir, 'pipe.db');
    const made = storbench(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '200ms', '--db', db, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { runId } = JSON.parse(made.stdout) as { runId: string };
    const child = spawn(process.execPath, [bin, 'show', runId, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before the first write: every write the child makes fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    assert.equal(stderr, '');
    assert.equal(code, 141);
  });
});
