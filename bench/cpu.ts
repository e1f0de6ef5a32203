/**
 * `npm run bench:cpu`: what storbench itself costs per operation, for every driver, on 4 KiB put and get.
 *
 * For each target — null://, mem://, file:// on tmpfs, nfs:// (NFS-Ganesha), s3:// (Ceph RGW, each S3 client the
 * driver offers), webhdfs:// (HDFS) and cassandra:// — it runs put-small and get-small through the full runner
 * (concurrency 16, one event loop) and prints the client CPU per operation the run records (src/runner/client-cpu.ts:
 * this process's CPU time, every thread, over the measured window, divided by the operations), the cores it kept
 * busy and the throughput. Rounds go through every target in turn, so drift on the shared machine spreads over all
 * of them; the figure per cell is the median over rounds. Services not named by their STORBENCH_TEST_* variable are
 * started (scripts/services.sh). Ends with one JSON line, so a commit's figures can be compared with another's.
 *
 * Environment: BENCH_CPU_SECONDS (measured seconds per cell, default 4), BENCH_CPU_ROUNDS (default 3),
 * BENCH_CPU_ONLY (comma-separated target names to keep, e.g. `s3,file`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { S3_OPTIONS } from '../src/drivers/s3/s3-options.js';
import { parseTarget } from '../src/drivers/target.js';
import { openStore } from '../src/results/sqlite-store.js';
import { runBenchmark } from '../src/runner/run.js';
import { loadWorkload } from '../src/workloads/spec.js';
import { serviceTarget } from './support/services.js';

const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 3);
const CONCURRENCY = 16;
const WORKLOADS = ['put-small', 'get-small'] as const;

interface Cell {
  readonly usPerOp: number;
  readonly cores: number;
  readonly opsPerSec: number;
  readonly load1: number;
}

const only = process.env.BENCH_CPU_ONLY?.split(',').map((s) => s.trim());
const keep = (name: string) => !only || only.some((o) => name === o || name.startsWith(`${o} `));
const withOption = (url: string, option: string) => `${url}${url.includes('?') ? '&' : '?'}${option}`;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round1 = (v: number) => Math.round(v * 10) / 10;

function targets(tmp: string): { name: string; url: string }[] {
  const list: { name: string; url: string }[] = [
    { name: 'null', url: 'null://' },
    { name: 'mem', url: 'mem://bench-cpu' },
    { name: 'file (tmpfs)', url: `file://${tmp}` },
  ];
  const services: [string, string, string][] = [
    ['nfs', 'STORBENCH_TEST_NFS', 'nfs'],
    ['s3', 'STORBENCH_TEST_CEPH', 'ceph'],
    ['webhdfs', 'STORBENCH_TEST_HDFS', 'hdfs'],
    ['cassandra', 'STORBENCH_TEST_CASSANDRA', 'cassandra'],
  ];
  for (const [name, env, service] of services) {
    if (!keep(name)) continue;
    const url = serviceTarget(env, service);
    if (name === 's3' && 'client' in S3_OPTIONS.shape) {
      list.push({ name: 's3 (client=lean)', url: withOption(url, 'client=lean') }, { name: 's3 (client=sdk)', url: withOption(url, 'client=sdk') });
    } else {
      list.push({ name, url });
    }
  }
  return list.filter((t) => keep(t.name));
}

async function measureCell(url: string, workload: string, seconds: number): Promise<Cell> {
  const store = openStore(':memory:');
  try {
    const spec = loadWorkload(workload, { duration: `${seconds}s`, concurrency: CONCURRENCY, threads: 1, warmup: 0 });
    const r = await runBenchmark({ target: parseTarget(url), spec, store });
    if (r.status !== 'completed' || !r.clientCpu) throw new Error(`${workload} on ${parseTarget(url).redacted}: ${r.status} ${r.error ?? ''}`);
    return { usPerOp: r.clientCpu.usPerOp, cores: r.clientCpu.cores, opsPerSec: r.ops[0]!.opsPerSec, load1: round1(loadavg()[0]!) };
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  const tmp = mkdtempSync('/dev/shm/storbench-bench-cpu-');
  try {
    const list = targets(tmp);
    console.log(
      `bench:cpu: ${list.length} targets x ${WORKLOADS.join(', ')}, concurrency ${CONCURRENCY}, one event loop, ${SECONDS}s per cell, ` +
        `${ROUNDS} round(s) through every target; ${cpus().length} cores, load average ${loadavg().map(round1).join(' ')}`,
    );
    // Untimed warm-up: each driver's first run in a process pays for loading and compiling its code.
    for (const t of list) await measureCell(t.url, 'put-small', 1);
    const cells = new Map<string, Cell[]>();
    for (let r = 0; r < ROUNDS; r++) {
      // every other round walks the targets backwards, so none is always measured first or last
      for (const t of r % 2 ? [...list].reverse() : list) {
        for (const w of WORKLOADS) {
          const cell = await measureCell(t.url, w, SECONDS);
          const key = `${t.name}\t${w}`;
          cells.set(key, [...(cells.get(key) ?? []), cell]);
          console.log(
            `  round ${r + 1} ${t.name.padEnd(18)} ${w.padEnd(9)} ${String(cell.usPerOp).padStart(8)} µs/op ${cell.cores.toFixed(2).padStart(5)} cores ` +
              `${cell.opsPerSec.toFixed(0).padStart(8)} ops/s  load ${cell.load1}`,
          );
        }
      }
    }
    const table = list.flatMap((t) =>
      WORKLOADS.map((w) => {
        const runs = cells.get(`${t.name}\t${w}`)!;
        return {
          target: t.name,
          workload: w,
          cpuUsPerOp: round1(median(runs.map((c) => c.usPerOp))),
          cores: Math.round(median(runs.map((c) => c.cores)) * 100) / 100,
          opsPerSec: Math.round(median(runs.map((c) => c.opsPerSec))),
          loadAverage: round1(median(runs.map((c) => c.load1))),
        };
      }),
    );
    console.log('\ntarget              workload   CPU µs/op  cores    ops/s  load (median of rounds)');
    for (const row of table) {
      console.log(
        `${row.target.padEnd(19)} ${row.workload.padEnd(9)} ${String(row.cpuUsPerOp).padStart(10)} ${row.cores.toFixed(2).padStart(6)} ` +
          `${String(row.opsPerSec).padStart(8)}  ${row.loadAverage}`,
      );
    }
    console.log(
      JSON.stringify({ bench: 'cpu', concurrency: CONCURRENCY, seconds: SECONDS, rounds: ROUNDS, loadAverageAtEnd: loadavg().map(round1), rows: table }),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
