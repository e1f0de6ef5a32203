/**
 * `npm run bench:distributed`: what a multi-client run costs and whether its merge loses anything.
 * 1. `run --engine local --clients N` for N = 1, 2, 4 on null:// and mem:// (each agent its own memory), put-small,
 *    alternating targets: the merged ops/s against the sum of the agents' own ops/s (target: ratio 1.00, the merge
 *    loses nothing), start skew p50/max over the clients, launch-to-registered and registered-to-start times.
 * 2. The coordinator alone (`run --engine external --clients 64`) while 64 simulated agents (one process holding 64
 *    connections that speak the agent protocol) register, stream heartbeats with their record sets every second
 *    and send real HDR histograms at the end: the coordinator's peak RSS and CPU (target < 300 MB), and the time to
 *    merge the 64 clients (the runner's aggregate over their sets, plus each client's breakdown; target < 1 s).
 * Prints the load average with each figure; ends with one JSON line.
 *
 * Environment: BENCH_DISTRIBUTED_SECONDS (measured seconds per run, default 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../src/results/sqlite-store.js';
import type { RunDetail } from '../src/results/types.js';
import { aggregate } from '../src/runner/aggregate.js';
import { Recorder } from '../src/runner/recorder.js';
import { MIX_OPS } from '../src/workloads/spec.js';

const SECONDS = Number(process.env.BENCH_DISTRIBUTED_SECONDS ?? 5);
const CLIENT_COUNTS = [1, 2, 4];
const TARGETS = ['null://', 'mem://bench-distributed'];
const SIMULATED = 64;
const bin = new URL('../bin/storbench.cjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'storbench-bench-distributed-'));
const load = () => loadavg()[0]!.toFixed(2);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r2 = (v: number) => Math.round(v * 100) / 100;

function storedRun(db: string, runId: string): RunDetail {
  const store = openStore(db);
  try {
    return store.getRun(runId)!;
  } finally {
    store.close();
  }
}

interface Row {
  target: string;
  clients: number;
  mergedOpsPerSec: number;
  sumOfClientsOpsPerSec: number;
  ratio: number;
  skewP50Ms: number;
  skewMaxMs: number;
  registrationMs: number;
  startAfterRegistrationMs: number;
  load1: string;
}

const rows: Row[] = [];
console.log(`bench:distributed: --engine local, put-small, ${SECONDS}s measured, concurrency 8 per client; load average ${load()} at start`);
for (const clients of CLIENT_COUNTS) {
  for (const target of clients % 2 ? TARGETS : [...TARGETS].reverse()) {
    const db = join(dir, `${clients}-${target.slice(0, 3)}.db`);
    const r = spawnSync(
      process.execPath,
      [
        bin,
        'run',
        '--engine',
        'local',
        '--clients',
        String(clients),
        '--target',
        target,
        '--workload',
        'put-small',
        '--duration',
        `${SECONDS}s`,
        '--warmup',
        '1s',
        '--concurrency',
        String(8 * clients),
        '--db',
        db,
        '--json',
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status !== 0) throw new Error(`run on ${target} with ${clients} clients failed (${r.status}): ${r.stderr}`);
    const run = storedRun(db, JSON.parse(r.stdout).runId);
    const merged = run.ops.reduce((s, o) => s + o.opsPerSec, 0);
    const sum = run.clients.reduce((s, c) => s + c.ops.reduce((t, o) => t + o.opsPerSec, 0), 0);
    const skews = run.clients.map((c) => Math.abs(c.startSkewMs ?? 0));
    const row: Row = {
      target,
      clients,
      mergedOpsPerSec: Math.round(merged),
      sumOfClientsOpsPerSec: Math.round(sum),
      ratio: Math.round((merged / sum) * 1000) / 1000,
      skewP50Ms: r2(median(skews)),
      skewMaxMs: r2(Math.max(...skews)),
      registrationMs: Number(run.environment.registrationMs),
      startAfterRegistrationMs: Number(run.environment.startAfterRegistrationMs),
      load1: load(),
    };
    rows.push(row);
    console.log(
      `  ${target.padEnd(24)} ${clients} client(s): merged ${row.mergedOpsPerSec.toLocaleString('en-US')} ops/s, sum of clients ${row.sumOfClientsOpsPerSec.toLocaleString('en-US')} ops/s, ratio ${row.ratio.toFixed(3)}; start skew p50 ${row.skewP50Ms} ms, max ${row.skewMaxMs} ms; launch→registered ${row.registrationMs} ms, registered→start ${row.startAfterRegistrationMs} ms; load ${row.load1}`,
    );
  }
}

// --- 2. the coordinator with 64 simulated agents -------------------------------------------------------------------
/** Record sets as an agent sends them: a real recorder fed `seconds` of latencies for a few op types. */
function recordSet(seed: number, seconds: number): ReturnType<Recorder['snapshot']> {
  const recorder = new Recorder();
  recorder.startWindow(0);
  let x = seed;
  for (const op of ['read', 'write', 'stat']) {
    const stats = recorder.op(op);
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      stats.ok(((i % (seconds * 1000)) | 0) + 0.5, 50 + (x % 200_000), 4096);
    }
  }
  return recorder.snapshot();
}

const simulator = `
const net = await import('node:net');
const { performance } = await import('node:perf_hooks');
const [host, port] = process.argv[1].split(':');
const n = Number(process.argv[2]); const seconds = Number(process.argv[3]);
const sets = JSON.parse((await import('node:fs')).readFileSync(process.argv[4], 'utf8'));
const clock = () => performance.timeOrigin + performance.now();
let finished = 0;
for (let rank = 0; rank < n; rank++) {
  const s = net.connect({ host, port: Number(port) });
  const say = (m) => s.write(JSON.stringify(m) + '\\n');
  let buf = ''; let timer;
  s.on('connect', () => say({ t: 'hello', token: process.env.STORBENCH_AGENT_TOKEN, rank, host: 'sim-' + rank, pid: 100000 + rank, version: process.env.SIM_VERSION }));
  s.on('data', (d) => {
    buf += d; let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
      if (m.t === 'welcome') { say({ t: 'ping', id: 0 }); }
      else if (m.t === 'pong') { say({ t: 'ready', offsetMs: 0, rttMs: 0.2 }); }
      else if (m.t === 'start') {
        const set = sets[rank % sets.length];
        setTimeout(() => {
          let beat = 0;
          timer = setInterval(() => {
            beat++;
            say({ t: 'beat', totals: { ops: beat * 1000, bytes: beat * 4096000, errors: 0, p99Us: 900 }, sets: [set], measuredSeconds: beat });
            if (beat >= seconds) { clearInterval(timer); say({ t: 'done', sets: [set], measuredSeconds: seconds, startSkewMs: 0.1, environment: {} }); }
          }, 1000);
        }, Math.max(0, m.at - clock()));
      } else if (m.t === 'bye') { s.end(); if (++finished === n) process.exit(0); }
    }
  });
  s.on('error', (e) => { console.error('rank ' + rank + ': ' + e.message); process.exit(1); });
}
setTimeout(() => process.exit(3), 120000);
`;

const setsFile = join(dir, 'sets.json');
const sets = Array.from({ length: 8 }, (_, i) => recordSet(i + 1, SECONDS));
writeFileSync(setsFile, JSON.stringify(sets));
const version = (await import('../src/version.js')).STORBENCH_VERSION;
const token = 'bench-distributed-token-0123456789';
const db64 = join(dir, 'sim.db');
const coordinator = spawn(
  process.execPath,
  [
    bin,
    'run',
    '--engine',
    'external',
    '--clients',
    String(SIMULATED),
    '--coordinator-bind',
    '127.0.0.1:0',
    '--target',
    'null://',
    '--workload',
    'put-small',
    '--duration',
    `${SECONDS}s`,
    '--warmup',
    '0s',
    '--concurrency',
    String(SIMULATED),
    '--db',
    db64,
    '--json',
  ],
  { env: { ...process.env, STORBENCH_AGENT_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
);
let coordOut = '';
let coordErr = '';
coordinator.stdout.on('data', (d) => (coordOut += d));
coordinator.stderr.on('data', (d) => (coordErr += d));
// the coordinator's node process (bin/storbench.cjs runs in it): its port, then its RSS and CPU from /proc
const coordPid = coordinator.pid!;
let address: string | undefined;
for (let i = 0; i < 600 && !address; i++) {
  await new Promise((r) => setTimeout(r, 100));
  const ss = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout;
  const line = ss.split('\n').find((l) => l.includes(`pid=${coordPid},`) && l.includes('127.0.0.1:'));
  address = line ? /127\.0\.0\.1:(\d+)/.exec(line)?.[0] : undefined;
}
if (!address) throw new Error(`the coordinator never listened: ${coordErr}`);
const sim = spawnSync(process.execPath, ['--input-type=module', '-e', simulator, address, String(SIMULATED), String(SECONDS), setsFile], {
  env: { ...process.env, STORBENCH_AGENT_TOKEN: token, SIM_VERSION: version },
  encoding: 'utf8',
  timeout: 180_000,
});
const status = readFileSync(`/proc/${coordPid}/status`, 'utf8');
const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
const stat = readFileSync(`/proc/${coordPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks of 1/100 s
const code = await new Promise<number | null>((resolve) => coordinator.on('exit', resolve));
if (sim.status !== 0 || code !== 0) throw new Error(`64-agent run failed: simulator ${sim.status} ${sim.stderr}; coordinator ${code} ${coordErr}`);
const run64 = storedRun(db64, JSON.parse(coordOut).runId);
// the merge itself: the runner's aggregate over the 64 clients' sets, and each client's own
const allSets = Array.from({ length: SIMULATED }, (_, r) => sets[r % sets.length]!);
const t0 = performance.now();
aggregate(allSets, SECONDS, MIX_OPS);
for (const s of allSets) aggregate([s], SECONDS, MIX_OPS);
const mergeMs = Math.round(performance.now() - t0);
console.log(
  `coordinator with ${SIMULATED} simulated agents (${run64.clients.length} clients stored, ${run64.ops.reduce((s, o) => s + o.count, 0).toLocaleString('en-US')} ops merged): peak RSS ${peakRssMb} MB (target < 300 MB), CPU ${cpuSeconds.toFixed(2)} s over the run; merge of ${SIMULATED} clients ${mergeMs} ms (target < 1000 ms); load ${load()}`,
);
rmSync(dir, { recursive: true, force: true });

const ratios = rows.map((r) => r.ratio);
const worstRatio = Math.min(...ratios);
console.log(`merged/sum ratio: worst ${worstRatio.toFixed(3)} (target 1.00)`);
console.log(
  JSON.stringify({
    bench: 'distributed',
    seconds: SECONDS,
    runs: rows,
    worstRatio,
    coordinator64: { agents: SIMULATED, peakRssMb, cpuSeconds, mergeMs },
    targetsMet: { ratio: worstRatio >= 0.995 && Math.max(...ratios) <= 1.005, rss: peakRssMb < 300, merge: mergeMs < 1000 },
    loadAvgEnd: loadavg().map((v) => r2(v)),
  }),
);
