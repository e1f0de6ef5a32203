/**
 * `npm run bench:s3`: storbench against a minimal SDK loop and a compiled peer on the local Ceph RGW, in one run.
 *
 * For put-small and get-small (4 KiB) and put-large and get-large (16 MiB) at concurrency 32, each round runs
 * every side once, in ABBA order (the order reversed every other round) so drift (the shared machine, the OSD
 * filling) hits all alike, after an untimed warm-up of every side for the 4 KiB workloads:
 * - storbench: runBenchmark (driver, workers, recorder, results store) on the target as given;
 * - storbench `client=sdk`: the same with the full SDK request path;
 * - minimal: a closed loop of the same requests on the same SDK client configuration (bench/s3-minimal.ts);
 * - peer: a warp-style Go loop on minio-go (bench/s3-peer/, built with the machine's `go` into
 *   ~/.cache/storbench/s3-peer/ on first use, rebuilt when its source changes), its credentials resolved here
 *   and passed in its environment.
 * Wire behaviour, matched as closely as minio-go allows: one PUT per object (storbench's multipartThreshold is
 * 64 MiB; the peer never goes multipart), path-style, keep-alive with at least one connection per worker, no
 * checksum header or trailer, no retries; the SDK signs a 4 KiB buffer body's SHA-256 and sends a 16 MiB stream
 * as UNSIGNED-PAYLOAD (with Expect: 100-continue), and the peer does the same (`signed`, `unsigned`; minio-go's
 * own default over http, streaming chunk signatures, is not used). Each side counts only operations that end
 * inside the window, and measures its own process's CPU time (user + system) per operation.
 * It prints ops/s, MiB/s, p50, p99, CPU µs/op and errors per side, the ratios storbench/peer (the aim: at least
 * 1.0x) and storbench/minimal, the load average at the start and end of every phase, and ends with one JSON line.
 *
 * Environment: STORBENCH_TEST_CEPH (a target URL; otherwise `npm run services -- up ceph` is run),
 * BENCH_S3_DURATION (seconds per measured phase, default 8), BENCH_S3_ROUNDS (rounds of all sides, default 2),
 * BENCH_S3_ONLY (workloads to run, comma-separated: put-small,get-small,put-large,get-large; default all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client, parseS3Options } from '../src/drivers/s3/s3-driver.js';
import { parseTarget, type Target } from '../src/drivers/target.js';
import { openStore } from '../src/results/sqlite-store.js';
import type { ResultsStore } from '../src/results/types.js';
import { encodeHistogram, mergeHistograms, newHistogram, summarize } from '../src/runner/histogram.js';
import { openDriver } from '../src/runner/open-driver.js';
import { runBenchmark } from '../src/runner/run.js';
import { parseSize } from '../src/workloads/size.js';
import { loadWorkload } from '../src/workloads/spec.js';
import { runMinimal } from './s3-minimal.js';
import { type PeerOptions, peerBinary, runPeer } from './s3-peer.js';
import { serviceTarget } from './support/services.js';

const CONCURRENCY = 32;
const WORKLOADS = [
  { name: 'put-small', op: 'put', size: '4KiB' },
  { name: 'get-small', op: 'get', size: '4KiB' },
  { name: 'put-large', op: 'put', size: '16MiB' },
  { name: 'get-large', op: 'get', size: '16MiB' },
] as const;
type Workload = (typeof WORKLOADS)[number];
/** The aim of issue 15: storbench at least this many times the compiled peer's throughput. */
const PEER_TARGET = 1.0;

/** storbench on its default request path (client=lean) and on the full SDK (client=sdk), the minimal SDK loop, the peer. */
type Side = 'storbench' | 'storbenchSdk' | 'minimal' | 'peer';
const SIDES: readonly Side[] = ['storbench', 'storbenchSdk', 'minimal', 'peer'];
const LABEL: Record<Side, string> = { storbench: 'storbench', storbenchSdk: 'sb client=sdk', minimal: 'minimal', peer: 'peer (Go)' };

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

/** storbench divided by another side. */
interface Ratio {
  opsPerSec: number;
  mibPerSec: number;
  p99: number;
  cpuPerOp: number;
}

function ratio(s: Figures, other: Figures): Ratio {
  return {
    opsPerSec: round(s.opsPerSec / other.opsPerSec, 3),
    mibPerSec: round(s.mibPerSec / other.mibPerSec, 3),
    p99: round(s.p99Us / other.p99Us, 3),
    cpuPerOp: round(s.cpuUsPerOp / other.cpuUsPerOp, 3),
  };
}

/** The 1-minute load average at the start and end of one phase. */
interface PhaseLoad {
  workload: string;
  round: number;
  side: Side;
  start: number;
  end: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const load1 = () => round(loadavg()[0]!);
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

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
  const op = result.ops[0];
  if (result.status === 'failed' && !op?.count && !op?.errors && result.measuredSeconds > 0) {
    // No operation ended inside a short window (16 MiB at concurrency 32 on a loaded machine): that is a rate of 0
    // for this phase, not a broken bench; the other sides' phases and the rounds still count.
    console.log(`  storbench ${workload}: ${result.error}`);
    return { count: 0, reported: 0, errors: 0, seconds: durationMs / 1000, bytes: 0, cpuUs: 0, histogram: encodeHistogram(newHistogram()) };
  }
  if (result.status !== 'completed' || !op) throw new Error(`storbench ${workload}: ${result.status}: ${result.error ?? ''}`);
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

/** Remove a bench loop's prefix through the driver (not timed): the OSD keeps objects in RAM. */
async function removePrefix(target: Target, prefix: string): Promise<void> {
  const driver = await openDriver(target, CONCURRENCY);
  await driver.deletePrefix(prefix.slice(parseS3Options(target).root.length));
  await driver.close();
}

async function minimalPhase(target: Target, workload: Workload, durationMs: number, round_: number): Promise<Phase> {
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
    await removePrefix(target, prefix);
  }
}

/** What the peer needs besides the workload: its binary and the target's endpoint, region and credentials. */
type PeerBase = Pick<PeerOptions, 'endpoint' | 'region' | 'bucket' | 'credentials'> & { binary: string; root: string };

async function peerBase(target: Target): Promise<PeerBase> {
  const options = parseS3Options(target);
  if (!options.endpoint) throw new Error(`bench:s3 needs a target with an endpoint, got ${target.redacted}`);
  // The SDK resolves the target's credentials (static, its profile's shared-credentials file, or the AWS chain).
  const client = createS3Client(target, options, 1);
  try {
    const { accessKeyId, secretAccessKey, sessionToken } = await client.config.credentials();
    return {
      binary: await peerBinary(),
      endpoint: options.endpoint,
      region: options.region,
      bucket: options.bucket,
      root: options.root,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
    };
  } finally {
    client.destroy();
  }
}

async function peerPhase(target: Target, base: PeerBase, workload: Workload, durationMs: number, round_: number): Promise<Phase> {
  const spec = loadWorkload(workload.name, { size: workload.size });
  const size = parseSize(workload.size, 'size');
  const prefix = `${base.root}storbench-bench-peer/${process.pid}-${workload.name}-${round_}/`;
  try {
    const r = await runPeer(base.binary, {
      ...base,
      prefix,
      op: workload.op,
      size,
      concurrency: CONCURRENCY,
      durationMs,
      objects: spec.objects,
      payload: peerPayload(size, spec.blockSize),
    });
    if (r.errors && r.firstError) console.log(`  peer: ${r.errors} errors, the first: ${r.firstError}`);
    return { count: r.count, reported: r.count, errors: r.errors, seconds: r.seconds, bytes: r.bytes, cpuUs: r.cpuUsPerOp * r.count, histogram: r.histogram };
  } finally {
    await removePrefix(target, prefix); // the peer deletes what it wrote; this is for a peer that died
  }
}

/** The SDK signs a buffer body's SHA-256 and sends a stream (bodies past one block) as UNSIGNED-PAYLOAD. */
const peerPayload = (size: number, blockSize: number) => (size <= blockSize ? PEER.payload.small : PEER.payload.large);
/** What the peer does on the wire, printed and in the JSON line. */
const PEER = { client: 'minio-go v7.4.1', payload: { small: 'signed', large: 'unsigned' }, multipart: false, addressing: 'path' } as const;

async function main(): Promise<void> {
  const durationS = Number(process.env.BENCH_S3_DURATION ?? 8);
  const rounds = Number(process.env.BENCH_S3_ROUNDS ?? 2);
  const only = process.env.BENCH_S3_ONLY?.split(',').map((x) => x.trim());
  const unknown = only?.filter((x) => !WORKLOADS.some((w) => w.name === x));
  if (unknown?.length) throw new Error(`BENCH_S3_ONLY: no workload ${unknown.join(', ')} (${WORKLOADS.map((w) => w.name).join(', ')})`);
  const loadStart = loadavg().map((l) => round(l));
  const url = serviceTarget('STORBENCH_TEST_CEPH', 'ceph');
  const target = parseTarget(url);
  const sdkTarget = parseTarget(url, { client: 'sdk' });
  const dir = mkdtempSync(join(tmpdir(), 'storbench-bench-s3-'));
  const store = openStore(join(dir, 'bench.db'));
  const probe = await openDriver(target, CONCURRENCY);
  const system = probe.system();
  const environment = probe.environment();
  const semantics = probe.semantics();
  await probe.close();
  const peer = await peerBase(target);
  console.log(
    `bench:s3 on ${target.redacted} (${system}, ${String(environment.sdk)}): concurrency ${CONCURRENCY}, ` +
      `${durationS}s per phase, ${rounds} round(s) of ${SIDES.map((s) => LABEL[s]).join(', ')}, ABBA order; load average ${loadStart.join(' ')}`,
  );
  const sdkPath = 'the SDK request path, as the minimal loop';
  console.log(
    `  storbench: client ${String(semantics.client)} (its default); one PutObject up to ` +
      `multipartThreshold ${String(semantics.multipartThreshold)} B, ${String(semantics.addressingStyle)}-style, checksum ${String(semantics.checksumMode)}, ` +
      `keep-alive maxSockets ${String(environment.maxSockets)}, ${String(semantics.sdkMaxAttempts)} attempt(s)`,
  );
  console.log(`  ${LABEL.storbenchSdk}: the same target with client=sdk: ${sdkPath}`);
  console.log(
    '  minimal:   the same SDK client (createS3Client); over http the SDK signs a buffer body (4 KiB) with its SHA-256 and sends a stream ' +
      '(16 MiB, 1 MiB blocks) as UNSIGNED-PAYLOAD with Expect: 100-continue; no checksum header',
  );
  console.log(
    `  peer:      ${PEER.client} (Go), one PUT (never multipart), 4 KiB ${PEER.payload.small} (x-amz-content-sha256 = SHA-256 of the body, ` +
      `hashed per request), 16 MiB ${PEER.payload.large} (UNSIGNED-PAYLOAD, no Expect: 100-continue), ${PEER.addressing}-style, ` +
      `no checksum trailer, keep-alive MaxIdleConnsPerHost ${CONCURRENCY * 2}, 1 attempt; GET read to the end (io.Copy)`,
  );

  const rows: Record<string, Partial<Record<Side, Figures>> & { ratio: Ratio; peerRatio: Ratio; sdkPeerRatio: Ratio }> = {};
  const loads: PhaseLoad[] = [];
  const phase = (side: Side, w: Workload, durationMs: number, r: number): Promise<Phase> => {
    if (side === 'storbench') return storbenchPhase(target, store, w.name, w.size, durationMs);
    if (side === 'storbenchSdk') return storbenchPhase(sdkTarget, store, w.name, w.size, durationMs);
    if (side === 'minimal') return minimalPhase(target, w, durationMs, r);
    return peerPhase(target, peer, w, durationMs, r);
  };
  try {
    for (const w of WORKLOADS.filter((x) => only === undefined || only.includes(x.name))) {
      const phases = Object.fromEntries(SIDES.map((s) => [s, [] as Phase[]])) as Record<Side, Phase[]>;
      const small = parseSize(w.size, 'size') <= 4 * 1048576;
      if (small) {
        // Untimed warm-up of every side: the first phase of a process pays for compiling the SDK's request path
        // (the first 4 KiB phase measured about twice the CPU per operation of later ones), and ABBA alone would
        // put that on whichever side comes first.
        for (const side of SIDES) await phase(side, w, 2000, -1);
      }
      for (let r = 0; r < rounds; r++) {
        // ABBA: the sides in order in even rounds, reversed in odd ones.
        const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
        for (const side of order) {
          const start = load1();
          const last = await phase(side, w, durationS * 1000, r);
          phases[side].push(last);
          loads.push({ workload: w.name, round: r + 1, side, start, end: load1() });
          // RGW removes deleted objects' tails (past 4 MiB) by garbage collection 5 s after the delete (the ceph
          // service's setting): let it finish, so one side's garbage does not slow the next side's phase.
          await new Promise((r) => setTimeout(r, small ? 1000 : 12_000));
          console.log(
            `  ${w.name.padEnd(10)} round ${r + 1} ${LABEL[side].padEnd(13)} ${(last.count / last.seconds).toFixed(1).padStart(8)} ops/s` +
              `  load ${start.toFixed(2)} -> ${loads.at(-1)!.end.toFixed(2)}${last.errors ? `  (${last.errors} errors)` : ''}`,
          );
        }
      }
      const f = Object.fromEntries(SIDES.map((s) => [s, figures(phases[s])])) as Record<Side, Figures>;
      rows[w.name] = {
        ...f,
        ratio: ratio(f.storbench, f.minimal),
        peerRatio: ratio(f.storbench, f.peer),
        sdkPeerRatio: ratio(f.storbenchSdk, f.peer),
      };
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const ms = (us: number) => (us / 1000).toFixed(1);
  const ratioLine = (label: string, r: Ratio) =>
    `${''.padEnd(11)} ${label.padEnd(15)} ${`${r.opsPerSec}x`.padStart(8)} ${`${r.mibPerSec}x`.padStart(10)} ` +
    `${''.padStart(9)} ${`${r.p99}x`.padStart(8)} ${`${r.cpuPerOp}x`.padStart(10)}`;
  console.log('');
  console.log('workload    side                ops/s      MiB/s    p50 ms   p99 ms  CPU µs/op  errors  reported ops/s');
  for (const [name, row] of Object.entries(rows)) {
    SIDES.forEach((side, i) => {
      const f = row[side]!;
      console.log(
        `${(i === 0 ? name : '').padEnd(11)} ${LABEL[side].padEnd(15)} ${f.opsPerSec.toFixed(1).padStart(8)} ` +
          `${f.mibPerSec.toFixed(2).padStart(10)} ${ms(f.p50Us).padStart(9)} ${ms(f.p99Us).padStart(8)} ${String(f.cpuUsPerOp).padStart(10)} ` +
          `${String(f.errors).padStart(7)}  ${side.startsWith('storbench') ? f.reportedOpsPerSec.toFixed(1).padStart(14) : ''}`,
      );
    });
    console.log(ratioLine('storbench/peer', row.peerRatio));
    if (row.sdkPeerRatio) console.log(ratioLine('sdk/peer', row.sdkPeerRatio));
    console.log(ratioLine('storbench/min', row.ratio));
  }
  const lowest = (pick: (r: (typeof rows)[string]) => Ratio) => Math.min(...Object.values(rows).map((r) => pick(r).opsPerSec));
  const worst = lowest((r) => r.ratio);
  const worstPeer = lowest((r) => r.peerRatio);
  const loadEnd = loadavg().map((l) => round(l));
  console.log(`\nops/s and MiB/s count operations that ended inside each ${durationS}s window, for every side; "reported" is`);
  console.log(`storbench's own figure, which also counts operations that ended while draining. CPU µs/op is each side's own`);
  console.log(`process (user + system): storbench's and the minimal loop's share this bench's process, the peer is its own.`);
  console.log(`lowest storbench/minimal throughput ratio: ${worst}x`);
  console.log(`lowest storbench/peer throughput ratio: ${worstPeer}x (target: at least ${PEER_TARGET.toFixed(1)}x)`);
  console.log(`load average at start ${loadStart.join(' ')}, at end ${loadEnd.join(' ')} (${SIDES.length} sides; 2-core machine shared)`);
  console.log(
    JSON.stringify({
      bench: 's3',
      target: target.redacted,
      system,
      sdk: environment.sdk,
      peer: PEER,
      sides: SIDES,
      concurrency: CONCURRENCY,
      durationS,
      rounds,
      workloads: rows,
      cpuUsPerOp: Object.fromEntries(Object.entries(rows).map(([name, row]) => [name, Object.fromEntries(SIDES.map((s) => [s, row[s]!.cpuUsPerOp]))])),
      lowestOpsRatio: worst,
      lowestPeerRatio: worstPeer,
      meetsTarget: worstPeer >= PEER_TARGET,
      loadAverage: { start: loadStart, end: loadEnd, phases: loads },
    }),
  );
}

await main();
