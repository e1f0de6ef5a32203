/**
 * `npm run bench:s3`: storbench against a minimal loop on the local Ceph RGW, in the same process and run.
 *
 * For put-small and get-small (4 KiB) and put-large and get-large (16 MiB) at concurrency 32, it runs the
 * workload through storbench (runBenchmark: driver, workers, recorder, results store) and a minimal loop
 * issuing the same requests with the same SDK client configuration (bench/s3-minimal.ts), alternating
 * storbench-minimal-minimal-storbench so drift (the shared machine, the OSD filling) hits both alike, after an
 * untimed warm-up of both sides for the 4 KiB workloads.
 * It prints ops/s, MiB/s, p99 and the client's CPU time per operation for both, with ratios, and ends with
 * one JSON line. The aim: storbench at least 0.95× the minimal loop.
 *
 * Environment: STORBENCH_TEST_CEPH (a target URL; otherwise `npm run services -- up ceph` is run),
 * BENCH_S3_DURATION (seconds per measured phase, default 8), BENCH_S3_ROUNDS (pairs of phases, default 2).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client, parseS3Options } from '../src/drivers/s3/s3-driver.js';
import { parseTarget, type Target } from '../src/drivers/target.js';
import { openStore } from '../src/results/sqlite-store.js';
import type { ResultsStore } from '../src/results/types.js';
import { encodeHistogram, mergeHistograms, summarize } from '../src/runner/histogram.js';
import { openDriver } from '../src/runner/open-driver.js';
import { runBenchmark } from '../src/runner/run.js';
import { parseSize } from '../src/workloads/size.js';
import { loadWorkload } from '../src/workloads/spec.js';
import { runMinimal } from './s3-minimal.js';

const CONCURRENCY = 32;
const WORKLOADS = [
  { name: 'put-small', op: 'put', size: '4KiB' },
  { name: 'get-small', op: 'get', size: '4KiB' },
  { name: 'put-large', op: 'put', size: '16MiB' },
  { name: 'get-large', op: 'get', size: '16MiB' },
] as const;

/**
 * One measured phase of one side. `count` and `bytes` are operations that ended inside the window; for
 * storbench, `reported` is the count its results give (which also holds operations that ended while draining).
 */
interface Phase {
  count: number;
  reported: number;
  errors: number;
  seconds: number;
  bytes: number;
  cpuUs: number;
  histogram: string;
}
/** The phases of one side summed: rates over the total measured time, histograms merged. */
interface Figures {
  count: number;
  errors: number;
  opsPerSec: number;
  reportedOpsPerSec: number;
  mibPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerOp: number;
}

function figures(phases: readonly Phase[]): Figures {
  const sum = (f: (p: Phase) => number) => phases.reduce((a, p) => a + f(p), 0);
  const seconds = sum((p) => p.seconds);
  const count = sum((p) => p.count);
  const latency = summarize(mergeHistograms(phases.map((p) => p.histogram)));
  return {
    count,
    errors: sum((p) => p.errors),
    opsPerSec: round(count / seconds),
    reportedOpsPerSec: round(sum((p) => p.reported) / seconds),
    mibPerSec: round(sum((p) => p.bytes) / 1048576 / seconds),
    p50Us: latency.p50,
    p99Us: latency.p99,
    cpuUsPerOp: round(count ? sum((p) => p.cpuUs) / count : 0, 0),
  };
}

/** storbench divided by the minimal loop. */
interface Ratio {
  opsPerSec: number;
  mibPerSec: number;
  p99: number;
  cpuPerOp: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

function targetUrl(): string {
  if (process.env.STORBENCH_TEST_CEPH) return process.env.STORBENCH_TEST_CEPH;
  console.log('starting Ceph RGW (npm run services -- up ceph)...');
  const out = execFileSync('bash', [new URL('../scripts/services.sh', import.meta.url).pathname, 'up', 'ceph'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

/** storbench: the full runner. CPU is counted from the end of prepare to the start of cleanup. */
async function storbenchPhase(target: Target, store: ResultsStore, workload: string, size: string, durationMs: number): Promise<Phase> {
  // one event loop, like the minimal loop it is compared with (threads: auto could fan out)
  const spec = loadWorkload(workload, { size, concurrency: CONCURRENCY, duration: `${durationMs}ms`, warmup: 0, threads: 1 });
  let cpu0 = 0;
  let cpu1 = 0;
  const result = await runBenchmark({
    target,
    spec,
    store,
    beforeMeasure: async () => {
      cpu0 = cpuNow();
    },
    onProgress: (p) => {
      if (p.phase === 'cleanup' && cpu1 === 0) cpu1 = cpuNow();
    },
  });
  if (result.status !== 'completed') throw new Error(`storbench ${workload}: ${result.status}: ${result.error ?? ''}`);
  const op = result.ops[0]!;
  // The per-second segments tell which operations ended inside the window (seconds 0 .. duration-1).
  const inWindow = store.getRun(result.runId)!.segments.filter((s) => s.op === op.op && s.second < durationMs / 1000);
  const count = inWindow.reduce((n, s) => n + s.ops, 0);
  return {
    count,
    reported: op.count,
    errors: op.errors,
    seconds: durationMs / 1000,
    bytes: inWindow.reduce((n, s) => n + s.bytes, 0),
    cpuUs: ((cpu1 || cpuNow()) - cpu0) * (count / (op.count || 1)),
    histogram: op.histogram,
  };
}

async function minimalPhase(target: Target, workload: (typeof WORKLOADS)[number], durationMs: number, round_: number): Promise<Phase> {
  const options = parseS3Options(target);
  const spec = loadWorkload(workload.name, { size: workload.size });
  const client = createS3Client(target, options, CONCURRENCY);
  const prefix = `${options.root}storbench-bench-minimal/${process.pid}-${workload.name}-${round_}/`;
  try {
    const r = await runMinimal({
      client,
      bucket: options.bucket,
      prefix,
      op: workload.op,
      size: parseSize(workload.size, 'size'),
      concurrency: CONCURRENCY,
      durationMs,
      objects: spec.objects,
      blockSize: spec.blockSize,
    });
    return {
      count: r.count,
      reported: r.count,
      errors: r.errors,
      seconds: r.seconds,
      bytes: r.count * parseSize(workload.size, 'size'),
      cpuUs: r.cpuUsPerOp * r.count,
      histogram: encodeHistogram(r.histogram),
    };
  } finally {
    client.destroy();
    // Cleanup through the driver (not timed): the OSD keeps objects in RAM.
    const driver = await openDriver(target, CONCURRENCY);
    await driver.deletePrefix(prefix.slice(options.root.length));
    await driver.close();
  }
}

async function main(): Promise<void> {
  const durationS = Number(process.env.BENCH_S3_DURATION ?? 8);
  const rounds = Number(process.env.BENCH_S3_ROUNDS ?? 2);
  const target = parseTarget(targetUrl());
  const dir = mkdtempSync(join(tmpdir(), 'storbench-bench-s3-'));
  const store = openStore(join(dir, 'bench.db'));
  const probe = await openDriver(target, CONCURRENCY);
  const system = probe.system();
  const environment = probe.environment();
  await probe.close();
  console.log(
    `bench:s3 on ${target.redacted} (${system}, ${String(environment.sdk)}): concurrency ${CONCURRENCY}, ` +
      `${durationS}s per phase, ${rounds} round(s) of storbench+minimal, alternating`,
  );

  const rows: Record<string, { storbench: Figures; minimal: Figures; ratio: Ratio }> = {};
  try {
    for (const w of WORKLOADS) {
      const sb: Phase[] = [];
      const min: Phase[] = [];
      const small = parseSize(w.size, 'size') <= 4 * 1048576;
      if (small) {
        // Untimed warm-up of both sides: the first phase of a process pays for compiling the SDK's request path
        // (the first 4 KiB phase measured about twice the CPU per operation of later ones), and ABBA alone would
        // put that on whichever side comes first.
        await storbenchPhase(target, store, w.name, w.size, 2000);
        await minimalPhase(target, w, 2000, -1);
      }
      for (let r = 0; r < rounds; r++) {
        // ABBA: storbench first in even rounds, the minimal loop first in odd ones.
        const order = r % 2 === 0 ? ['storbench', 'minimal'] : ['minimal', 'storbench'];
        for (const side of order) {
          if (side === 'storbench') sb.push(await storbenchPhase(target, store, w.name, w.size, durationS * 1000));
          else min.push(await minimalPhase(target, w, durationS * 1000, r));
          // RGW removes deleted objects' tails (past 4 MiB) by garbage collection 5 s after the delete (the ceph
          // service's setting): let it finish, so one side's garbage does not slow the other side's phase.
          await new Promise((r) => setTimeout(r, small ? 1000 : 12_000));
          const last = side === 'storbench' ? sb.at(-1)! : min.at(-1)!;
          console.log(
            `  ${w.name.padEnd(10)} round ${r + 1} ${side.padEnd(9)} ${(last.count / last.seconds).toFixed(1).padStart(8)} ops/s` +
              `${last.errors ? `  (${last.errors} errors)` : ''}`,
          );
        }
      }
      const s = figures(sb);
      const m = figures(min);
      rows[w.name] = {
        storbench: s,
        minimal: m,
        ratio: {
          opsPerSec: round(s.opsPerSec / m.opsPerSec, 3),
          mibPerSec: round(s.mibPerSec / m.mibPerSec, 3),
          p99: round(s.p99Us / m.p99Us, 3),
          cpuPerOp: round(s.cpuUsPerOp / m.cpuUsPerOp, 3),
        },
      };
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const ms = (us: number) => (us / 1000).toFixed(1);
  console.log('');
  console.log('workload    side        ops/s      MiB/s    p50 ms   p99 ms  CPU µs/op  errors  reported ops/s');
  for (const [name, row] of Object.entries(rows)) {
    for (const side of ['storbench', 'minimal'] as const) {
      const f = row[side];
      console.log(
        `${(side === 'storbench' ? name : '').padEnd(11)} ${side.padEnd(9)} ${f.opsPerSec.toFixed(1).padStart(8)} ` +
          `${f.mibPerSec.toFixed(2).padStart(10)} ${ms(f.p50Us).padStart(9)} ${ms(f.p99Us).padStart(8)} ${String(f.cpuUsPerOp).padStart(10)} ` +
          `${String(f.errors).padStart(7)}  ${side === 'storbench' ? f.reportedOpsPerSec.toFixed(1).padStart(14) : ''}`,
      );
    }
    console.log(
      `${''.padEnd(11)} ${'ratio'.padEnd(9)} ${`${row.ratio.opsPerSec}x`.padStart(8)} ${`${row.ratio.mibPerSec}x`.padStart(10)} ` +
        `${''.padStart(9)} ${`${row.ratio.p99}x`.padStart(8)} ${`${row.ratio.cpuPerOp}x`.padStart(10)}`,
    );
  }
  const worst = Math.min(...Object.values(rows).map((r) => r.ratio.opsPerSec));
  console.log(`\nops/s and MiB/s count operations that ended inside each ${durationS}s window, for both sides; "reported" is`);
  console.log(`storbench's own figure, which also counts operations that ended while draining.`);
  console.log(`lowest storbench/minimal throughput ratio: ${worst}x (target: at least 0.95x)`);
  console.log(
    JSON.stringify({
      bench: 's3',
      target: target.redacted,
      system,
      sdk: environment.sdk,
      concurrency: CONCURRENCY,
      durationS,
      rounds,
      workloads: rows,
      lowestOpsRatio: worst,
      meetsTarget: worst >= 0.95,
    }),
  );
}

await main();
