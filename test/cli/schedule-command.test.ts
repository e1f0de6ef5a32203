/** `storbench schedule ...` as a user runs it: exit codes, one-line errors, and the whole life of a schedule. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-schedule-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storbench = (args: string[], env: Record<string, string> = {}) => runCli(['schedule', ...args], { env });

test('bad input: one line naming the problem, exit 2, nothing written', () => {
  const db = join(dir, 'never.db');
  const add = ['add', 'x', '--cron', '* * * * *', '--target', 'null://', '--workloads', 'put-small'];
  const cases: [string[], RegExp][] = [
    [[], /schedule: missing action \(actions: add, list, show, rm, enable, disable, run-now\)/],
    [['frob'], /schedule: unknown action "frob"/],
    [['add', '--cron', '* * * * *', '--target', 'null://'], /schedule add: give exactly one schedule name/],
    [['add', 'x', '--target', 'null://'], /--cron EXPR is required/],
    [['add', 'x', '--cron', '* * * * *', '--workloads', 'put-small'], /--targets FILE or --target URL is required/],
    [[...add, '--bogus'], /schedule add: Unknown option '--bogus'/],
    [['add', 'x', '--cron', 'nightly', '--target', 'null://', '--workloads', 'put-small'], /cron: "nightly" is not a cron expression/],
    [[...add, '--missed', 'later'], /missed: Invalid option: expected one of "skip"\|"run-once"/],
    [[...add, '--throughput-drop', '0'], /--throughput-drop: expected a percentage above 0/],
    [[...add, '--size', 'huge'], /size/],
    [
      ['add', 'x', '--cron', '* * * * *', '--target', 's3://k:pw@127.0.0.1:1/b', '--workloads', 'put-small'],
      /carries the URL password in clear; a schedule keeps secrets only as environment variable names/,
    ],
    [['add', 'x', '--cron', '* * * * *', '--targets', join(dir, 'missing.yaml')], /targets file .*missing\.yaml: cannot read it \(ENOENT\)/],
    [['show', 'a', 'b'], /schedule show: give exactly one schedule name/],
    [['list', '--jobs', '3'], /schedule list: Unknown option '--jobs'/],
  ];
  for (const [args, message] of cases) {
    const r = storbench([...args, '--db', db]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /^storbench: error: [^\n]*\n$/);
    assert.ok(!existsSync(db), 'nothing written');
  }
});

test('add from a targets file (secrets as variable names), list, show, disable, enable, run-now, rm', () => {
  const db = join(dir, 'life.db');
  const targets = join(dir, 'targets.yaml');
  writeFileSync(targets, 'targets:\n  - name: harness\n    url: null://\n    env: { token: BENCH_TOKEN_VALUE }\nworkloads: [put-small]\n');
  const env = { BENCH_TOKEN_VALUE: 'very-secret-value-42' };
  assert.equal(
    storbench(['add', 'nightly', '--cron', '0 2 * * *', '--targets', targets, '--ops', '100', '--objects', '10', '--db', db], {}).code,
    2,
    'an unset secret variable is reported at once',
  );
  const added = storbench(
    ['add', 'nightly', '--cron', '0 2 * * *', '--targets', targets, '--ops', '100', '--objects', '10', '--missed', 'run-once', '--db', db],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /schedule nightly added: 0 2 \* \* \* \(UTC\), next due \d{4}-\d\d-\d\dT02:00:00\.000Z/);
  assert.equal(storbench(['add', 'nightly', '--cron', '0 2 * * *', '--targets', targets, '--db', db], env).code, 2, 'the name is taken');

  const list = JSON.parse(storbench(['list', '--json', '--db', db]).stdout);
  assert.equal(list.schedules[0].id, 'nightly');
  assert.deepEqual(list.schedules[0].suite.targets[0].env, { token: 'BENCH_TOKEN_VALUE' });
  assert.deepEqual(list.schedules[0].suite.overrides, { ops: 100, objects: 10 });
  assert.ok(!JSON.stringify(list).includes(env.BENCH_TOKEN_VALUE), 'the secret value is stored nowhere');

  assert.match(storbench(['disable', 'nightly', '--db', db]).stdout, /schedule nightly disabled/);
  assert.match(storbench(['list', '--db', db]).stdout, /nightly\s+0 2 \* \* \*\s+no\s+-/);
  assert.match(storbench(['enable', 'nightly', '--db', db]).stdout, /schedule nightly enabled/);

  const failed = storbench(['run-now', 'nightly', '--db', db]);
  assert.equal(failed.code, 1, 'without the variable the job fails');
  assert.match(
    failed.stdout,
    /job 1 of schedule nightly: failed \(schedule nightly: targets\.0\.env\.token: environment variable BENCH_TOKEN_VALUE is not set\)/,
  );
  const ran = storbench(['run-now', 'nightly', '--db', db], env);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /job 2 of schedule nightly: completed/);

  const shown = storbench(['show', 'nightly', '--db', db]);
  assert.match(shown.stdout, /targets: harness \(secrets from BENCH_TOKEN_VALUE\)/);
  assert.match(shown.stdout, /missed runs: run-once; regression when ops\/s -10% or p99 \+20%/);
  assert.match(shown.stdout, /2 .* manual\s+completed/);
  assert.match(shown.stdout, /1 .* manual\s+failed\s+schedule nightly: targets\.0\.env\.token/);
  assert.equal(JSON.parse(storbench(['show', 'nightly', '--json', '--db', db]).stdout).runs.length, 1);

  assert.equal(storbench(['show', 'other', '--db', db]).code, 2);
  assert.match(storbench(['rm', 'nightly', '--db', db]).stdout, /schedule nightly removed \(its runs stay in the database\)/);
  assert.match(storbench(['list', '--db', db]).stdout, /no schedules/);
});

test("add --targets FILE keeps the file's baseline", () => {
  const db = join(dir, 'baseline.db');
  const targets = join(dir, 'baseline.yaml');
  writeFileSync(targets, 'targets:\n  - name: a\n    url: mem://a\n  - name: b\n    url: mem://b\nworkloads: [put-small]\nbaseline: b\n');
  const added = storbench(['add', 'with-baseline', '--cron', '0 2 * * *', '--targets', targets, '--db', db], {});
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(storbench(['list', '--json', '--db', db]).stdout).schedules[0].suite.baseline, 'b');
});

test('add --workloads FILE reads the file once and stores its fields: jobs never read it', () => {
  const db = join(dir, 'inline.db');
  const file = join(dir, 'tiny-put.yaml');
  writeFileSync(file, 'mix: { write: 1 }\nobjects: 5\nsize: 1KiB\nconcurrency: 2\nduration: 1500ms\n');
  const added = storbench(['add', 'inline', '--cron', '0 2 * * *', '--target', 'null://', '--workloads', `${file},put-small`, '--ops', '50', '--db', db]);
  assert.equal(added.code, 0, added.stderr);
  const stored = JSON.parse(storbench(['show', 'inline', '--json', '--db', db]).stdout).schedule.suite.workloads;
  assert.equal(stored[1], 'put-small');
  assert.equal(typeof stored[0], 'object', `a spec, not the path: ${JSON.stringify(stored[0])}`);
  assert.deepEqual([stored[0].name, stored[0].mix, stored[0].objects, stored[0].size, stored[0].duration], ['tiny-put', { write: 1 }, 5, '1KiB', '1500ms']);
  assert.match(storbench(['list', '--db', db]).stdout, /tiny-put, put-small/);
  rmSync(file);
  const ran = storbench(['run-now', 'inline', '--json', '--db', db]);
  assert.equal(ran.code, 0, `the file is gone and the job runs all the same: ${ran.stdout} ${ran.stderr}`);
  const bad = storbench(['add', 'gone', '--cron', '0 2 * * *', '--target', 'null://', '--workloads', file, '--db', db]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^storbench: error: workload .*tiny-put\.yaml: cannot read it \(ENOENT\)\n$/);
});
