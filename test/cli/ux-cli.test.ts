/**
 * The CLI as a demanding user meets it (issue 19, item 7; review problems 7 and 10; item 6's live CSV): the real
 * process, its exit codes, its output and what it leaves on disk.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { fitLine, progressPrinter } from '../../src/cli/progress.js';
import { resultTable } from '../../src/cli/run-command.js';
import { openStore, RUN_ID_PREFIX_SQL } from '../../src/results/sqlite-store.js';
import { TARGETS, writeCompletedRun } from '../dashboard/seed.js';
import { bin, runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-ux-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storbench = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { COLUMNS: '', ...env } });

/** Terminal output worth seeing, rendered as screenshots at the end: test-artifacts/issue19-cli-<item>-<what>.png. */
const shots: { name: string; command: string; text: string }[] = [];
const shot = (name: string, command: string, text: string) => shots.push({ name, command, text });
after(async () => {
  const chromiumPath = process.env.STORBENCH_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath) || shots.length === 0) return;
  const artifacts = join(process.cwd(), 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    for (const s of shots) {
      await page.setContent(
        `<pre style="display:inline-block;margin:0;padding:12px;font:13px/1.35 monospace;background:#1e1e1e;color:#ddd">` +
          `<span style="color:#8c8">$ ${esc(s.command)}</span>\n${esc(s.text.replaceAll('\x1b[2K', ''))}</pre>`,
      );
      await page.locator('pre').screenshot({ path: join(artifacts, `issue19-cli-${s.name}.png`) });
    }
  } finally {
    await browser.close();
  }
});

/** Runs whose ids share prefixes: two of the minute 07:47, one of 08:00, and seven `batch-` runs. */
const db = join(dir, 'runs.db');
const IDS = ['20261201-074707-f68d', '20261201-074712-a001', '20261201-080000-b002', ...Array.from({ length: 7 }, (_, i) => `batch-${i}`)];
before(() => {
  const store = openStore(db);
  for (const [i, id] of IDS.entries()) {
    writeCompletedRun(store, {
      id,
      // a slow target (ms) next to the harness ceiling (µs): one latency column holds both
      target: TARGETS[i % 2 === 0 ? 0 : 5]!,
      workload: i === 1 ? 'get-small' : 'put-small',
      startedAt: id.startsWith('2026')
        ? `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.000Z`
        : `2026-11-0${i - 2}T10:00:00.000Z`,
      seconds: 3,
      samples: 200,
    });
  }
  store.close();
});

/** The bad-input contract: exit 2, one line `storbench: error: ...` matching `message`. */
function refused(r: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  assert.equal(r.code, 2, `exit 2 (got ${r.code}): ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, /^storbench: error: /);
  assert.match(r.stderr.trim(), message);
}

/** Run the CLI with its stdout closed before it writes: its exit code and stderr. */
async function intoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  return { code, stderr };
}

describe('item 1: a reader that closes the pipe early', () => {
  for (const args of [['show', IDS[0]!], ['runs'], ['compare', IDS[0]!, IDS[2]!], ['compare', IDS[0]!, IDS[2]!, '--format', 'csv']]) {
    test(`storbench ${args.join(' ')} | head: quiet, exit 141 (SIGPIPE's status, as other tools)`, async () => {
      const { code, stderr } = await intoClosedPipe([...args, '--db', db]);
      assert.equal(stderr, '');
      assert.equal(code, 141);
    });
  }
  test('a real `| head -2` in a shell with pipefail: two lines, no stack', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" show ${IDS[0]} --db "${db}" | head -2; echo "status $?"`], {
      encoding: 'utf8',
    });
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^run 20261201-074707-f68d: put-small on hdfs-3dn \(hdfs\)\nstatus .*\nstatus (0|141)\n$/);
  });
});

describe('item 2: run ids as unique prefixes, as the dashboard prints them', () => {
  test('a unique prefix, a run page URL and a start time as the dashboard prints it all name the run', () => {
    for (const ref of ['20261201-074707', '20261201-08', `http://127.0.0.1:8080/run.html?id=${IDS[2]}`, '2026-12-01 08:00 UTC', 'batch-3']) {
      const r = storbench(['show', ref, '--db', db]);
      assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
      const expected = ref.startsWith('20261201-07') ? IDS[0] : ref === 'batch-3' ? 'batch-3' : IDS[2];
      assert.match(r.stdout, new RegExp(`^run ${expected}: `), ref);
    }
    const both = storbench(['compare', '20261201-074707', '20261201-08', '--format', 'csv', '--db', db]);
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual(
      [
        ...new Set(
          both.stdout
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',')[1]),
        ),
      ],
      [IDS[0], IDS[2]],
    );
  });

  test('an ambiguous prefix: one line with the matches (at most 5), exit 2', () => {
    refused(
      storbench(['show', '20261201-0747', '--db', db]),
      /show: "20261201-0747" matches more than one run \(20261201-074707-f68d, 20261201-074712-a001\): type more/,
    );
    refused(
      storbench(['compare', IDS[0]!, 'batch-', '--db', db]),
      /compare: "batch-" matches more than one run \(batch-0, batch-1, batch-2, batch-3, batch-4, \.\.\.\)/,
    );
    refused(storbench(['show', '2026-12-01 07:47', '--db', db]), /matches more than one run/);
    const ok = storbench(['show', '20261201-08', '--db', db]);
    shot(
      '2-run-ids',
      'storbench show 20261201-0747; storbench show f68d; storbench show 20261201-08 | head -4',
      `${storbench(['show', '20261201-0747', '--db', db]).stderr}${storbench(['show', 'f68d', '--db', db]).stderr}${ok.stdout.split('\n').slice(0, 4).join('\n')}`,
    );
  });

  test('no match: no run "x", exit 2', () => {
    refused(storbench(['show', 'f68d', '--db', db]), /show: no run "f68d" in /);
    refused(storbench(['compare', IDS[0]!, 'nope', '--db', db]), /compare: no run "nope" in /);
  });

  test('the lookup is a range search on the primary key index, never a scan', () => {
    const raw = new Database(db, { readonly: true });
    try {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${RUN_ID_PREFIX_SQL}`).all('2026', '2026\u{10FFFF}', 6) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
      assert.match(plan, /^SEARCH runs USING (COVERING )?INDEX sqlite_autoindex_runs_1 \(id>\? AND id<\?\)$/);
    } finally {
      raw.close();
    }
    const store = openStore(db, { mode: 'read' });
    try {
      assert.deepEqual(store.findRunIds('20261201-07', 6), [IDS[0], IDS[1]]);
      assert.deepEqual(store.findRunIds('batch-', 3), ['batch-0', 'batch-1', 'batch-2']);
      assert.deepEqual(store.findRunIds('', 6), []);
    } finally {
      store.close();
    }
  });
});

/** The lines of a table in `out`: from its header (starting with `first`) to the first blank line. */
function tableLines(out: string, first: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(first));
  assert.ok(start >= 0, `a table starting with ${first}: ${out}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('item 3: tables fit in COLUMNS (or the terminal), rows never wrap', () => {
  test('runs: 80 columns leave out started, system...; a pipe gets the whole table', () => {
    const whole = storbench(['runs', '--db', db]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /^run +started +status +target +system +workload +ops\/s +MiB\/s +p99 +errors/);
    assert.ok(tableLines(whole.stdout, 'run ')[0]!.length > 80);
    const narrow = storbench(['runs', '--db', db], { COLUMNS: '80' });
    assert.equal(narrow.code, 0, narrow.stderr);
    const lines = tableLines(narrow.stdout, 'run ').slice(0, 2 + IDS.length);
    assert.match(narrow.stdout, new RegExp(`^${IDS.length} of ${IDS.length} runs$`, 'm'));
    for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    assert.match(lines[0]!, /^run +status +target +workload +ops\/s( +MiB\/s)? +p99/);
    assert.doesNotMatch(lines[0]!, /started|system/);
    assert.match(narrow.stdout, /^20261201-080000-b002 +completed +hdfs-3dn +put-small +[\d,]+/m);
    shot('3-runs-80-columns', 'COLUMNS=80 storbench runs', narrow.stdout);
  });

  test('show in 60 columns and compare in 80: every table line fits, the key figures stay', () => {
    const show = storbench(['show', IDS[0]!, '--db', db], { COLUMNS: '60' });
    assert.equal(show.code, 0, show.stderr);
    const figures = tableLines(show.stdout, 'op ');
    for (const l of figures) assert.ok(l.length <= 60, `${l.length}: ${l}`);
    assert.match(figures[0]!, /^op +(count +)?errors +ops\/s +MiB\/s( +p50)? +p99 /);
    assert.doesNotMatch(figures[0]!, /p90|p99\.9/, 'the least telling columns left out first');
    const compare = storbench(['compare', IDS[0]!, IDS[3]!, '--db', db], { COLUMNS: '80' });
    assert.equal(compare.code, 0, compare.stderr);
    const rows = tableLines(compare.stdout, 'op ');
    for (const l of rows) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    assert.match(rows[2]!, /^write +20261201-074707-f68d /, 'run ids whole');
    shot('3-show-60-columns', `COLUMNS=60 storbench show ${IDS[0]} | head -9`, show.stdout.split('\n').slice(0, 9).join('\n'));
    assert.match(rows[0]!, /^op +run +\S+ +ops\/s +x +.*p99 +x/);
    assert.equal(rows.length, 4);
  });

  test('the TTY progress line is cut to the width: one row per redraw', () => {
    assert.equal(fitLine('put-small on mem:', 'measure 1s/3s  2,621 ops/s', 80), 'put-small on mem: measure 1s/3s  2,621 ops/s');
    const long = 'get-small on file:///scratch/a/some/deeper/benchmark/dir:';
    const text = 'measure 1s/3s  2,621 ops/s  10.2 MiB/s  errors 0  p99 22.4ms';
    const cut = fitLine(long, text, 80);
    assert.equal(cut.length, 79);
    assert.ok(cut.endsWith(text), 'the label gives way, the figures stay');
    assert.equal(fitLine(long, text, 64), text, 'then the label is left out');
    assert.equal(fitLine(long, text, 30), 'measure 1s/3s  2,621 ops/s  …');
    const written: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const printer = progressPrinter(long, tty);
    printer.update({ runId: 'r', phase: 'measure', elapsedS: 1, totalS: 3, done: 10, planned: 0, opsPerSec: 2621, mibPerSec: 10.24, errors: 0, p99Us: 22437 });
    printer.end();
    assert.ok(written[0]!.startsWith('\r\x1b[2K'), 'drawn over the line before');
    assert.match(written[0]!.slice('\r\x1b[2K'.length), /^get-small on file… measure 1s\/3s {2}2,621 ops\/s {2}10\.2 MiB\/s {2}errors 0 {2}p99 22\.4ms$/u);
    assert.equal(written[0]!.length, '\r\x1b[2K'.length + 79);
    assert.equal(written[1], '\r\x1b[2K', 'the end clears the line');
  });

  test('a real terminal (script(1)) of 60 columns: every redraw of a run fits in one row', () => {
    const log = join(dir, 'tty.log');
    const command = `stty cols 60; "${process.execPath}" "${bin}" run --target mem://a-rather-long-target-name-for-a-terminal --workload put-small --duration 2500ms --db "${join(dir, 'tty.db')}" >/dev/null`;
    const r = spawnSync('script', ['-qefc', command, log], { encoding: 'utf8', env: { ...process.env, COLUMNS: '' }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const redraws = readFileSync(log, 'utf8')
      .split('\r\x1b[2K')
      .slice(1)
      .map((s) => s.replace(/\r?\n.*$/s, ''))
      .filter(Boolean);
    assert.ok(redraws.length >= 2, `progress redrawn: ${JSON.stringify(redraws)}`);
    for (const line of redraws) assert.ok(line.length <= 59, `${line.length}: ${line}`);
    assert.ok(redraws.some((l) => /ops\/s/.test(l)));
  });
});

describe('item 4: one number format', () => {
  test('compare: one latency unit per column; Markdown text columns left-aligned', () => {
    const r = storbench(['compare', IDS[0]!, IDS[3]!, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const [header, , ...rows] = tableLines(r.stdout, 'op ');
    // p99 is right-aligned: its cells end where its header does
    const end = header!.indexOf(' p99 ') + ' p99'.length;
    const units = rows.map((l) =>
      l
        .slice(0, end)
        .split(' ')
        .at(-1)!
        .replace(/^[\d.,]+/, ''),
    );
    assert.equal(units.length, 2);
    assert.equal(new Set(units).size, 1, `one unit: ${units}`);
    assert.ok(
      rows.some((l) => /\b0\.\d+ms\b/.test(l)),
      'the µs run in the ms column',
    );
    const md = storbench(['compare', IDS[0]!, IDS[3]!, '--format', 'md', '--db', db]);
    assert.match(md.stdout.split('\n')[1]!, /^\| --- \| --- \| --- \| ---: \|/);
    shot('4-compare-units', `storbench compare ${IDS[0]} ${IDS[3]}`, r.stdout);
  });

  test('show: counts and ops/s with thousands separators, MiB/s with 3 digits', () => {
    const r = storbench(['show', IDS[3]!, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    // null at 40x speed: 120,000 ops/s
    assert.match(r.stdout, /^write +\d{3},\d{3} +0 +\d{3},\d{3} +\d{3}(\.\d)? /m);
  });
});

describe('items 5, 9, 10 and 4: a suite with a live CSV', () => {
  const csvFile = join(dir, 'suite.csv');
  let suite: ReturnType<typeof storbench>;
  before(() => {
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, 'targets:\n  - { name: memory, url: "mem://suite" }\n  - { name: ceiling, url: "null://" }\nworkloads: [put-small]\n');
    suite = storbench(['suite', '--targets', targets, '--duration', '1500ms', '--db', join(dir, 'suite.db'), '--live-csv', csvFile]);
  });

  test('the completion lines read like the tables; the suite ends with next: compare IDS | serve', () => {
    assert.equal(suite.code, 0, suite.stderr);
    assert.match(suite.stderr, /^completed +put-small on memory: write [\d,]+(\.\d)? ops\/s [\d,.]+ MiB\/s p99 [\d.]+(µs|ms)$/m);
    const ids = [...suite.stdout.matchAll(/\d{8}-\d{6}-[0-9a-f]{4}/g)].map((m) => m[0]);
    const next = suite.stdout.trim().split('\n').at(-1)!;
    assert.match(next, /^next: storbench compare \d{8}-\d{6}-[0-9a-f]{4} \d{8}-\d{6}-[0-9a-f]{4} \| storbench serve/);
    const csvIds = new Set(
      readFileSync(csvFile, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    assert.equal(csvIds.size, 2, 'rows of both runs in one file');
    shot('5-suite-next', 'storbench suite --targets targets.yaml --duration 1500ms --live-csv suite.csv', `${suite.stderr}${suite.stdout}`);
    for (const id of next.match(/\d{8}-\d{6}-[0-9a-f]{4}/g)!) assert.ok(csvIds.has(id) && ids.includes(id), id);
  });

  test('the CSV: the header first, one row per second and op, elapsed_s rising', () => {
    const lines = readFileSync(csvFile, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'run_id,elapsed_s,op,ops,ops_per_s,mib_per_s,errors,mean_latency_us,max_latency_us,p99_latency_us');
    const byRun = new Map<string, number[]>();
    for (const l of lines.slice(1)) {
      const [id, elapsed, op, ops, opsPerS, mib, errors, mean, max, p99] = l.split(',');
      assert.equal(op, 'write');
      for (const n of [elapsed, ops, opsPerS, mib, errors, max]) assert.ok(Number.isFinite(Number(n)) && n !== '', l);
      assert.ok(mean === '' || Number(mean) >= 0, l);
      // a second with operations has its p99, at most its max (rounded up to its bucket's top: within 3.1%)
      if (Number(ops) > 0) assert.ok(Number(p99) > 0 && Number(p99) <= Number(max) * 1.032, l);
      byRun.set(id!, [...(byRun.get(id!) ?? []), Number(elapsed)]);
    }
    shot('10-live-csv', 'cat suite.csv', lines.join('\n'));
    for (const [id, elapsed] of byRun) {
      assert.ok(elapsed.length >= 2, `${id}: ${elapsed}`);
      assert.deepEqual(
        [...elapsed].sort((a, b) => a - b),
        elapsed,
        `${id} rising`,
      );
      assert.ok(elapsed.at(-1)! <= 1.6, `${id}: ends with the measured 1.5 s: ${elapsed}`);
    }
  });

  test('a targets file name YAML reads as null, a number or a boolean: quote it', () => {
    for (const [name, shown] of [
      ['null', 'null'],
      ['1.10', '1.1'],
      ['true', 'true'],
    ] as const) {
      const file = join(dir, `name-${shown}.yaml`);
      writeFileSync(file, `targets:\n  - name: ${name}\n    url: "null://"\nworkloads: [put-small]\n`);
      refused(
        storbench(['suite', '--targets', file, '--db', join(dir, 'never.db')]),
        new RegExp(`targets\\.0\\.name: .*\\(quote it: name: "${shown.replace('.', '\\.')}"\\)$`),
      );
    }
    assert.ok(!existsSync(join(dir, 'never.db')));
  });
});

describe('item 10: --live-csv while the run goes (tail -f), and item 11: a stop is never silent', () => {
  test('rows are in the file while the run goes; Ctrl-C: "stopping", then the cleanup, then its end, on a pipe', async () => {
    const root = mkdtempSync(join(dir, 'live-root-'));
    const file = join(dir, 'live.csv');
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--target',
        `file://${root}`,
        '--workload',
        'put-small',
        '--duration',
        '30s',
        '--threads',
        '1',
        '--db',
        join(dir, 'live.db'),
        '--live-csv',
        file,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const rows = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length - 1 : 0);
    for (let waited = 0; rows() < 2 && child.exitCode === null && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    assert.ok(rows() >= 2, `two seconds written while running: ${err}`);
    assert.equal(child.exitCode, null, 'still running');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 130, err);
    const lines = err.trim().split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.ok(at(/: measure \d+s\/30s/) >= 0, `a line when measuring starts: ${err}`);
    assert.ok(at(/^stopping: /) >= 0, err);
    assert.ok(at(/: cleaning up$/) > at(/^stopping: /), err);
    assert.ok(at(/: cleanup done in \d+\.\ds$/) > at(/: cleaning up$/), err);
    const run = JSON.parse(out) as { runId: string; status: string; results: { op: string; count: number }[] };
    assert.equal(run.status, 'interrupted');
    const csv = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    const written = csv.reduce((n, l) => n + Number(l.split(',')[3]), 0);
    assert.ok(
      csv.every((l) => l.startsWith(`${run.runId},`)),
      'rows of this run',
    );
    shot(
      '11-stop-on-a-pipe',
      'storbench run --target file://ROOT --workload put-small --duration 30s --live-csv live.csv --json 2>&1 >/dev/null  (Ctrl-C)',
      err,
    );
    shot('10-live-csv-tail', 'tail -5 live.csv', csv.slice(-5).join('\n'));
    assert.equal(written, run.results.find((o) => o.op === 'write')!.count, 'every measured operation in the rows, once');
  });

  test('FILE is checked at the edge: no directory, a directory, not writable: exit 2, nothing written', () => {
    const never = join(dir, 'never-live.db');
    const run = ['run', '--target', 'null://', '--workload', 'put-small', '--duration', '200ms', '--db', never];
    refused(storbench([...run, '--live-csv', join(dir, 'missing', 'x.csv')]), /--live-csv .*x\.csv: no directory .*missing$/);
    refused(storbench([...run, '--live-csv', dir]), /--live-csv .*: is a directory$/);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    if (process.getuid?.() !== 0) refused(storbench([...run, '--live-csv', join(locked, 'x.csv')]), /--live-csv .*: cannot write in .*locked/);
    refused(storbench(['suite', '--targets', join(dir, 'targets.yaml'), '--db', never, '--live-csv', join(dir, 'missing', 'x.csv')]), /no directory/);
    assert.ok(!existsSync(never));
  });
});

describe('item 5, 6, 7, 8: next steps, suggestions, missing databases, check leaves nothing', () => {
  test('an unknown flag: did you mean (the nearest of the command own flags)', () => {
    refused(
      storbench(['run', '--target', 'null://', '--workload', 'put-small', '--duraton', '1s']),
      /run: Unknown option '--duraton' \(did you mean --duration\?\)$/,
    );
    refused(storbench(['runs', '--limt', '5', '--db', db]), /\(did you mean --limit\?\)$/);
    refused(storbench(['compare', '--fromat', 'md', IDS[0]!, '--db', db]), /\(did you mean --format\?\)$/);
    refused(storbench(['comapre', IDS[0]!]), /unknown command "comapre" \(did you mean compare\?\)/);
    const far = storbench(['runs', '--frobnicate', '--db', db]);
    refused(far, /Unknown option '--frobnicate'$/);
    shot(
      '6-did-you-mean',
      'storbench run --target null:// --workload put-small --duraton 1s; storbench runs --frobnicate',
      `${storbench(['run', '--target', 'null://', '--workload', 'put-small', '--duraton', '1s']).stderr}${far.stderr}`,
    );
  });

  test('runs, show, compare and clean with a missing --db: one line, exit 2, no file made', () => {
    const missing = join(dir, 'sub', 'missing.db');
    for (const args of [['runs'], ['show', 'x'], ['compare', 'x', 'y'], ['clean']]) {
      refused(storbench([...args, '--db', missing]), /--db .*missing\.db: no database there \(no runs yet\)$/);
    }
    assert.ok(!existsSync(join(dir, 'sub')), 'not even its directory');
  });

  test('check: passes, ends with next:, and leaves no directory behind in the root', () => {
    const root = mkdtempSync(join(dir, 'check-root-'));
    writeFileSync(join(root, 'user.txt'), 'mine');
    const r = storbench(['check', '--target', `file://${root}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+ passed, 0 failed, \d+ skipped$/m);
    assert.equal(r.stdout.trim().split('\n').at(-1), `next: storbench run --target file://${root} --workload put-small | storbench suite --targets FILE`);
    assert.deepEqual(readdirSync(root, { recursive: true }), ['user.txt']);
    shot(
      '5-8-check',
      `storbench check --target file://ROOT; ls -R ROOT`,
      `${r.stdout.split('\n').slice(-3).join('\n')}\n$ ls -R ROOT\n${readdirSync(root, { recursive: true }).join('\n')}`,
    );
  });

  test('check: a file:// root that does not exist is refused, and not created', () => {
    const missing = join(dir, 'does-not-exist');
    refused(
      storbench(['check', '--target', `file://${missing}`]),
      /check: file:\/\/.*does-not-exist: no directory .*\(check tests a file system that is there/,
    );
    assert.ok(!existsSync(missing));
  });
});

test('a run that measured no operation (failed in prepare, stopped at once) gets one line, not an empty table', () => {
  assert.equal(resultTable({ ops: [] }), 'no figures: no operation was measured');
  const zero = { op: 'read', count: 0, errors: 0, errorsByKind: {}, bytes: 0, items: 0, opsPerSec: 0, mibPerSec: 0, histogram: '' };
  const latencyUs = { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  assert.equal(resultTable({ ops: [{ ...zero, latencyUs }] }), 'no figures: no operation was measured');
  assert.match(resultTable({ ops: [{ ...zero, count: 3, opsPerSec: 3, latencyUs }] }), /^op +count/);
});
