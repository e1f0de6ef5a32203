/**
 * `npm run bench:cassandra`: storbench's cassandra:// driver against a minimal loop (issue 5, section 5).
 * put-small and get-small (4 KiB objects) at concurrency 32 on the local node: storbench through its CLI
 * (`run --json`), then a minimal loop in this process issuing the same prepared statements, with the same
 * consistency levels, through the driver's own cassandra-driver Client (same pool, retry and speculative
 * settings), with none of storbench's machinery around them. The JVM is warmed first; each workload runs four
 * times, storbench, minimal, minimal, storbench; each side's figure is its mean ops/s and the higher of its two
 * p99s. The machine's load average is printed with the figures. What the minimal loop does per operation:
 *   put: SELECT metadata ∥ INSERT chunk, then INSERT metadata   (what driver.write does for a new 4 KiB object)
 *   get: SELECT metadata, then SELECT chunk                     (what driver.read does)
 * Prints ops/s and p99 for both with the ratios storbench / minimal, and ends with one JSON line of the figures.
 * Takes about (4 × (SECONDS + 2) + 40) s per workload.
 *
 * Env: CASSANDRA_BENCH_URL (default: STORBENCH_TEST_CASSANDRA, else `services up cassandra` is run),
 *      CASSANDRA_BENCH_SECONDS (10 per measured phase), CASSANDRA_BENCH_CONCURRENCY (32).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import type { CassandraCore } from '../src/drivers/cassandra/cassandra-driver.js';
import { ancestorEntries, keyParts } from '../src/drivers/cassandra/cassandra-schema.js';
import { createDriver } from '../src/drivers/registry.js';
import { parseTarget } from '../src/drivers/target.js';
import { coreOf } from '../src/layers/layer-stack.js';

const SECONDS = Number(process.env.CASSANDRA_BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.CASSANDRA_BENCH_CONCURRENCY ?? 32);
const WARMUP_SECONDS = 2;
const SIZE = 4096;
const GROUP = 1000; // keys per directory, like the runner's default key groups
const repo = join(import.meta.dirname, '..');

function fail(message: string): never {
  console.error(`bench:cassandra: ${message}`);
  process.exit(1);
}

function targetUrl(): string {
  const given = process.env.CASSANDRA_BENCH_URL ?? process.env.STORBENCH_TEST_CASSANDRA;
  if (given) return given;
  console.log('starting the cassandra service (npm run services -- up cassandra)');
  const up = spawnSync('bash', ['scripts/services.sh', 'up', 'cassandra'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (up.status !== 0) fail('the cassandra service did not start');
  return up.stdout.trim().split('\n').at(-1)!;
}

interface Figures {
  readonly opsPerSec: number;
  readonly p99Us: number;
  readonly count: number;
  readonly errors: number;
}

/** One storbench run through the CLI; the figures of its measured operation. */
function storbench(url: string, workload: string, db: string): Figures {
  const argv = [
    'bin/storbench.cjs',
    'run',
    '--target',
    url,
    '--workload',
    workload,
    '--concurrency',
    String(CONCURRENCY),
    '--duration',
    `${SECONDS}s`,
    '--warmup',
    `${WARMUP_SECONDS}s`,
    '--threads',
    '1',
    '--json',
    '--db',
    db,
  ]; // one event loop, like the minimal loop
  const r = spawnSync(process.execPath, argv, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`storbench ${workload} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const doc = JSON.parse(r.stdout) as {
    status: string;
    results: { op: string; count: number; errors: number; opsPerSec: number; latencyUs: { p99: number } }[];
  };
  if (doc.status !== 'completed') fail(`storbench ${workload}: status ${doc.status}`);
  const op = workload === 'put-small' ? 'write' : 'read';
  const main = doc.results.find((x) => x.op === op) ?? fail(`storbench ${workload}: no ${op} result in ${r.stdout}`);
  return { opsPerSec: main.opsPerSec, p99Us: main.latencyUs.p99, count: main.count, errors: main.errors };
}

/** p99 of latencies in µs (exact: every sample is kept, a few hundred thousand at most). */
function p99(samples: Float64Array, n: number): number {
  const sorted = samples.slice(0, n).sort();
  return Math.round(sorted[Math.min(n - 1, Math.ceil(n * 0.99) - 1)] ?? 0);
}

/**
 * `CONCURRENCY` loops calling `op(i)` with a fresh index each time: WARMUP_SECONDS unmeasured, then SECONDS
 * measured (operations started in the window count).
 */
async function loop(op: (i: number) => Promise<void>, seconds = SECONDS, warmupSeconds = WARMUP_SECONDS): Promise<Figures> {
  const samples = new Float64Array(2_000_000);
  let n = 0;
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const measureFrom = t0 + warmupSeconds * 1000;
  const end = measureFrom + seconds * 1000;
  const worker = async () => {
    for (;;) {
      const start = performance.now();
      if (start >= end) return;
      try {
        await op(next++);
        if (start >= measureFrom && n < samples.length) samples[n++] = (performance.now() - start) * 1000;
      } catch {
        if (start >= measureFrom) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { opsPerSec: Math.round(n / seconds), p99Us: p99(samples, n), count: n, errors };
}

const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

/** Both sides' runs combined: mean ops/s, the higher p99 of the two runs, errors summed. */
function combine(runs: Figures[]) {
  return {
    opsPerSec: Math.round(runs.reduce((n, r) => n + r.opsPerSec, 0) / runs.length),
    p99Us: Math.max(...runs.map((r) => r.p99Us)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs: runs.map((r) => ({ opsPerSec: r.opsPerSec, p99Us: r.p99Us })),
  };
}

/**
 * storbench, minimal, minimal, storbench: on a shared machine the load drifts, and the A B B A order spreads the
 * drift (and Cassandra's own warming, compaction and flushes) evenly over both sides.
 */
async function abba(name: string, sb: () => Figures, min: () => Promise<Figures>) {
  const show = (who: string, f: Figures) => console.log(`${who} ${name}: ${f.opsPerSec} ops/s, p99 ${ms(f.p99Us)} (${f.errors} errors)`);
  const a1 = sb();
  show('storbench', a1);
  const b1 = await min();
  show('minimal  ', b1);
  const b2 = await min();
  show('minimal  ', b2);
  const a2 = sb();
  show('storbench', a2);
  const storbenchSide = combine([a1, a2]);
  const minimalSide = combine([b1, b2]);
  return {
    storbench: storbenchSide,
    minimal: minimalSide,
    opsRatio: ratio(storbenchSide.opsPerSec, minimalSide.opsPerSec),
    p99Ratio: ratio(storbenchSide.p99Us, minimalSide.p99Us),
  };
}

const url = targetUrl();
const target = parseTarget(url);
console.log(`target ${target.redacted}: ${SECONDS} s per phase (+${WARMUP_SECONDS} s warm-up), concurrency ${CONCURRENCY}, ${SIZE} B objects`);
const scratch = mkdtempSync(join(tmpdir(), 'storbench-bench-cassandra-'));
const db = join(scratch, 'results.db');

try {
  // The minimal loop: the driver's own client and statements, nothing else.
  const driver = await createDriver({ target, concurrency: CONCURRENCY });
  await driver.open();
  const { client, statements: st, readOptions, writeOptions, chunkSize } = coreOf<CassandraCore>(driver).native();
  const base = `bench-minimal/${Date.now().toString(36)}`;
  const keyOf = (i: number) => `${base}/${Math.floor(i / GROUP)}/${i}`;
  const payload = Buffer.alloc(SIZE, 7);
  // Directory entries are written once per directory by the driver too (it caches them): do it up front.
  const dirsDone = new Set<string>();
  const ensureDirs = async (key: string) => {
    for (const { parent, child } of ancestorEntries(key)) {
      const id = `${parent}/${child}`;
      if (dirsDone.has(id)) continue;
      dirsDone.add(id);
      await client.execute(st.insertDir, [parent, child], writeOptions);
    }
  };
  const partChunks = Number(driver.semantics().chunksPerPartition);
  let written = 0; // keys 0 .. written-1 exist (the warm-up's included): every put creates a new object
  const put = async () => {
    const key = keyOf(written++);
    const { parent, leaf: name } = keyParts(key);
    await ensureDirs(key);
    const version = cassandra.types.TimeUuid.now();
    await Promise.all([
      client.execute(st.selectMeta, [parent, name], readOptions),
      client.execute(st.insertChunk, [key, version, 0, 0, payload], writeOptions),
    ]);
    await client.execute(st.insertMeta, [parent, name, BigInt(SIZE), 1, chunkSize, partChunks, 'x', version, new Date()], writeOptions);
  };
  // A freshly started JVM compiles its hot paths during the first seconds of load: warm it (and prepare the
  // statements) before anything is measured, so neither side pays for it.
  await loop(put, WARMUP_SECONDS + 3, 0);
  const putSmall = await abba(
    'put-small',
    () => storbench(url, 'put-small', db),
    () => loop(put),
  );

  const readable = Math.min(written - CONCURRENCY, 1000); // get-small reads among 1,000 objects (all complete)
  const get = async (i: number) => {
    const key = keyOf(i % readable);
    const { parent, leaf: name } = keyParts(key);
    const meta = (await client.execute(st.selectMeta, [parent, name], readOptions)).first();
    if (!meta) throw new Error(`${key} missing`);
    const chunk = (await client.execute(st.selectChunk, [key, meta.version, 0, 0], readOptions)).first();
    if ((chunk?.data as Buffer | undefined)?.length !== SIZE) throw new Error(`${key}: short chunk`);
  };
  const getSmall = await abba(
    'get-small',
    () => storbench(url, 'get-small', db),
    () => loop(get),
  );
  await driver.deletePrefix(`${base}/`);
  await driver.close();

  const figures = {
    bench: 'cassandra',
    target: target.redacted,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
    putSmall,
    getSmall,
  };
  console.log(`load average (1 min) at the end: ${figures.loadAverage} on ${cpus().length} cores`);
  for (const [name, c] of [
    ['put-small', putSmall],
    ['get-small', getSmall],
  ] as const) {
    console.log(
      `${name}: storbench ${c.storbench.opsPerSec} ops/s, p99 ${ms(c.storbench.p99Us)}; minimal ${c.minimal.opsPerSec} ops/s, ` +
        `p99 ${ms(c.minimal.p99Us)}; storbench/minimal ops/s ${c.opsRatio}x, p99 ${c.p99Ratio}x`,
    );
  }
  console.log(JSON.stringify(figures));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
