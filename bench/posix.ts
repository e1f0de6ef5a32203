/**
 * `npm run bench:posix`: storbench's file:// driver against fio doing the same work on the same tmpfs
 * directory (issue 6, section 4). Large sequential writes and reads (1 MiB blocks, 256 MiB per worker,
 * a file per worker) and small files (4 KiB each). storbench runs through its CLI (`run --json`), fio
 * through its JSON output; both with the same number of workers. Prints MiB/s and ops/s for both with
 * the ratio storbench / fio, and ends with one JSON line of those figures.
 *
 * Env: POSIX_BENCH_WORKERS (4), POSIX_BENCH_MIB_PER_WORKER (256), POSIX_BENCH_SMALL_SECONDS (10),
 *      POSIX_BENCH_DIR (a fresh directory under /dev/shm).
 * Installs fio with apt-get when it is missing (Debian).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

const WORKERS = Number(process.env.POSIX_BENCH_WORKERS ?? 4);
const MIB_PER_WORKER = Number(process.env.POSIX_BENCH_MIB_PER_WORKER ?? 256);
const SMALL_SECONDS = Number(process.env.POSIX_BENCH_SMALL_SECONDS ?? 10);
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

interface Figures { readonly mibPerSec: number; readonly opsPerSec: number }

/** One storbench run through the CLI; the figures of its one result line. */
function storbench(args: string[], db: string): Figures & { runId: string } {
  const argv = ['bin/storbench.cjs', 'run', ...args, '--json', '--db', db];
  const r = spawnSync(process.execPath, argv, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`storbench ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const doc = JSON.parse(r.stdout) as {
    runId: string; status: string;
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

const fioVersion = ensureFio();
const dir = benchDir();
const sbDir = join(dir, 'storbench');
const fioDir = join(dir, 'fio');
mkdirSync(fioDir, { recursive: true });
const db = join(dir, 'results.db');
const target = `file://${sbDir}`;
const perWorker = `${MIB_PER_WORKER}MiB`;
console.log(`bench:posix on ${dir} (tmpfs): ${WORKERS} workers, ${MIB_PER_WORKER} MiB per worker in 1 MiB blocks, 4 KiB small files; ${fioVersion}, node ${process.version}`);

try {
  // Large sequential: one 256 MiB file per worker, written (then read) in 1 MiB blocks.
  const sbPutLarge = storbench(['--target', target, '--workload', 'put-large', '--concurrency', String(WORKERS),
    '--size', perWorker, '--ops', String(WORKERS)], db);
  empty(sbDir);
  const sbGetLarge = storbench(['--target', target, '--workload', 'get-large', '--concurrency', String(WORKERS),
    '--size', perWorker, '--objects', String(WORKERS), '--ops', String(WORKERS)], db);
  empty(sbDir);
  const large = [`--directory=${fioDir}`, `--numjobs=${WORKERS}`, `--size=${MIB_PER_WORKER}m`, '--bs=1m', '--fallocate=none'];
  const fioPutLarge = fio(['--name=put-large', '--rw=write', ...large], 'write');
  const fioGetLarge = fio(['--name=put-large', '--rw=read', ...large], 'read'); // reads the files the write job left
  empty(fioDir);

  // Small files: 4 KiB each, created, written and closed; storbench for SMALL_SECONDS, fio for about as many files.
  const sbPutSmall = storbench(['--target', target, '--workload', 'put-small', '--concurrency', String(WORKERS),
    '--size', '4KiB', '--duration', `${SMALL_SECONDS}s`], db);
  empty(sbDir);
  const filesPerJob = Math.max(1000, Math.round((sbPutSmall.opsPerSec * SMALL_SECONDS) / WORKERS));
  const fioPutSmall = fio(['--name=put-small', '--rw=write', `--directory=${fioDir}`, `--numjobs=${WORKERS}`,
    `--nrfiles=${filesPerJob}`, '--filesize=4k', '--bs=4k', '--openfiles=1', '--file_service_type=sequential',
    '--create_on_open=1', '--fallocate=none'], 'write');
  empty(fioDir);

  const rows = [
    { name: 'put-large', unit: 'MiB/s', sb: sbPutLarge.mibPerSec, fio: fioPutLarge.mibPerSec },
    { name: 'get-large', unit: 'MiB/s', sb: sbGetLarge.mibPerSec, fio: fioGetLarge.mibPerSec },
    { name: 'put-small', unit: 'files/s', sb: sbPutSmall.opsPerSec, fio: fioPutSmall.opsPerSec },
  ];
  console.log('');
  console.log(`${'workload'.padEnd(10)} ${'unit'.padEnd(8)} ${'storbench'.padStart(10)} ${'fio'.padStart(10)} ${'ratio'.padStart(6)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(10)} ${r.unit.padEnd(8)} ${round(r.sb).toFixed(1).padStart(10)} ${round(r.fio).toFixed(1).padStart(10)} ${round(r.sb / r.fio, 2).toFixed(2).padStart(6)}`);
  }
  console.log('(ratio = storbench / fio; target >= 0.9 for the large sequential rows. storbench put-small also renames each');
  console.log(' file into place and fans keys out into hash-bucket directories; fio writes one flat directory per job.)');
  console.log(JSON.stringify({
    bench: 'posix', dir, workers: WORKERS, mibPerWorker: MIB_PER_WORKER, blockSize: '1MiB', smallFile: '4KiB', fio: fioVersion,
    putLarge: { storbenchMiBps: round(sbPutLarge.mibPerSec), fioMiBps: round(fioPutLarge.mibPerSec), ratio: round(sbPutLarge.mibPerSec / fioPutLarge.mibPerSec, 3) },
    getLarge: { storbenchMiBps: round(sbGetLarge.mibPerSec), fioMiBps: round(fioGetLarge.mibPerSec), ratio: round(sbGetLarge.mibPerSec / fioGetLarge.mibPerSec, 3) },
    putSmall: { storbenchOpsPerSec: round(sbPutSmall.opsPerSec), fioOpsPerSec: round(fioPutSmall.opsPerSec), ratio: round(sbPutSmall.opsPerSec / fioPutSmall.opsPerSec, 3) },
    runIds: [sbPutLarge.runId, sbGetLarge.runId, sbPutSmall.runId],
  }));
} finally {
  if (!process.env.POSIX_BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}
