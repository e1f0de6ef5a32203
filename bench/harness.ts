/**
 * npm run bench:harness — is the harness ever what is measured?
 * 1. null:// through the full runner (put-small: key choice, payload, driver call, HDR recording, segments)
 *    against, in the same process and at the same concurrency, a minimal loop that only awaits a resolved
 *    promise, times it with process.hrtime and records into an HDR histogram. Targets: >= 1,000,000 null
 *    ops/s and a ratio >= 0.7.
 *    The runner is pinned to one event loop there (--threads 1), like the loop it is compared with; then one
 *    run with the default --threads auto shows the fan-out to worker threads when that loop saturates.
 *    null:// validates no keys (nothing stored, no root to escape); what a storing driver's key check
 *    adds per operation is measured and printed beside it.
 * 2. Peak RSS of a put-large run with 1 GiB objects on file:// (bodies streamed, never held whole):
 *    target under 200 MB.
 * Ends with one JSON line of the figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKey } from '../src/drivers/keys.js';
import { parseTarget } from '../src/drivers/target.js';
import { openStore } from '../src/results/sqlite-store.js';
import { newHistogram } from '../src/runner/histogram.js';
import { runBenchmark } from '../src/runner/run.js';
import { loadWorkload } from '../src/workloads/spec.js';

const CONCURRENCY = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 3;

async function minimalLoop(seconds: number, concurrency: number): Promise<number> {
  const histogram = newHistogram();
  const resolved = Promise.resolve();
  let ops = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const t0 = process.hrtime.bigint();
        if (t0 >= end) return;
        await resolved;
        const t1 = process.hrtime.bigint();
        histogram.recordValue(Math.max(1, Number(t1 - t0) / 1000));
        ops++;
      }
    }),
  );
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function nullRunner(seconds: number, concurrency: number, threads: number | 'auto' = 1): Promise<{ opsPerSec: number; threads: number }> {
  const store = openStore(':memory:');
  try {
    const spec = loadWorkload('put-small', { duration: `${seconds}s`, concurrency, threads });
    const result = await runBenchmark({ target: parseTarget('null://'), spec, store });
    return { opsPerSec: result.ops[0]!.opsPerSec, threads: Number(store.getRun(result.runId)!.environment.threads) };
  } finally {
    store.close();
  }
}

/** Nanoseconds per key a storing driver's checkKey adds: keys built like the runner's, checked or not. */
function keyCheckNs(): number {
  const prefix = 'storbench/20261126-105447-bc7b/12/';
  const n = 2_000_000;
  let sink = 0;
  const time = (check: boolean): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const key = prefix + i;
      sink += check ? checkKey('file', 'write', key).length : key.length;
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  let best = Infinity;
  for (let r = 0; r < 3; r++) best = Math.min(best, time(true) - time(false));
  return sink > 0 ? Math.max(0, Math.round(best)) : 0;
}

function putLargeRss(): { rssMb: number; mibPerSec: number; status: string } {
  const dir = mkdtempSync(join(tmpdir(), 'storbench-rss-'));
  try {
    const script = `
      const { main } = await import(${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)});
      const log = console.log; let out = ''; console.log = (s) => { out += s; };
      const code = await main(['run', '--target', 'file://${dir}', '--workload', 'put-large', '--size', '1GiB', '--ops', '2',
        '--concurrency', '2', '--db', ${JSON.stringify(join(dir, 'rss.db'))}, '--json']);
      console.log = log;
      console.log(JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS, result: JSON.parse(out) }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, UV_THREADPOOL_SIZE: '8' },
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`put-large child failed: ${child.stderr}`);
    const line = child.stdout.trim().split('\n').pop()!;
    const { maxRssKb, result } = JSON.parse(line) as { maxRssKb: number; result: { status: string; results: { mibPerSec: number }[] } };
    return { rssMb: Math.round(maxRssKb / 1024), mibPerSec: result.results[0]?.mibPerSec ?? 0, status: result.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loop: number[] = [];
const runner: number[] = [];
console.log(`harness: ${ROUNDS} alternating rounds of ${SECONDS}s each, concurrency ${CONCURRENCY}, one process`);
for (let i = 0; i < ROUNDS; i++) {
  loop.push(await minimalLoop(SECONDS, CONCURRENCY));
  runner.push((await nullRunner(SECONDS, CONCURRENCY)).opsPerSec);
  console.log(
    `  round ${i + 1}: minimal loop ${Math.round(loop[i]!).toLocaleString('en-US')} ops/s, null:// through the runner ${Math.round(runner[i]!).toLocaleString('en-US')} ops/s`,
  );
}
const best = (xs: number[]) => Math.max(...xs);
const nullOps = Math.round(best(runner));
const loopOps = Math.round(best(loop));
const ratio = Math.round((nullOps / loopOps) * 1000) / 1000;
console.log(`null:// through the full runner: ${nullOps.toLocaleString('en-US')} ops/s (best round, one event loop; target >= 1,000,000)`);
console.log(`minimal await+hrtime+HDR loop:   ${loopOps.toLocaleString('en-US')} ops/s (best round)`);
console.log(`ratio runner/minimal:            ${ratio} (target >= 0.7)`);
const checkNs = keyCheckNs();
console.log(`key check a storing driver adds: ${checkNs} ns per operation (null:// validates no keys: nothing stored, no root to escape)`);
const auto = await nullRunner(SECONDS, CONCURRENCY, 'auto');
console.log(
  `null:// with --threads auto:     ${Math.round(auto.opsPerSec).toLocaleString('en-US')} ops/s on ${auto.threads} thread(s) (${cpus().length} CPUs)`,
);

console.log('put-large, 2 x 1 GiB objects on file:// (tmpdir), concurrency 2 ...');
const rss = putLargeRss();
console.log(`peak RSS of the put-large run: ${rss.rssMb} MB (target < 200 MB); ${rss.mibPerSec} MiB/s; ${rss.status}`);

console.log(
  JSON.stringify({
    bench: 'harness',
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    nullOpsPerSec: nullOps,
    minimalLoopOpsPerSec: loopOps,
    ratio,
    keyCheckNsPerOp: checkNs,
    nullOpsPerSecThreadsAuto: Math.round(auto.opsPerSec),
    threadsAuto: auto.threads,
    putLarge1GiBPeakRssMb: rss.rssMb,
    putLarge1GiBMibPerSec: rss.mibPerSec,
    targetsMet: { nullOps: nullOps >= 1_000_000, ratio: ratio >= 0.7, rss: rss.rssMb < 200 },
  }),
);
