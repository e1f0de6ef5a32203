/**
 * npm run bench:reliability — replays the adversarial review's categories (../shared/notes/reliability-review.md)
 * against the real CLI and server, as separate processes, on local targets only (file://, mem://, null://,
 * unreachable 127.0.0.1 ports):
 * - bad input: exit 2, one stderr line, no stack trace, no database created;
 * - hangs: tiny rates and long sleeps end on time;
 * - secrets: planted values grepped in stdout/stderr, the database and its -wal, every API route and export,
 *   /metrics and schedules;
 * - kills: SIGKILL/SIGINT at each phase, then integrity_check, the run recorded, its measured figures kept;
 * - concurrent first opens of one new database;
 * - containment: user files beside and inside storbench/, percent-encoded `..`, the direct-I/O probe, `clean`;
 * - a run whose every operation failed does not pass for completed; the API answers 401/403 before validating.
 * Prints a table per category, the failed cases, and one JSON line:
 * {"bench":"reliability","cases":N,"passed":N,"leaked":0,"crashed":0,"lost":0,...}.
 * BENCH_ONLY=kills,secrets runs only those categories.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const bin = new URL('../bin/storbench.cjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'storbench-reliability-'));
const mounts: string[] = [];
const children = new Set<ChildProcess>();

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}
interface Case {
  category: string;
  name: string;
  ok: boolean;
  detail: string;
  leaked?: number;
  crashed?: boolean;
  lost?: boolean;
}
const cases: Case[] = [];
/** BENCH_ONLY="kills,secrets": only these categories. */
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((c) => c.trim()) : undefined;

function record(category: string, name: string, problems: string[], extra: Partial<Case> = {}): void {
  cases.push({ category, name, ok: problems.length === 0 && !extra.leaked && !extra.crashed && !extra.lost, detail: problems.join('; '), ...extra });
}

/** Run the CLI to its end (or `timeoutMs`, then SIGKILL) and collect its output. */
function cli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<Outcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves when `child` has exited, also when it already had (a listener added after 'exit' would wait forever). */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return Promise.resolve(child.exitCode);
  }
  return new Promise((r) =>
    child.once('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
}
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
/** A crash: a JavaScript stack frame, an unhandled error, or an exit no documented code explains. */
function crashed(o: Outcome): boolean {
  return /^\s+at .+(\(|:\d+)/m.test(o.stderr) || /Unhandled|uncaught|node:internal/i.test(o.stderr) || (o.code !== null && ![0, 1, 2, 3, 130].includes(o.code));
}

function integrity(db: string): string {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return d.pragma('integrity_check', { simple: true }) as string;
  } finally {
    d.close();
  }
}

interface StoredRun {
  id: string;
  status: string;
  targetName: string;
  ops: number;
  error?: string;
}
function storedRuns(db: string): StoredRun[] {
  if (!existsSync(db)) return [];
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    // a database another process is creating may not hold its tables yet
    if (!d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'runs'").get()) return [];
    return d
      .prepare(`SELECT r.id, r.status, r.target_name AS targetName, r.error,
        (SELECT coalesce(sum(o.count), 0) FROM run_ops o WHERE o.run_id = r.id) AS ops FROM runs r ORDER BY r.started_at`)
      .all() as StoredRun[];
  } finally {
    d.close();
  }
}

function countFiles(root: string): number {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// 1. Bad input

async function badInput(): Promise<void> {
  const fifo = join(dir, 'workload.fifo');
  spawnSync('mkfifo', [fifo]);
  const ws = join(dir, 'ws');
  mkdirSync(ws);
  const targetsBad = join(dir, 'targets-bad.yaml');
  writeFileSync(targetsBad, 'targets:\n  - name: a\n    url: null://\n  - name: b\n    url: foo://x\n');
  const targetsBucket = join(dir, 'targets-bucket.yaml');
  writeFileSync(targetsBucket, 'targets:\n  - name: a\n    url: null://\n  - name: b\n    url: s3://Bad_Bucket?endpoint=http://127.0.0.1:1\n');
  const run = (...a: string[]) => ['run', '--target', 'null://', '--workload', 'put-small', ...a];
  const list: [string, string[], { noDir?: string }?][] = [
    ['workload is a device (/dev/zero)', ['run', '--target', 'null://', '--workload', '/dev/zero']],
    ['workload is a FIFO', ['run', '--target', 'null://', '--workload', fifo]],
    ['workload is a directory', ['run', '--target', 'null://', '--workload', ws]],
    ['--rate 1e-300', run('--rate', '1e-300', '--duration', '1s')],
    ['--duration -5s', run('--duration', '-5s')],
    ['--size -0', run('--size', '-0')],
    ['--objects -1', run('--objects', '-1')],
    ['--ops -0', run('--ops', '-0')],
    ['--rate -1', run('--rate', '-1')],
    ['--concurrency 0x10', run('--concurrency', '0x10')],
    ['--ops 0x10', run('--ops', '0x10')],
    ['--objects 1e3', run('--objects', '1e3')],
    ['--seed 0b101', run('--seed', '0b101')],
    ["--concurrency ' 16 '", run('--concurrency', ' 16 ')],
    ['--duration 0', run('--duration', '0')],
    ['--duration 0.0001ms', run('--duration', '0.0001ms')],
    ['--size 0.4', run('--size', '0.4')],
    ["--name ''", run('--name', '')],
    ['mem://%zz', ['run', '--target', 'mem://%zz', '--workload', 'put-small', '--duration', '1s']],
    ['unknown scheme', ['run', '--target', 'foo://x', '--workload', 'put-small']],
    ['file://relative', ['run', '--target', 'file://relative/x', '--workload', 'put-small']],
    ['unknown option on null://', ['run', '--target', 'null://?bogus=1', '--workload', 'put-small']],
    ['unknown option on webhdfs://', ['run', '--target', 'webhdfs://127.0.0.1:1/x?sig=1', '--workload', 'put-small']],
    ['unreachable cassandra (one line)', ['run', '--target', 'cassandra://127.0.0.1:1/ks', '--workload', 'put-small']],
    ['unreachable nfs', ['run', '--target', 'nfs://127.0.0.1:1/export?mountport=1', '--workload', 'put-small']],
    ['invalid bucket', ['run', '--target', 's3://Bad_Bucket?endpoint=http://127.0.0.1:1', '--workload', 'put-small']],
    [
      'io=sync with fewer threads than workers (root not created)',
      ['run', '--target', `file://${dir}/iosync-refused?io=sync`, '--workload', 'put-small', '--concurrency', '4', '--threads', '2'],
      { noDir: join(dir, 'iosync-refused') },
    ],
    [
      'percent-encoded .. in a file:// path',
      ['run', '--target', `file://${dir}/fs/b%2F..%2F..%2Fescaped-pct`, '--workload', 'put-small', '--duration', '1s'],
      { noDir: join(dir, 'escaped-pct') },
    ],
    [
      'plain .. in a file:// path',
      ['run', '--target', `file://${dir}/fs/a/../dotdot`, '--workload', 'put-small', '--duration', '1s'],
      { noDir: join(dir, 'fs', 'a') },
    ],
    ['suite: a bad target after a good one', ['suite', '--targets', targetsBad, '--workloads', 'put-small', '--duration', '1s']],
    ['suite: an invalid bucket after a good target', ['suite', '--targets', targetsBucket, '--workloads', 'put-small', '--duration', '1s']],
    [
      'schedule add --throughput-drop -5',
      ['schedule', 'add', 'x', '--cron', '0 2 * * *', '--target', 'null://', '--workloads', 'put-small', '--throughput-drop', '-5'],
    ],
    ['schedule add with a workload device', ['schedule', 'add', 'x', '--cron', '0 2 * * *', '--target', 'null://', '--workloads', '/dev/zero']],
    ['show an unknown run', ['show', 'nosuchid']],
    ['compare unknown runs', ['compare', 'nosuch1', 'nosuch2']],
    ['schedule show unknown', ['schedule', 'show', 'nosuch']],
    ['schedule rm unknown', ['schedule', 'rm', 'nosuch']],
  ];
  let i = 0;
  for (const [name, args, expect] of list) {
    const db = join(dir, `bad-${i++}.db`);
    const o = await cli([...args, '--db', db], { timeoutMs: 30_000 });
    const problems: string[] = [];
    if (o.timedOut) problems.push('still running after 30 s');
    if (o.code !== 2) problems.push(`exit ${o.code ?? o.signal}`);
    if (lines(o.stderr).length !== 1) problems.push(`${lines(o.stderr).length} stderr lines`);
    if (existsSync(db)) problems.push('a database was created');
    if (expect?.noDir && existsSync(expect.noDir)) problems.push(`${expect.noDir} was created`);
    record('bad input', name, problems, { crashed: crashed(o) || o.timedOut });
  }

  // bad --db paths, for commands that write and commands that read
  const plainFile = join(dir, 'plain-file');
  writeFileSync(plainFile, 'x');
  mkdirSync(join(dir, 'dbdir.db'));
  for (const [name, db] of [
    ['a directory', join(dir, 'dbdir.db')],
    ['/dev/full', '/dev/full'],
    ['under a regular file', join(plainFile, 'sub', 'res.db')],
  ] as const) {
    for (const cmd of [['run', '--target', 'null://', '--workload', 'put-small', '--duration', '300ms'], ['runs'], ['show', 'x'], ['schedule', 'list']]) {
      const o = await cli([...cmd, '--db', db], { timeoutMs: 30_000 });
      const problems: string[] = [];
      if (o.code !== 2) problems.push(`exit ${o.code ?? o.signal}`);
      if (lines(o.stderr).length !== 1) problems.push(`${lines(o.stderr).length} stderr lines`);
      record('bad input', `--db ${name}: ${cmd[0]}${cmd[0] === 'schedule' ? ` ${cmd[1]}` : ''}`, problems, { crashed: crashed(o) });
    }
  }

  // commands that only read never create a database
  for (const cmd of [['runs'], ['runs', '--json']]) {
    const db = join(dir, `read-only-${cmd.length}.db`);
    const o = await cli([...cmd, '--db', db]);
    const problems: string[] = [];
    if (o.code !== 0 && o.code !== 2) problems.push(`exit ${o.code}`);
    if (existsSync(db)) problems.push('a database was created');
    record('bad input', `${cmd.join(' ')} on a missing database`, problems, { crashed: crashed(o) });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Hangs

async function hangs(): Promise<void> {
  const db = join(dir, 'hangs.db');
  for (const [name, args, limitMs] of [
    ['--rate 0.1 --duration 2s ends on time', ['--rate', '0.1', '--duration', '2s'], 15_000],
    ['--rate 0.5 --duration 1s ends on time', ['--rate', '0.5', '--duration', '1s'], 15_000],
    ['--rate 1 --ops 3 ends', ['--rate', '1', '--ops', '3'], 20_000],
  ] as const) {
    const o = await cli(['run', '--target', 'null://', '--workload', 'put-small', ...args, '--db', db], { timeoutMs: limitMs });
    const problems: string[] = [];
    if (o.timedOut) problems.push(`still running after ${limitMs / 1000} s`);
    else if (o.code !== 0 && o.code !== 2) problems.push(`exit ${o.code}`);
    if (/TimeoutOverflowWarning/.test(o.stderr)) problems.push('TimeoutOverflowWarning');
    record('hangs', name, problems, { crashed: crashed(o) || o.timedOut });
  }
  // a reader that goes away (show | head): no EPIPE crash
  const ran = await cli(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '300ms', '--json', '--db', db]);
  const id = (JSON.parse(ran.stdout || '{}') as { runId?: string }).runId ?? 'none';
  const child = spawn('bash', ['-c', `"${process.execPath}" "${bin}" show ${id} --db "${db}" | head -1 >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  await new Promise((r) => child.on('close', r));
  record('hangs', 'show | head -1 (EPIPE)', /EPIPE|^\s+at /m.test(stderr) ? ['EPIPE crash'] : [], { crashed: /^\s+at /m.test(stderr) });
}

// ---------------------------------------------------------------------------------------------------------
// 3. Secrets

const PLANTED = {
  accountKey: 'PLANTACCTKEY888',
  sig: 'PLANTSIGVAL777',
  sas: 'PLANTSASVAL666',
  apiKey: 'PLANTAPIKEY999',
  auth: 'PLANTAUTHVAL555',
  privateKey: 'PLANTPRIVKEY666',
  client_secret: 'PLANTCLIENTSEC777',
  bearer: 'PLANTBEARER888',
  key: 'PLANTKEYONLY999',
  pwd: 'PLANTPWD000',
  pass: 'PLANTPASS121',
};
const NULL_TOKEN = 'PLANTNULLTOKEN321';
const MEM_PASSWORD = 'PLANTMEMPASS654';
const ENV_TOKEN = 'PLANTENVTOKEN987';
const SCHEDULE_TOKEN = 'PLANTSCHEDTOKEN246';
const URL_PASSWORD = 'PLANTURLPASS135';
const ALL_SECRETS = [...Object.values(PLANTED), NULL_TOKEN, MEM_PASSWORD, ENV_TOKEN, SCHEDULE_TOKEN, URL_PASSWORD];

async function secrets(): Promise<void> {
  const db = join(dir, 'secrets.db');
  const planted = new URLSearchParams(PLANTED).toString();
  const outputs: [string, string][] = [];
  const keep = (name: string, o: Outcome) => outputs.push([`${name} stdout`, o.stdout], [`${name} stderr`, o.stderr]);

  // refused: undeclared options on drivers that once accepted any, on network drivers, in schedules
  for (const url of [
    `null://?${planted}`,
    `mem://admin:${MEM_PASSWORD}@x?${planted}`,
    `cassandra://127.0.0.1:1/ks?password=${URL_PASSWORD}&${planted}`,
    `webhdfs://u:${URL_PASSWORD}@127.0.0.1:1/x?${planted}`,
    `nfs://127.0.0.1:1/export?${planted}`,
    `file://${dir}/sec?${planted}`,
  ]) {
    const o = await cli(['run', '--target', url, '--workload', 'put-small', '--duration', '300ms', '--db', db]);
    keep(`run ${url.slice(0, url.indexOf(':'))}`, o);
    record('secrets', `undeclared options refused on ${url.slice(0, url.indexOf('://'))}://`, o.code === 2 ? [] : [`exit ${o.code}`], { crashed: crashed(o) });
  }
  // stored: declared secrets, URL passwords, values from the environment
  for (const [name, url] of [
    ['declared token', `null://?token=${NULL_TOKEN}`],
    ['URL password', `mem://admin:${MEM_PASSWORD}@x`],
  ]) {
    const o = await cli(['run', '--target', url!, '--workload', 'mixed', '--objects', '20', '--duration', '500ms', '--db', db]);
    keep(`run ${name}`, o);
    record('secrets', `a run with a ${name} completes`, o.code === 0 ? [] : [`exit ${o.code}: ${o.stderr.trim()}`], { crashed: crashed(o) });
  }
  const targets = join(dir, 'secret-targets.yaml');
  writeFileSync(targets, 'targets:\n  - name: env-null\n    url: null://\n    env: { token: PLANT_ENV_TOKEN }\n');
  const suite = await cli(['suite', '--targets', targets, '--workloads', 'put-small', '--duration', '300ms', '--db', db], {
    env: { PLANT_ENV_TOKEN: ENV_TOKEN },
  });
  keep('suite', suite);
  record('secrets', 'a suite with a secret from the environment completes', suite.code === 0 ? [] : [`exit ${suite.code}: ${suite.stderr.trim()}`], {
    crashed: crashed(suite),
  });

  // schedules: a literal secret is refused, a reference is stored as a name, run-now stores no value
  const literal = join(dir, 'literal-targets.yaml');
  writeFileSync(literal, `targets:\n  - url: null://\n    options: { token: ${SCHEDULE_TOKEN} }\n`);
  const lit = await cli(['schedule', 'add', 'lit', '--cron', '0 2 * * *', '--targets', literal, '--workloads', 'put-small', '--db', db]);
  keep('schedule add literal', lit);
  record('secrets', 'schedule add refuses a literal secret', lit.code === 2 ? [] : [`exit ${lit.code}`], { crashed: crashed(lit) });
  const undeclared = join(dir, 'undeclared-targets.yaml');
  writeFileSync(undeclared, `targets:\n  - url: null://\n    options: { apiKey: ${PLANTED.apiKey}, sas: ${PLANTED.sas} }\n`);
  const und = await cli(['schedule', 'add', 'und', '--cron', '0 2 * * *', '--targets', undeclared, '--workloads', 'put-small', '--db', db]);
  keep('schedule add undeclared', und);
  record('secrets', 'schedule add refuses undeclared options', und.code === 2 ? [] : [`exit ${und.code}`], { crashed: crashed(und) });
  const refTargets = join(dir, 'ref-targets.yaml');
  writeFileSync(refTargets, 'targets:\n  - name: sched-null\n    url: null://\n    env: { token: PLANT_SCHED_TOKEN }\n');
  const env = { PLANT_SCHED_TOKEN: SCHEDULE_TOKEN };
  const add = await cli(
    ['schedule', 'add', 'nightly', '--cron', '0 2 * * *', '--targets', refTargets, '--workloads', 'put-small', '--duration', '300ms', '--db', db],
    { env },
  );
  keep('schedule add', add);
  const now = await cli(['schedule', 'run-now', 'nightly', '--db', db], { env });
  keep('schedule run-now', now);
  record(
    'secrets',
    'a schedule with a secret by reference runs',
    add.code === 0 && now.code === 0 ? [] : [`exit ${add.code}/${now.code}: ${add.stderr}${now.stderr}`],
  );
  for (const cmd of [['runs'], ['runs', '--json'], ['schedule', 'list', '--json'], ['schedule', 'show', 'nightly', '--json']]) {
    const o = await cli([...cmd, '--db', db]);
    keep(cmd.join(' '), o);
  }
  const ids = storedRuns(db).map((r) => r.id);
  for (const id of ids.slice(0, 4)) keep(`show ${id}`, await cli(['show', id, '--db', db]));
  if (ids.length >= 2) keep('compare', await cli(['compare', ids[0]!, ids[1]!, '--format', 'md', '--db', db]));

  // the server: every route and export, and /metrics while a run with a secret is live
  const token = 'reliability-token-0123456789abcdef';
  const port = 27_400 + Math.floor(Math.random() * 400);
  const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', db, '--no-scheduler'], {
    env: { ...process.env, STORBENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(server);
  let serverOut = '';
  server.stdout.on('data', (d) => {
    serverOut += d;
  });
  server.stderr.on('data', (d) => {
    serverOut += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const fetched: [string, string][] = [];
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/api/runs`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(200);
    }
    const live = spawn(process.execPath, [bin, 'run', '--target', `null://?token=${NULL_TOKEN}`, '--workload', 'put-small', '--duration', '4s', '--db', db], {
      stdio: 'ignore',
    });
    children.add(live);
    await sleep(2500);
    const paths = [
      '/api/runs',
      '/api/runs?limit=200',
      '/api/matrix',
      '/api/schedules',
      '/api/schedules/nightly',
      '/metrics',
      '/docs/json',
      ...ids.flatMap((id) => [`/api/runs/${id}`]),
      `/api/compare?ids=${ids.slice(0, 3).join(',')}`,
      ...['csv', 'json', 'md'].flatMap((f) => [
        `/api/export/runs?format=${f}`,
        `/api/export/matrix?format=${f}`,
        `/api/export/compare?ids=${ids.slice(0, 3).join(',')}&format=${f}`,
      ]),
      '/',
      '/runs',
      '/matrix',
      '/compare',
      '/schedules',
    ];
    for (const p of paths) {
      const r = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } }).catch((e: Error) => ({
        text: async () => `fetch failed: ${e.message}`,
      }));
      fetched.push([`GET ${p}`, await r.text()]);
    }
    await exited(live);
    // a secret in clear through the API is refused
    const post = await fetch(`${base}/api/schedules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'apisecret', cron: '0 2 * * *', targets: [{ url: `null://?apiKey=${PLANTED.apiKey}` }], workloads: ['put-small'] }),
    });
    fetched.push(['POST /api/schedules (undeclared option)', await post.text()]);
    record('secrets', 'POST /api/schedules refuses an undeclared option', post.status === 400 ? [] : [`HTTP ${post.status}`]);
    const post2 = await fetch(`${base}/api/schedules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'apisecret2', cron: '0 2 * * *', targets: [{ url: `null://?token=${SCHEDULE_TOKEN}` }], workloads: ['put-small'] }),
    });
    fetched.push(['POST /api/schedules (literal secret)', await post2.text()]);
    record('secrets', 'POST /api/schedules refuses a literal secret', post2.status === 400 ? [] : [`HTTP ${post2.status}`]);
    // the -wal exists while the server holds the database open
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) fetched.push([f, readFileSync(f, 'latin1')]);
  } finally {
    server.kill('SIGTERM');
    await exited(server);
  }
  for (const f of [db, `${db}-wal`]) if (existsSync(f)) fetched.push([`${f} (closed)`, readFileSync(f, 'latin1')]);
  fetched.push(['serve output', serverOut]);

  const places = [...outputs, ...fetched];
  const leaks: string[] = [];
  for (const [where, text] of places) for (const s of ALL_SECRETS) if (text.includes(s)) leaks.push(`${s} in ${where}`);
  record('secrets', `${ALL_SECRETS.length} planted values grepped in ${places.length} places`, leaks.slice(0, 8), { leaked: leaks.length });
}

// ---------------------------------------------------------------------------------------------------------
// 4. Kills and a full disk

async function kills(): Promise<void> {
  const db = join(dir, 'kills.db');
  const start = (target: string, args: string[]) => {
    const child = spawn(process.execPath, [bin, 'run', '--target', target, '--workload', 'put-small', ...args, '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.stdout.resume();
    child.stderr.resume();
    return child;
  };
  const check = (name: string, targetName: string, expectFigures: boolean) => {
    const problems: string[] = [];
    const ok = integrity(db);
    if (ok !== 'ok') problems.push(`integrity_check: ${ok}`);
    // the next open marks a killed run interrupted
    spawnSync(process.execPath, [bin, 'runs', '--db', db], { stdio: 'ignore' });
    const run = storedRuns(db)
      .filter((r) => r.targetName === targetName)
      .at(-1);
    if (!run) problems.push('the run is not in the database');
    else if (run.status === 'running') problems.push('still running after the next open');
    const lost = expectFigures && (!run || run.ops === 0);
    if (lost) problems.push('its measured figures were lost');
    record('kills', name, problems, { lost });
  };

  for (const [name, signal, atMs] of [
    ['SIGKILL at 1.5 s', 'SIGKILL', 1500],
    ['SIGKILL at 3 s', 'SIGKILL', 3000],
    ['SIGTERM at 2 s', 'SIGTERM', 2000],
    ['SIGINT at 2 s', 'SIGINT', 2000],
  ] as const) {
    const targetName = `kill-${name.replace(/\W+/g, '-')}`;
    const child = start('mem://k', ['--duration', '30s', '--name', targetName]);
    // the clock starts after process start-up: wait for the run row before timing the kill
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000 && !storedRuns(db).some((r) => r.targetName === targetName)) await sleep(50);
    await sleep(atMs);
    child.kill(signal);
    await exited(child);
    check(name, targetName, true);
  }

  // cleanup phase: kill once the run's files start disappearing (cleanup), and Ctrl-C twice there
  for (const [name, signals] of [
    ['SIGKILL during cleanup', ['SIGKILL']],
    ['two SIGINTs during cleanup', ['SIGINT', 'SIGINT']],
  ] as const) {
    const root = join(dir, `cleanup-${signals.length}`);
    const targetName = `cleanup-${signals.length}`;
    const child = start(`file://${root}`, ['--duration', '3s', '--concurrency', '32', '--name', targetName]);
    let max = 0;
    let inCleanup = false;
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && child.exitCode === null) {
      const n = countFiles(root);
      if (n > max) max = n;
      else if (max > 100 && n < max - 50) {
        inCleanup = true;
        break;
      }
      await sleep(100);
    }
    for (const s of signals) {
      child.kill(s);
      await sleep(50);
    }
    await exited(child);
    if (!inCleanup) record('kills', name, ['cleanup was not caught (the run ended first)']);
    else check(name, targetName, true);
    const left = countFiles(root);
    if (left > 0) {
      const dry = await cli(['clean', '--target', `file://${root}`, '--db', db]);
      const kept = countFiles(root);
      const yes = await cli(['clean', '--target', `file://${root}`, '--yes', '--db', db]);
      const problems: string[] = [];
      if (kept !== left) problems.push('the dry run removed files');
      if (yes.code !== 0) problems.push(`clean --yes exit ${yes.code}: ${lines(yes.stderr)[0] ?? ''}`);
      if (countFiles(root) !== 0) problems.push(`${countFiles(root)} files left after clean --yes`);
      record('kills', `${name}: clean removes the ${left} files it left`, problems, { crashed: crashed(dry) || crashed(yes) });
    }
  }

  // the database's disk fills mid-run
  const small = join(dir, 'small');
  mkdirSync(small);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]).status === 0) {
    mounts.push(small);
    const sdb = join(small, 'res.db');
    const child = spawn(process.execPath, [bin, 'run', '--target', 'null://', '--workload', 'mixed', '--objects', '100', '--duration', '5s', '--db', sdb], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.resume();
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000 && !existsSync(sdb)) await sleep(50);
    await sleep(2000);
    spawnSync('dd', ['if=/dev/zero', `of=${join(small, 'filler')}`, 'bs=1M', 'count=16'], { stdio: 'ignore' });
    const code = await exited(child);
    const problems: string[] = [];
    if (code === 0) problems.push('exit 0 although its figures could not all be stored');
    if (/^\s+at /m.test(err)) problems.push('a stack trace');
    if (lines(err).length > 3) problems.push(`${lines(err).length} stderr lines`);
    rmSync(join(small, 'filler'), { force: true });
    const ok = existsSync(sdb) ? integrity(sdb) : 'no database';
    if (ok !== 'ok') problems.push(`integrity_check: ${ok}`);
    record('kills', 'the database disk fills mid-run', problems, { crashed: /^\s+at /m.test(err) || (code !== null && ![0, 1, 2, 130].includes(code)) });
  } else {
    record('kills', 'the database disk fills mid-run', ['could not mount a tmpfs (not root?)']);
  }
}

// ---------------------------------------------------------------------------------------------------------
// 5. Concurrent first opens

async function concurrentOpens(): Promise<void> {
  const ROUNDS = 5;
  const PROCESSES = 5;
  for (let round = 0; round < ROUNDS; round++) {
    const db = join(dir, `fresh-${round}.db`);
    const outs = await Promise.all(
      Array.from({ length: PROCESSES }, () => cli(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '500ms', '--json', '--db', db])),
    );
    const failed = outs.filter((o) => o.code !== 0);
    const problems = failed.map((o) => `exit ${o.code}: ${lines(o.stderr)[0] ?? ''}`.slice(0, 160));
    const stored = storedRuns(db).filter((r) => r.status === 'completed').length;
    if (stored !== PROCESSES) problems.push(`${stored} of ${PROCESSES} runs stored`);
    record('concurrent first opens', `round ${round + 1}: ${PROCESSES} processes on a new database`, problems, { crashed: outs.some(crashed) });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 6. Containment, failed runs, the API's order of checks

async function containment(): Promise<void> {
  const db = join(dir, 'contain.db');
  const victim = join(dir, 'victim');
  const userFiles: Record<string, string> = {
    'report.txt': 'user data',
    '#tmp.user': 'user data',
    'storbench/datasets/hot.json': 'user marker look-alike',
    'storbench/user.txt': 'user data inside storbench/',
  };
  for (const [rel, text] of Object.entries(userFiles)) {
    mkdirSync(join(victim, rel, '..'), { recursive: true });
    writeFileSync(join(victim, rel), text);
  }
  const unchanged = () =>
    Object.entries(userFiles)
      .filter(([rel, text]) => !existsSync(join(victim, rel)) || readFileSync(join(victim, rel), 'utf8') !== text)
      .map(([rel]) => rel);
  for (const [name, url, args, exit] of [
    ['dataset with fanout=0', `file://${victim}?fanout=0`, ['--workload', 'get-small', '--objects', '20', '--dataset', 'hot', '--duration', '1s'], 0],
    [
      'dataset hot2 beside hot, fanout=0',
      `file://${victim}?fanout=0`,
      ['--workload', 'get-small', '--objects', '20', '--dataset', 'hot2', '--duration', '1s'],
      0,
    ],
    // the dataset's folder would be the user's file storbench/datasets/hot.json: the run fails, the file stays
    [
      'dataset hot.json where a user file is',
      `file://${victim}?fanout=0`,
      ['--workload', 'get-small', '--objects', '20', '--dataset', 'hot.json', '--duration', '1s'],
      1,
    ],
    ['direct=auto', `file://${victim}?direct=auto`, ['--workload', 'put-small', '--duration', '1s'], 0],
  ] as const) {
    const o = await cli(['run', '--target', url, ...args, '--db', db]);
    const problems: string[] = [];
    if (o.code !== exit) problems.push(`exit ${o.code} (expected ${exit}): ${lines(o.stderr)[0] ?? lines(o.stdout).at(-1) ?? ''}`);
    const touched = unchanged();
    if (touched.length) problems.push(`user files changed: ${touched.join(', ')}`);
    const strays = readdirSync(victim).filter((n) => !['report.txt', '#tmp.user', 'storbench'].includes(n));
    if (strays.length) problems.push(`left at the root: ${strays.join(', ')}`);
    record('containment', name, problems, { crashed: crashed(o) });
  }
  // direct=auto killed mid-run: anything left stays under storbench/
  const killedRoot = join(dir, 'direct-killed');
  mkdirSync(killedRoot);
  const child = spawn(
    process.execPath,
    [bin, 'run', '--target', `file://${killedRoot}?direct=auto`, '--workload', 'put-small', '--duration', '20s', '--db', db],
    { stdio: 'ignore' },
  );
  children.add(child);
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000 && countFiles(killedRoot) === 0) await sleep(50);
  await sleep(500);
  child.kill('SIGKILL');
  await exited(child);
  const strays = readdirSync(killedRoot).filter((n) => n !== 'storbench');
  record('containment', 'direct=auto killed: nothing outside storbench/', strays.length ? [`left at the root: ${strays.join(', ')}`] : []);

  // every operation fails: a storbench/ symlink escaping the root
  const trap = join(dir, 'trap');
  mkdirSync(join(dir, 'elsewhere'), { recursive: true });
  mkdirSync(trap);
  symlinkSync(join(dir, 'elsewhere'), join(trap, 'storbench'));
  const all = await cli(['run', '--target', `file://${trap}`, '--workload', 'put-small', '--duration', '1s', '--json', '--db', db]);
  const status = (JSON.parse(all.stdout || '{}') as { status?: string }).status;
  const problems: string[] = [];
  if (all.code === 0) problems.push('exit 0');
  if (status === 'completed') problems.push('status completed');
  if (readdirSync(join(dir, 'elsewhere')).length) problems.push('wrote through the symlink');
  record('containment', 'every operation failed: not completed, non-zero exit', problems, { crashed: crashed(all) });
}

async function api(): Promise<void> {
  const db = join(dir, 'api.db');
  await cli(['run', '--target', 'null://', '--workload', 'put-small', '--duration', '300ms', '--db', db]);
  const token = 'reliability-token-fedcba9876543210';
  for (const withToken of [true, false]) {
    const port = 27_800 + Math.floor(Math.random() * 150) + (withToken ? 0 : 150);
    const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', db], {
      env: { ...process.env, STORBENCH_TOKEN: withToken ? token : '' },
      stdio: 'ignore',
    });
    children.add(server);
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`${base}/api/runs`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await sleep(200);
      }
      const expected = withToken ? 401 : 403;
      const requests: [string, string, unknown?][] = [
        ['POST', '/api/schedules', { id: '../x', cron: 'not cron', targets: [], workloads: [] }],
        ['POST', '/api/schedules', 'text body'],
        ['DELETE', '/api/runs/..%2f..'],
        ['DELETE', '/api/runs/nosuch?force=1'],
        ['POST', '/api/schedules/..%2fx/disable'],
      ];
      for (const [method, path, body] of requests) {
        const r = await fetch(`${base}${path}`, {
          method,
          ...(body === undefined
            ? {}
            : {
                body: typeof body === 'string' ? body : JSON.stringify(body),
                headers: { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' },
              }),
        });
        record(
          'api',
          `${withToken ? 'token' : 'no-token'} server: unauthenticated ${method} ${path} → ${expected}`,
          r.status === expected ? [] : [`HTTP ${r.status}`],
        );
      }
      if (withToken) {
        const t0 = Date.now();
        const r = await fetch(`${base}/api/schedules`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'zero', cron: '0 2 * * *', targets: [{ url: 'null://' }], workloads: ['/dev/zero'] }),
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        const ms = Date.now() - t0;
        const alive = await fetch(`${base}/api/runs`, { signal: AbortSignal.timeout(5000) }).then(
          (x) => x.ok,
          () => false,
        );
        const problems: string[] = [];
        if (r?.status !== 400) problems.push(r ? `HTTP ${r.status}` : 'no answer in 10 s');
        if (ms > 2000) problems.push(`answered in ${ms} ms`);
        if (!alive) problems.push('the server stopped answering');
        record('api', 'a schedule naming /dev/zero as a workload is refused at once, the server keeps answering', problems, { crashed: !alive });
      }
    } finally {
      server.kill('SIGTERM');
      await exited(server);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = Date.now();
  const load0 = loadavg()[0]!;
  console.log(
    `bench:reliability in ${dir} (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  for (const [name, fn] of [
    ['bad input', badInput],
    ['hangs', hangs],
    ['secrets', secrets],
    ['kills', kills],
    ['concurrent first opens', concurrentOpens],
    ['containment', containment],
    ['api', api],
  ] as const) {
    if (ONLY && !ONLY.includes(name)) continue;
    const before = cases.length;
    try {
      await fn();
    } catch (e) {
      record(name, 'the category ran to its end', [`bench error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`]);
    }
    const mine = cases.slice(before);
    console.log(`  ${name.padEnd(24)} ${String(mine.filter((c) => c.ok).length).padStart(3)}/${String(mine.length).padEnd(3)} passed`);
  }
  const failed = cases.filter((c) => !c.ok);
  console.log('');
  console.log(`${'category'.padEnd(24)} ${'cases'.padStart(5)} ${'passed'.padStart(6)} ${'leaked'.padStart(6)} ${'crashed'.padStart(7)} ${'lost'.padStart(4)}`);
  for (const category of [...new Set(cases.map((c) => c.category))]) {
    const cs = cases.filter((c) => c.category === category);
    console.log(
      `${category.padEnd(24)} ${String(cs.length).padStart(5)} ${String(cs.filter((c) => c.ok).length).padStart(6)} ` +
        `${String(cs.reduce((n, c) => n + (c.leaked ?? 0), 0)).padStart(6)} ${String(cs.filter((c) => c.crashed).length).padStart(7)} ${String(cs.filter((c) => c.lost).length).padStart(4)}`,
    );
  }
  if (failed.length) {
    console.log('\nfailed:');
    for (const c of failed) console.log(`  [${c.category}] ${c.name}: ${c.detail}`);
  }
  const summary = {
    bench: 'reliability',
    cases: cases.length,
    passed: cases.length - failed.length,
    leaked: cases.reduce((n, c) => n + (c.leaked ?? 0), 0),
    crashed: cases.filter((c) => c.crashed).length,
    lost: cases.filter((c) => c.lost).length,
    seconds: Math.round((Date.now() - t0) / 1000),
    loadAverageAtStart: Number(load0.toFixed(2)),
    loadAverageAtEnd: Number(loadavg()[0]!.toFixed(2)),
  };
  console.log(`\n${JSON.stringify(summary)}`);
  process.exitCode = failed.length || cases.length === 0 ? 1 : 0;
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGKILL');
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
}
