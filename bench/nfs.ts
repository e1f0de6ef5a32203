/**
 * `npm run bench:nfs`: nfs:// through NFS-Ganesha against file:// on the directory Ganesha exports, doing the
 * same work through the storbench CLI (`run --json`): put-large and get-large (large objects written and read
 * in 1 MiB blocks), put-small (4 KiB). What it shows: the cost of the NFS server and protocol on top of the
 * file system it serves, with the client page cache out of the picture on the NFS side.
 *
 * Starts the nfs service when it is not running (and stops it again); STORBENCH_BENCH_NFS=<url> with
 * STORBENCH_BENCH_NFS_DIR=<exported dir> uses a server you run. Knobs: BENCH_DURATION (10s), BENCH_LARGE_SIZE
 * (64MiB), BENCH_LARGE_CONCURRENCY (4), BENCH_SMALL_CONCURRENCY (32).
 * Prints a table with ratios nfs/file and ends with one JSON line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const state = process.env.STORBENCH_SERVICES_STATE ?? join(repo, '.services');
const duration = process.env.BENCH_DURATION ?? '10s';
const largeSize = process.env.BENCH_LARGE_SIZE ?? '64MiB';
const largeConcurrency = process.env.BENCH_LARGE_CONCURRENCY ?? '4';
const smallConcurrency = process.env.BENCH_SMALL_CONCURRENCY ?? '32';

interface OpResult {
  op: string;
  count: number;
  errors: number;
  opsPerSec: number;
  mibPerSec: number;
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number };
}
interface RunDocument {
  runId: string;
  status: string;
  target: string;
  workload: string;
  results: OpResult[];
}

function services(...args: string[]): string {
  return execFileSync('bash', [join(repo, 'scripts/services.sh'), ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The NFS server: one given in the environment, or the nfs service (started here when needed). */
function server(): { url: string; dir: string; startedHere: boolean } {
  const given = process.env.STORBENCH_BENCH_NFS;
  if (given) {
    const dir = process.env.STORBENCH_BENCH_NFS_DIR;
    if (!dir) throw new Error('STORBENCH_BENCH_NFS needs STORBENCH_BENCH_NFS_DIR, the directory the server exports');
    return { url: given, dir, startedHere: false };
  }
  const running = services('status', 'nfs').includes('running');
  const url = services('up', 'nfs').trim().split('\n').at(-1)!;
  return { url, dir: readFileSync(join(state, 'nfs', 'export-dir'), 'utf8').trim(), startedHere: !running };
}

/** Append a directory to a target URL's path, keeping its query. */
function below(url: string, sub: string): string {
  const q = url.indexOf('?');
  return q < 0 ? `${url.replace(/\/+$/, '')}/${sub}` : `${url.slice(0, q).replace(/\/+$/, '')}/${sub}${url.slice(q)}`;
}

function run(target: string, workload: string, flags: string[], db: string): RunDocument {
  const args = [join(repo, 'bin/storbench.cjs'), 'run', '--target', target, '--workload', workload, '--duration', duration, ...flags, '--json', '--db', db];
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`storbench ${args.slice(1).join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  const json = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (!json) throw new Error(`storbench run printed no JSON:\n${r.stdout}`);
  return JSON.parse(json) as RunDocument;
}

/** The result of the operation a workload is about (put-* → write, get-* → read). */
function main(doc: RunDocument): OpResult {
  const op = doc.workload.startsWith('get') ? 'read' : 'write';
  const r = doc.results.find((x) => x.op === op) ?? doc.results[0];
  if (!r) throw new Error(`run ${doc.runId} (${doc.workload} on ${doc.target}) has no results`);
  return r;
}

const workloads: { name: string; flags: string[] }[] = [
  { name: 'put-large', flags: ['--size', largeSize, '--concurrency', largeConcurrency] },
  { name: 'get-large', flags: ['--size', largeSize, '--concurrency', largeConcurrency] },
  { name: 'put-small', flags: ['--size', '4KiB', '--concurrency', smallConcurrency] },
];

const { url, dir, startedHere } = server();
const scratch = mkdtempSync(join(tmpdir(), 'storbench-bench-nfs-'));
const targets = { nfs: below(url, 'bench-nfs'), file: `file://${dir}/bench-file` };
const figures: Record<string, unknown>[] = [];
try {
  console.log(`nfs://  ${targets.nfs}  (NFS-Ganesha, NFSv3 from user space)`);
  console.log(`file:// ${targets.file}  (the exported directory itself)`);
  console.log(
    `duration ${duration}; large objects ${largeSize} streamed in 1 MiB blocks at concurrency ${largeConcurrency}; small 4 KiB at concurrency ${smallConcurrency}\n`,
  );
  const fmt = (n: number, d = 1): string => n.toFixed(d).padStart(10);
  console.log(
    `${'workload'.padEnd(10)} ${'target'.padEnd(6)} ${'ops/s'.padStart(10)} ${'MiB/s'.padStart(10)} ${'p50 ms'.padStart(10)} ${'p99 ms'.padStart(10)} ${'errors'.padStart(7)}`,
  );
  for (const w of workloads) {
    const row: Record<string, number> = {};
    for (const [name, target] of Object.entries(targets)) {
      const r = main(run(target, w.name, w.flags, join(scratch, 'results.db')));
      console.log(
        `${w.name.padEnd(10)} ${name.padEnd(6)} ${fmt(r.opsPerSec)} ${fmt(r.mibPerSec)} ${fmt(r.latencyUs.p50 / 1000, 2)} ${fmt(r.latencyUs.p99 / 1000, 2)} ${String(r.errors).padStart(7)}`,
      );
      Object.assign(row, {
        [`${name}OpsPerSec`]: Number(r.opsPerSec.toFixed(1)),
        [`${name}MibPerSec`]: Number(r.mibPerSec.toFixed(1)),
        [`${name}P99Ms`]: Number((r.latencyUs.p99 / 1000).toFixed(2)),
        [`${name}Errors`]: r.errors,
      });
    }
    const ratio = row.fileOpsPerSec ? row.nfsOpsPerSec! / row.fileOpsPerSec : 0;
    console.log(`${w.name.padEnd(10)} ${'ratio'.padEnd(6)} ${fmt(ratio, 2)}x nfs/file\n`);
    figures.push({ workload: w.name, ...row, ratioNfsToFile: Number(ratio.toFixed(3)) });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(join(dir, 'bench-nfs'), { recursive: true, force: true });
  rmSync(join(dir, 'bench-file'), { recursive: true, force: true });
  if (startedHere) services('down', 'nfs');
}
console.log(
  JSON.stringify({
    bench: 'nfs',
    duration,
    largeSize,
    largeConcurrency: Number(largeConcurrency),
    smallConcurrency: Number(smallConcurrency),
    results: figures,
  }),
);
