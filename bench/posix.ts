/**
 * `npm run bench:posix`: storbench's file:// driver against fio doing the same work on the same tmpfs
 * directory (issues 6 and 15). Large sequential writes and reads (1 MiB blocks, 256 MiB per worker, a file per
 * worker) and small files (4 KiB each, created, written and closed). storbench runs through its CLI
 * (`run --json`), fio through its JSON output (psync engine); both with the same number of workers.
 *
 * storbench runs in several modes per workload: its DEFAULT (no option: `io=auto`, the profile's write mode),
 * `io=sync` (blocking calls, one thread per worker: fio psync's model), `io=async` (node:fs/promises, one event
 * loop over libuv's threadpool) and, for small files, `writeMode=in-place` (the default engine creating each file
 * at its final name: mdtest's and fio's create-write-close, where the default `atomic` also renames a temporary
 * file into place). Each round runs every mode and fio, in ABBA order (fio first in even rounds, last in odd ones),
 * and prints the load average; figures are medians over the rounds.
 *
 * Printed per workload and mode: MiB/s or files/s, the ratio to fio, and client CPU in µs per MiB (large files)
 * or per file (small ones) (storbench: the run's `clientCpu`, this process's CPU over the measured window; fio: its usr_cpu + sys_cpu
 * percentages of its jobs' runtime). Ends with ONE JSON line of all of it and whether each goal of issue 15 is
 * met with no engine option: put-large and get-large >= 0.9x fio (the default), put-small >= 0.5x fio's create rate
 * for the same operations (`writeMode=in-place`, the default engine; the default `atomic` row is printed beside it).
 *
 * Env: POSIX_BENCH_WORKERS (4), POSIX_BENCH_MIB_PER_WORKER (256), POSIX_BENCH_SMALL_SECONDS (5), POSIX_BENCH_ROUNDS (5),
 *      POSIX_BENCH_DIR (a fresh directory under /dev/shm).
 * Installs fio with apt-get when it is missing (Debian).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const WORKERS = Number(process.env.POSIX_BENCH_WORKERS ?? 4);
const MIB_PER_WORKER = Number(process.env.POSIX_BENCH_MIB_PER_WORKER ?? 256);
const SMALL_SECONDS = Number(process.env.POSIX_BENCH_SMALL_SECONDS ?? 5);
const ROUNDS = Number(process.env.POSIX_BENCH_ROUNDS ?? 5);
const TMPFS_MAGIC = 0x01021994;
/** Issue 15's goals for storbench's default, as ratios to fio. */
const GOALS = { putLarge: 0.9, getLarge: 0.9, putSmall: 0.5 } as const;
const repo = join(import.meta.dirname, '..');

function fail(message: string): never {
  console.error(`bench:posix: ${message}`);
  process.exit(1);
}

function ensureFio(): string {
  const found = spawnSync('fio', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  console.log('fio is missing: installing it (apt-get install fio)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean =>
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', 'fio'], { stdio: 'inherit', env }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-qq'], { stdio: 'inherit', env });
    if (!install()) fail('could not install fio with apt-get');
  }
  return execFileSync('fio', ['--version'], { encoding: 'utf8' }).trim();
}

/** A fresh directory on tmpfs: what both tools write to. */
function benchDir(): string {
  const dir = process.env.POSIX_BENCH_DIR ?? mkdtempSync('/dev/shm/storbench-bench-posix-');
  mkdirSync(dir, { recursive: true });
  if (statfsSync(dir).type !== TMPFS_MAGIC) fail(`${dir} is not on tmpfs`);
  return dir;
}

function empty(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * One measurement: the rate (MiB/s for large files, files/s for small ones) and client CPU in µs per unit of
 * that rate (per MiB for large files, per file for small ones), so storbench's and fio's CPU compare.
 */
interface Sample {
  readonly rate: number;
  readonly cpuUs: number;
}

/** One storbench run through the CLI: the figures of its measured operation and what the run recorded. */
function storbench(args: string[], db: string, unit: Unit): Sample & { runId: string; engine: string; writeMode: string } {
  const argv = ['bin/storbench.cjs', 'run', ...args, '--json', '--db', db];
  const r = spawnSync(process.execPath, argv, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`storbench ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const doc = JSON.parse(r.stdout) as {
    runId: string;
    status: string;
    results: { op: string; count: number; errors: number; opsPerSec: number; mibPerSec: number }[];
    clientCpu?: { usPerOp: number; cores: number };
  };
  if (doc.status !== 'completed') fail(`storbench ${args.join(' ')}: status ${doc.status}`);
  // The measured operation is the one with the most operations (a get run may also report its prepare writes apart).
  const main = doc.results.filter((x) => x.errors === 0 || x.count > 0).sort((a, b) => b.count - a.count)[0];
  if (!main) fail(`storbench ${args.join(' ')}: no results`);
  if (doc.results.some((x) => x.errors > 0)) fail(`storbench ${args.join(' ')}: errors ${JSON.stringify(doc.results)}`);
  // which engine and write mode ran, as the run recorded them
  const shown = spawnSync(process.execPath, ['bin/storbench.cjs', 'show', doc.runId, '--json', '--db', db], { cwd: repo, encoding: 'utf8' });
  const run = JSON.parse(shown.stdout || '{}') as { environment?: Record<string, unknown>; semantics?: Record<string, unknown> };
  return {
    runId: doc.runId,
    rate: unit === 'MiB/s' ? main.mibPerSec : main.opsPerSec,
    // one operation is one file: MIB_PER_WORKER MiB for large files
    cpuUs: (doc.clientCpu?.usPerOp ?? Number.NaN) / (unit === 'MiB/s' ? MIB_PER_WORKER : 1),
    engine: String(run.environment?.ioEngine ?? '?'),
    writeMode: String(run.semantics?.writeMode ?? '?'),
  };
}

/**
 * One fio job (group reporting) with JSON output: bandwidth or IOPS of its read or write side, and its CPU per
 * I/O (one 1 MiB block of a large file, one small file): usr_cpu + sys_cpu are percentages of the jobs' runtime
 * (job_runtime, ms, summed over the jobs).
 */
function fio(args: string[], side: 'read' | 'write', unit: Unit): Sample {
  const r = spawnSync('fio', ['--output-format=json', '--group_reporting', '--ioengine=psync', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`fio ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  type Side = { bw_bytes: number; iops: number; total_ios: number };
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    jobs: ({ usr_cpu: number; sys_cpu: number; job_runtime: number } & Record<'read' | 'write', Side>)[];
  };
  const job = json.jobs[0]!;
  const io = job[side];
  const cpuUs = ((job.usr_cpu + job.sys_cpu) / 100) * job.job_runtime * 1000;
  return { rate: unit === 'MiB/s' ? io.bw_bytes / 1048576 : io.iops, cpuUs: io.total_ios > 0 ? cpuUs / io.total_ios : Number.NaN };
}

const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;
const median = (v: readonly number[]): number => {
  const s = [...v].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

type Unit = 'MiB/s' | 'files/s';
type WorkloadName = 'putLarge' | 'getLarge' | 'putSmall';
/** storbench's modes: the target options each adds to the plain URL. */
const MODES = {
  default: '',
  'io=sync': '?io=sync',
  'io=async': '?io=async',
  'writeMode=in-place': '?writeMode=in-place',
} as const;
type Mode = keyof typeof MODES;
const WORKLOADS: Record<WorkloadName, { readonly label: string; readonly unit: Unit; readonly modes: readonly Mode[] }> = {
  putLarge: { label: 'put-large', unit: 'MiB/s', modes: ['default', 'io=sync', 'io=async'] },
  getLarge: { label: 'get-large', unit: 'MiB/s', modes: ['default', 'io=sync', 'io=async'] },
  putSmall: { label: 'put-small', unit: 'files/s', modes: ['default', 'io=sync', 'io=async', 'writeMode=in-place'] },
};

const fioVersion = ensureFio();
const dir = benchDir();
// removed however the script ends (fail() exits at once)
if (!process.env.POSIX_BENCH_DIR) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const sbDir = join(dir, 'storbench');
const fioDir = join(dir, 'fio');
mkdirSync(fioDir, { recursive: true });
const db = join(dir, 'results.db');
const targetOf = (mode: Mode): string => `file://${sbDir}${MODES[mode]}`;
const perWorker = `${MIB_PER_WORKER}MiB`;
console.log(
  `bench:posix on ${dir} (tmpfs): ${WORKERS} workers, ${MIB_PER_WORKER} MiB per worker in 1 MiB blocks, 4 KiB small files; ${fioVersion}, node ${process.version}`,
);
// Other work on the host changes both tools' figures; the load is printed so readers can judge a run.
const loadBefore = loadavg()[0]!;
console.log(`host: ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} at start`);

const common = ['--concurrency', String(WORKERS)];
/** storbench's arguments per workload (large: one file per worker, written then read in 1 MiB blocks). */
const sbArgs: Record<WorkloadName, string[]> = {
  putLarge: ['--workload', 'put-large', ...common, '--size', perWorker, '--ops', String(WORKERS)],
  getLarge: ['--workload', 'get-large', ...common, '--size', perWorker, '--objects', String(WORKERS), '--ops', String(WORKERS)],
  // --warmup 1s: each worker thread is a V8 isolate whose JIT warms up on its own (fio is compiled code);
  // --no-cleanup: the files are removed below in one sweep, not through the driver one by one
  putSmall: ['--workload', 'put-small', ...common, '--size', '4KiB', '--warmup', '1s', '--duration', `${SMALL_SECONDS}s`, '--no-cleanup'],
};
const large = [`--directory=${fioDir}`, `--numjobs=${WORKERS}`, `--size=${MIB_PER_WORKER}m`, '--bs=1m', '--fallocate=none'];
// fio makes about as many 4 KiB files per job as storbench's fastest mode did in round 0 (fio runs last there)
let filesPerJob = 0;
const fioSmall = (): string[] => [
  '--name=put-small',
  '--rw=write',
  `--directory=${fioDir}`,
  `--numjobs=${WORKERS}`,
  `--nrfiles=${filesPerJob}`,
  '--filesize=4k',
  '--bs=4k',
  '--openfiles=1',
  '--file_service_type=sequential',
  '--create_on_open=1',
  '--fallocate=none',
  // fio keeps each file's entry in its shared-memory pools (16 MiB by default, out of room past ~50,000 files
  // in all): about 1 KiB per file, in KiB
  `--alloc-size=${Math.max(16384, filesPerJob * WORKERS)}`,
];

type Samples = Record<WorkloadName, Record<Mode | 'fio', Sample[]>>;
const samples = Object.fromEntries(
  (Object.keys(WORKLOADS) as WorkloadName[]).map((w) => [w, Object.fromEntries([...WORKLOADS[w].modes, 'fio'].map((m) => [m, [] as Sample[]]))]),
) as Samples;
const recorded = new Map<Mode, { engine: string; writeMode: string }>();
const runIds: string[] = [];
const loads: number[] = [];

/** storbench's three workloads in one mode (large write, large read of fresh files, small files). */
function storbenchRound(mode: Mode): void {
  for (const w of Object.keys(WORKLOADS) as WorkloadName[]) {
    if (!WORKLOADS[w].modes.includes(mode)) continue;
    const s = storbench(['--target', targetOf(mode), ...sbArgs[w]], db, WORKLOADS[w].unit);
    empty(sbDir);
    samples[w][mode].push(s);
    runIds.push(s.runId);
    if (w === 'putSmall' || !recorded.has(mode)) recorded.set(mode, { engine: s.engine, writeMode: s.writeMode });
  }
}

function fioRound(): void {
  samples.putLarge.fio.push(fio(['--name=put-large', '--rw=write', ...large], 'write', 'MiB/s'));
  samples.getLarge.fio.push(fio(['--name=put-large', '--rw=read', ...large], 'read', 'MiB/s')); // the files just written
  empty(fioDir);
  filesPerJob ||= Math.max(1000, Math.round((Math.max(...Object.values(samples.putSmall).flatMap((v) => v.map((x) => x.rate))) * SMALL_SECONDS) / WORKERS));
  samples.putSmall.fio.push(fio(fioSmall(), 'write', 'files/s'));
  empty(fioDir);
}

const allModes = Object.keys(MODES) as Mode[];
for (let r = 0; r < ROUNDS; r++) {
  // ABBA: fio last in even rounds (round 0 sizes fio's small-file job from storbench's rates), first in odd ones
  const order: (Mode | 'fio')[] = r % 2 === 0 ? [...allModes, 'fio'] : ['fio', ...[...allModes].reverse()];
  const load = loadavg()[0]!;
  loads.push(round(load, 2));
  for (const step of order) {
    if (step === 'fio') fioRound();
    else storbenchRound(step);
  }
  const line = (Object.keys(WORKLOADS) as WorkloadName[])
    .map((w) => `${WORKLOADS[w].label} ${[...WORKLOADS[w].modes, 'fio' as const].map((m) => round(samples[w][m][r]!.rate).toFixed(0)).join('/')}`)
    .join('  ');
  console.log(`round ${r + 1}/${ROUNDS} (${order.join(', ')}): load average ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; ${line}`);
}

const med = (list: Sample[]) => ({ rate: median(list.map((s) => s.rate)), cpuUs: median(list.map((s) => s.cpuUs)) });
/** The JSON name of a CPU figure: per MiB for large files, per file for small ones. */
const cpuKey = (unit: Unit) => (unit === 'MiB/s' ? 'cpuUsPerMiB' : 'cpuUsPerFile');
const num = (x: number, w: number, d = 1) => (Number.isNaN(x) ? '-' : round(x, d).toFixed(d)).padStart(w);
console.log('');
console.log(
  `${'workload'.padEnd(10)} ${'mode'.padEnd(20)} ${'engine'.padEnd(6)} ${'write'.padEnd(8)} ${'rate'.padStart(10)} ${'unit'.padEnd(7)} ${'x fio'.padStart(6)} ${'CPU µs/unit'.padStart(11)}   samples`,
);
const summary: Record<string, unknown> = {};
for (const w of Object.keys(WORKLOADS) as WorkloadName[]) {
  const { label, unit, modes } = WORKLOADS[w];
  const f = med(samples[w].fio);
  const rows: Record<string, unknown> = { unit, fio: { rate: round(f.rate), [cpuKey(unit)]: round(f.cpuUs, 2) } };
  for (const m of [...modes, 'fio' as const]) {
    const s = med(samples[w][m]);
    const rec = m === 'fio' ? { engine: 'psync', writeMode: w === 'getLarge' ? '-' : 'in-place' } : recorded.get(m)!;
    const list = samples[w][m].map((x) => round(x.rate).toFixed(0)).join(' ');
    console.log(
      `${label.padEnd(10)} ${m.padEnd(20)} ${rec.engine.padEnd(6)} ${(w === 'getLarge' ? '-' : rec.writeMode).padEnd(8)} ${num(s.rate, 10)} ${unit.padEnd(7)} ` +
        `${num(s.rate / f.rate, 6, 2)} ${num(s.cpuUs, 11)}   ${list}`,
    );
    if (m !== 'fio')
      rows[m] = { rate: round(s.rate), ratio: round(s.rate / f.rate, 3), [cpuKey(unit)]: round(s.cpuUs, 1), engine: rec.engine, writeMode: rec.writeMode };
  }
  summary[w] = rows;
}
/**
 * The mode each goal is judged on: no engine option (the default engine) for all; for small files also the operations
 * fio does (create-write-close at the final name: `writeMode=in-place`), as issue 15 asks ("for the same operations").
 */
const GOAL_MODE: Record<WorkloadName, Mode> = { putLarge: 'default', getLarge: 'default', putSmall: 'writeMode=in-place' };
const ratioOf = (w: WorkloadName): number => med(samples[w][GOAL_MODE[w]]).rate / med(samples[w].fio).rate;
const goals = Object.fromEntries(
  (Object.keys(GOALS) as WorkloadName[]).map((w) => [w, { target: GOALS[w], mode: GOAL_MODE[w], ratio: round(ratioOf(w), 3), met: ratioOf(w) >= GOALS[w] }]),
);
console.log('');
console.log(
  `goals with no engine option: ${(Object.keys(GOALS) as WorkloadName[])
    .map(
      (w) => `${WORKLOADS[w].label} (${GOAL_MODE[w]}) ${round(ratioOf(w), 2).toFixed(2)}x fio (>= ${GOALS[w]}: ${ratioOf(w) >= GOALS[w] ? 'met' : 'NOT met'})`,
    )
    .join(', ')}`,
);
console.log(`(medians of ${ROUNDS} rounds; rate for large files in MiB/s, for small ones files/s; CPU µs per MiB for large files, per file`);
console.log(" for small ones: storbench's clientCpu over the measured window, fio usr+sys of its jobs. Per small file fio makes");
console.log(' open(O_CREAT) + pwrite + close at the final name, in one flat directory (plus two fadvise calls); storbench in-place');
console.log(' the same (open O_CREAT|O_TRUNC), atomic a temporary file and a rename,');
console.log(" and the first write into each hash bucket of a 1,000-key group one lstat and one mkdir. 'default' is what a user gets with no option.)");
console.log(
  JSON.stringify({
    bench: 'posix',
    dir,
    workers: WORKERS,
    mibPerWorker: MIB_PER_WORKER,
    blockSize: '1MiB',
    smallFile: '4KiB',
    smallSeconds: SMALL_SECONDS,
    rounds: ROUNDS,
    fio: fioVersion,
    ...summary,
    goals,
    allGoalsMet: Object.values(goals).every((g) => g.met),
    runIds,
    cpus: cpus().length,
    loadAvgPerRound: loads,
    loadAvgStart: round(loadBefore, 2),
    loadAvgEnd: round(loadavg()[0]!, 2),
  }),
);
