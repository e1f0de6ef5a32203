/**
 * npm run bench:api — can the API keep up with readers of a large results database?
 * Seeds a database with 1,000 completed runs (8 op types each, per-second segments and real HDR histograms),
 * starts `storbench serve` on it in its own process, and drives /api/matrix, /api/runs, one run's API
 * (/api/runs/:id, percentile curves decoded from its histograms), a comparison of two runs (/api/compare,
 * overlaid curves) and that run's page with autocannon for BENCH_SECONDS (default 10) each. Targets on a
 * 2-core machine, for every route: >= 3,000 requests/s and p99 <= 25 ms. Each route's line carries the load
 * average when it was measured (autocannon and the server share the cores with whatever else runs). Ends
 * with one JSON line of the figures, each route with its pass or fail. BENCH_SERVE_NODE_ARGS adds node
 * options to the server's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openStore } from '../src/results/sqlite-store.js';
import { seedStore } from '../test/dashboard/seed.js';

const RUNS = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGET_RPS = 3000;
const TARGET_P99_MS = 25;

const dir = mkdtempSync(join(tmpdir(), 'storbench-bench-api-'));
const dbPath = join(dir, 'bench.db');

function seed(): { runIds: string[]; seconds: number } {
  const t0 = performance.now();
  const store = openStore(dbPath);
  const ids = seedStore(store, { runs: RUNS, allOps: true, seconds: 30, samples: 1000, extras: false });
  store.close();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `seeded ${ids.length} runs × 8 ops (30 s of segments, HDR histograms) in ${seconds.toFixed(1)} s: ${(statSync(dbPath).size / 1048576).toFixed(1)} MiB`,
  );
  return { runIds: ids, seconds };
}

/** Ticks of /proc/PID/stat's utime and stime: USER_HZ, 100 on Linux (glibc's sysconf(_SC_CLK_TCK)). */
const TICK_US = 10_000;

/**
 * CPU time the process has used, in µs (all its threads), from /proc; undefined where there is none. The
 * figure the load average does not bend: what one request costs the server, whatever else shares the cores.
 */
function cpuUs(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return undefined;
  }
}

interface Server {
  readonly url: string;
  /** CPU µs the server process has used so far. */
  readonly cpuUs: () => number | undefined;
  readonly stop: () => Promise<void>;
}

async function startServer(): Promise<Server> {
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'bin/storbench.cjs', 'serve', '--port', '0', '--db', dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STORBENCH_TOKEN: '' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out}`));
    });
  });
  return {
    url,
    cpuUs: () => cpuUs(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Figure {
  route: string;
  coldMs: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Server CPU per request answered while driven (µs; null where /proc is missing). */
  serverCpuUsPerRequest: number | null;
  /** The 1-minute load average just after the route was driven. */
  loadAverage: number;
  pass: boolean;
}

const loadAverages = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function drive(server: Server, route: string, path: string): Promise<Figure> {
  const base = server.url;
  // The first request computes the answer (store queries, histogram decoding); later ones hit the answer
  // cache until the database changes. Both are reported.
  const t0 = performance.now();
  const first = await fetch(base + path);
  await first.arrayBuffer();
  const coldMs = Math.round((performance.now() - t0) * 10) / 10;
  if (!first.ok) throw new Error(`${path}: ${first.status}`);
  // One short warm-up fills the server's answer cache and JIT, as a dashboard in use would have.
  await autocannon({ url: base + path, connections: 2, duration: 1 });
  const cpuBefore = server.cpuUs();
  const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS });
  const cpuAfter = server.cpuUs();
  const serverCpuUsPerRequest =
    cpuBefore === undefined || cpuAfter === undefined || r.requests.total === 0 ? null : Math.round((cpuAfter - cpuBefore) / r.requests.total);
  const requestsPerSec = Math.round(r.requests.average);
  const errors = r.errors + r.timeouts;
  const figure: Figure = {
    route,
    coldMs,
    requestsPerSec,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors,
    non2xx: r.non2xx,
    serverCpuUsPerRequest,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    pass: requestsPerSec >= TARGET_RPS && r.latency.p99 <= TARGET_P99_MS && errors === 0 && r.non2xx === 0,
  };
  console.log(
    `${route.padEnd(18)} first ${String(coldMs).padStart(6)} ms   ${String(requestsPerSec).padStart(7)} req/s   p50 ${String(figure.p50Ms).padStart(3)} ms   p99 ${String(figure.p99Ms).padStart(3)} ms   server ${String(serverCpuUsPerRequest ?? '?').padStart(4)} µs CPU/req   errors ${errors}   non-2xx ${figure.non2xx}   ${figure.pass ? 'pass' : 'FAIL'}   load ${loadAverages()}`,
  );
  return figure;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  console.log(`bench:api — ${cpus().length} cores, load average ${loadAverages()} (other work on this machine counts against these figures)`);
  const { runIds, seconds: seedSeconds } = seed();
  const runId = runIds[Math.floor(runIds.length / 2)]!;
  const server = await startServer();
  const figures: Figure[] = [];
  try {
    console.log(
      `autocannon: ${CONNECTIONS} connections, ${SECONDS} s per route, against ${server.url}; target per route: >= ${TARGET_RPS} req/s and p99 <= ${TARGET_P99_MS} ms`,
    );
    figures.push(await drive(server, '/api/matrix', '/api/matrix'));
    figures.push(await drive(server, '/api/runs', '/api/runs'));
    figures.push(await drive(server, '/api/runs/:id', `/api/runs/${runId}`));
    figures.push(await drive(server, '/api/compare', `/api/compare?ids=${runId},${runIds[0]}`));
    figures.push(await drive(server, '/run.html (page)', `/run.html?id=${runId}`));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const pass = figures.every((f) => f.pass);
  const failed = figures.filter((f) => !f.pass).map((f) => f.route);
  console.log(
    `targets (every route): >= ${TARGET_RPS} req/s and p99 <= ${TARGET_P99_MS} ms: ${pass ? 'met' : `NOT met (${failed.join(', ')})`}; load average after: ${loadAverages()}`,
  );
  console.log(
    JSON.stringify({
      bench: 'api',
      runs: RUNS,
      opsPerRun: 8,
      seconds: SECONDS,
      connections: CONNECTIONS,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      cores: cpus().length,
      loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
      targets: { requestsPerSec: TARGET_RPS, p99Ms: TARGET_P99_MS },
      routes: figures,
      targetsMet: pass,
    }),
  );
}

await main();
