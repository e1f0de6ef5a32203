/**
 * `npm run bench:posix`: storbench's file:// driver against fio doing the same work on the same tmpfs
 * directory (issue 6, section 4). Large sequential writes and reads (1 MiB blocks, 256 MiB per worker,
 * a file per worker) and small files (4 KiB each). storbench runs through its CLI (`run --json`), fio
 * through its JSON output; both with the same number of workers. storbench runs twice per workload: with
 * its default engine (`io=async`: one event loop, every call a round trip through libuv's threadpool) and
 * with `io=sync` (blocking calls, one thread per worker: the model of fio's psync engine used here).
 * Prints MiB/s and ops/s for all with the ratios storbench / fio, and ends with one JSON line of those figures.
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

interface Figures {
  readonly mibPerSec: number;
  readonly opsPerSec: number;
}

/** One storbench run through the CLI; the figures of its one result line. */
function storbench(args: string[], db: string): Figures & { runId: string } {
  const argv = ['bin/storbench.cjs', 'run', ...args, '--json', '--db', db];
  const r = spawnSync(process.execPath, argv, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`storbench ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const doc = JSON.parse(r.stdout) as {
    runId: string;
    status: string;
    results: { op: string; count: number; errors: number; opsPerSec: number; mibPerSec: number }[];
  };
  if (doc.status !== 'completed') fail(`storbench ${args.join(' ')}: status ${doc.status}`);
  // The measured operation is the one with the most operations (a get run may also report its prepare writes apart).
  const main = doc.results.filter((x) => x.errors === 0 || x.count > 0).sort((a, b) => b.count - a.count)[0];
  if (!main) fail(`storbench ${args.join(' ')}: no results`);
  if (doc.results.some((x) => x.errors > 0)) fail(`storbench ${args.join(' ')}: errors ${JSON.stringify(doc.results)}`);
  return { runId: doc.runId, mibPerSec: main.mibPerSec, opsPerSec: main.opsPerSec };
}

/** One fio job (group reporting) with JSON output; bandwidth and IOPS of its read or write side. */
function fio(args: string[], side: 'read' | 'write'): Figures {
  const r = spawnSync('fio', ['--output-format=json', '--group_reporting', '--ioengine=psync', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`fio ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: Record<'read' | 'write', { bw_bytes: number; iops: number }>[] };
  const job = json.jobs[0]![side];
  return { mibPerSec: job.bw_bytes / 1048576, opsPerSec: job.iops };
}

const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;
const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const fioVersion = ensureFio();
const dir = benchDir();
// removed however the script ends (fail() exits at once)
if (!process.env.POSIX_BENCH_DIR) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const sbDir = join(dir, 'storbench');
const fioDir = join(dir, 'fio');
mkdirSync(fioDir, { recursive: true });
const db = join(dir, 'results.db');
const ENGINES = ['async', 'sync'] as const;
type Engine = (typeof ENGINES)[number];
const targetOf = (io: Engine): string => `file://${sbDir}?io=${io}`;
const perWorker = `${MIB_PER_WORKER}MiB`;
console.log(
  `bench:posix on ${dir} (tmpfs): ${WORKERS} workers, ${MIB_PER_WORKER} MiB per worker in 1 MiB blocks, 4 KiB small files; ${fioVersion}, node ${process.version}`,
);
// Other work on the host changes both tools' figures; the load is printed so readers can judge a run.
const loadBefore = loadavg()[0]!;
console.log(`host: ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} at start`);

// Each figure is the median of ROUNDS short runs, the two tools taking turns within each round, so that
// both see the same machine while other load comes and goes. Every sample is printed as well.
const large = [`--directory=${fioDir}`, `--numjobs=${WORKERS}`, `--size=${MIB_PER_WORKER}m`, '--bs=1m', '--fallocate=none'];
const samples = {
  sbPutLarge: [] as number[],
  sbSyncPutLarge: [] as number[],
  fioPutLarge: [] as number[],
  sbGetLarge: [] as number[],
  sbSyncGetLarge: [] as number[],
  fioGetLarge: [] as number[],
  sbPutSmall: [] as number[],
  sbSyncPutSmall: [] as number[],
  fioPutSmall: [] as number[],
};
const key = (io: Engine, name: 'PutLarge' | 'GetLarge' | 'PutSmall') => (io === 'sync' ? `sbSync${name}` : `sb${name}`) as keyof typeof samples;
const runIds: string[] = [];
let filesPerJob = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const io of ENGINES) {
    // Large sequential: one 256 MiB file per worker, written (then read) in 1 MiB blocks.
    const putLarge = storbench(
      ['--target', targetOf(io), '--workload', 'put-large', '--concurrency', String(WORKERS), '--size', perWorker, '--ops', String(WORKERS)],
      db,
    );
    empty(sbDir);
    const getLarge = storbench(
      [
        '--target',
        targetOf(io),
        '--workload',
        'get-large',
        '--concurrency',
        String(WORKERS),
        '--size',
        perWorker,
        '--objects',
        String(WORKERS),
        '--ops',
        String(WORKERS),
      ],
      db,
    );
    empty(sbDir);
    // Small files: 4 KiB each, created, written and closed.
    // (--no-cleanup: the files are removed below in one sweep, not through the driver one by one)
    const putSmall = storbench(
      [
        '--target',
        targetOf(io),
        '--workload',
        'put-small',
        '--concurrency',
        String(WORKERS),
        '--size',
        '4KiB',
        '--duration',
        `${SMALL_SECONDS}s`,
        '--no-cleanup',
      ],
      db,
    );
    empty(sbDir);
    samples[key(io, 'PutLarge')].push(putLarge.mibPerSec);
    samples[key(io, 'GetLarge')].push(getLarge.mibPerSec);
    samples[key(io, 'PutSmall')].push(putSmall.opsPerSec);
    runIds.push(putLarge.runId, getLarge.runId, putSmall.runId);
  }
  samples.fioPutLarge.push(fio(['--name=put-large', '--rw=write', ...large], 'write').mibPerSec);
  samples.fioGetLarge.push(fio(['--name=put-large', '--rw=read', ...large], 'read').mibPerSec); // the files just written
  empty(fioDir);
  // fio makes about as many 4 KiB files per job as the faster storbench engine did
  filesPerJob ||= Math.max(1000, Math.round((Math.max(...samples.sbPutSmall, ...samples.sbSyncPutSmall) * SMALL_SECONDS) / WORKERS));
  samples.fioPutSmall.push(
    fio(
      [
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
      ],
      'write',
    ).opsPerSec,
  );
  empty(fioDir);
}
// The default engine at 32 operations in flight: Node does file I/O as threadpool round trips, so at 4 in
// flight it is bound by their latency where fio's 4 processes make the system calls directly.
const sbPutSmall32 = storbench(
  ['--target', targetOf('async'), '--workload', 'put-small', '--concurrency', '32', '--size', '4KiB', '--duration', `${SMALL_SECONDS}s`, '--no-cleanup'],
  db,
);
empty(sbDir);
runIds.push(sbPutSmall32.runId);

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number>;
const rows = [
  {
    name: 'put-large',
    unit: 'MiB/s',
    sb: m.sbPutLarge,
    sync: m.sbSyncPutLarge,
    fio: m.fioPutLarge,
    all: [samples.sbPutLarge, samples.sbSyncPutLarge, samples.fioPutLarge],
  },
  {
    name: 'get-large',
    unit: 'MiB/s',
    sb: m.sbGetLarge,
    sync: m.sbSyncGetLarge,
    fio: m.fioGetLarge,
    all: [samples.sbGetLarge, samples.sbSyncGetLarge, samples.fioGetLarge],
  },
  {
    name: 'put-small',
    unit: 'files/s',
    sb: m.sbPutSmall,
    sync: m.sbSyncPutSmall,
    fio: m.fioPutSmall,
    all: [samples.sbPutSmall, samples.sbSyncPutSmall, samples.fioPutSmall],
  },
];
const list = (v: number[]): string => v.map((x) => round(x).toFixed(0)).join(' ');
const num = (x: number, w: number, d = 1) => round(x, d).toFixed(d).padStart(w);
console.log('');
console.log(
  `${'workload'.padEnd(10)} ${'unit'.padEnd(8)} ${'io=async'.padStart(10)} ${'io=sync'.padStart(10)} ${'fio'.padStart(10)} ` +
    `${'async/fio'.padStart(9)} ${'sync/fio'.padStart(9)}   samples (io=async | io=sync | fio)`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(10)} ${r.unit.padEnd(8)} ${num(r.sb, 10)} ${num(r.sync, 10)} ${num(r.fio, 10)} ` +
      `${num(r.sb / r.fio, 9, 2)} ${num(r.sync / r.fio, 9, 2)}   ${r.all.map(list).join(' | ')}`,
  );
}
console.log(
  `put-small with 32 in flight: storbench ${round(sbPutSmall32.opsPerSec).toFixed(1)} files/s (${round(sbPutSmall32.opsPerSec / m.fioPutSmall, 2).toFixed(2)} of fio at 4 jobs)`,
);
console.log(`(medians of ${ROUNDS} rounds; ratio = storbench / fio; target >= 0.9 for the large sequential rows. io=async is storbench's`);
console.log(' default engine (one event loop, libuv threadpool); io=sync makes blocking calls on one thread per worker, as fio psync does.');
console.log(' storbench put-small also renames each file into place and fans keys out into hash-bucket directories; fio writes one flat directory.)');
const pair = (sb: number, f: number, unit: 'MiBps' | 'OpsPerSec') => ({ [`storbench${unit}`]: round(sb), [`fio${unit}`]: round(f), ratio: round(sb / f, 3) });
console.log(
  JSON.stringify({
    bench: 'posix',
    dir,
    workers: WORKERS,
    mibPerWorker: MIB_PER_WORKER,
    blockSize: '1MiB',
    smallFile: '4KiB',
    rounds: ROUNDS,
    fio: fioVersion,
    putLarge: pair(m.sbPutLarge, m.fioPutLarge, 'MiBps'),
    getLarge: pair(m.sbGetLarge, m.fioGetLarge, 'MiBps'),
    putSmall: pair(m.sbPutSmall, m.fioPutSmall, 'OpsPerSec'),
    ioSync: {
      putLarge: pair(m.sbSyncPutLarge, m.fioPutLarge, 'MiBps'),
      getLarge: pair(m.sbSyncGetLarge, m.fioGetLarge, 'MiBps'),
      putSmall: pair(m.sbSyncPutSmall, m.fioPutSmall, 'OpsPerSec'),
    },
    putSmall32InFlight: { storbenchOpsPerSec: round(sbPutSmall32.opsPerSec), ratioToFio: round(sbPutSmall32.opsPerSec / m.fioPutSmall, 3) },
    runIds,
    cpus: cpus().length,
    loadAvgStart: round(loadBefore, 2),
    loadAvgEnd: round(loadavg()[0]!, 2),
  }),
);
