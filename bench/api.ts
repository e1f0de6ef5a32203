/**
 * npm run bench:api — can the API keep up with readers of a large results database?
 * Seeds a database with 1,000 completed runs (8 op types each, per-second segments and real HDR histograms),
 * starts `storbench serve` on it in its own process, and drives /api/matrix, /api/runs, one run's API
 * (/api/runs/:id, percentile curves decoded from its histograms) and that run's page with autocannon for
 * BENCH_SECONDS (default 10) each. Targets on a 2-core machine: >= 3,000 requests/s and p99 < 25 ms for the
 * API routes. Ends with one JSON line of the figures.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

function seed(): { runId: string; seconds: number } {
  const t0 = performance.now();
  const store = openStore(dbPath);
  const ids = seedStore(store, { runs: RUNS, allOps: true, seconds: 30, samples: 1000, extras: false });
  store.close();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `seeded ${ids.length} runs × 8 ops (30 s of segments, HDR histograms) in ${seconds.toFixed(1)} s: ${(statSync(dbPath).size / 1048576).toFixed(1)} MiB`,
  );
  return { runId: ids[Math.floor(ids.length / 2)]!, seconds };
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/storbench.cjs', 'serve', '--port', '0', '--db', dbPath], {
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
}

async function drive(base: string, route: string, path: string): Promise<Figure> {
  // The first request computes the answer (store queries, histogram decoding); later ones hit the answer
  // cache until the database changes. Both are reported.
  const t0 = performance.now();
  const first = await fetch(base + path);
  await first.arrayBuffer();
  const coldMs = Math.round((performance.now() - t0) * 10) / 10;
  if (!first.ok) throw new Error(`${path}: ${first.status}`);
  // One short warm-up fills the server's answer cache and JIT, as a dashboard in use would have.
  await autocannon({ url: base + path, connections: 2, duration: 1 });
  const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS });
  const figure = {
    route,
    coldMs,
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  console.log(
    `${route.padEnd(18)} first ${String(coldMs).padStart(6)} ms   ${String(figure.requestsPerSec).padStart(7)} req/s   p50 ${String(figure.p50Ms).padStart(3)} ms   p99 ${String(figure.p99Ms).padStart(3)} ms   errors ${figure.errors}   non-2xx ${figure.non2xx}`,
  );
  return figure;
}

async function main(): Promise<void> {
  console.log(
    `bench:api — ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on this machine counts against these figures)`,
  );
  const { runId, seconds: seedSeconds } = seed();
  const server = await startServer();
  const figures: Figure[] = [];
  try {
    console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per route, against ${server.url}`);
    figures.push(await drive(server.url, '/api/matrix', '/api/matrix'));
    figures.push(await drive(server.url, '/api/runs', '/api/runs'));
    figures.push(await drive(server.url, '/api/runs/:id', `/api/runs/${runId}`));
    figures.push(await drive(server.url, '/run.html (page)', `/run.html?id=${runId}`));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const api = figures.filter((f) => f.route.startsWith('/api'));
  const pass = api.every((f) => f.requestsPerSec >= TARGET_RPS && f.p99Ms < TARGET_P99_MS && f.errors === 0 && f.non2xx === 0);
  console.log(
    `targets (API routes): >= ${TARGET_RPS} req/s and p99 < ${TARGET_P99_MS} ms: ${pass ? 'met' : 'NOT met'}; load average after: ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'api',
      runs: RUNS,
      opsPerRun: 8,
      seconds: SECONDS,
      connections: CONNECTIONS,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      loadAverage: loadavg()[0],
      routes: figures,
      targetsMet: pass,
    }),
  );
}

await main();
