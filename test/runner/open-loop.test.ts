/**
 * Open-loop sleeps (review D2): a worker waiting for its next due time wakes at the stop signal and never
 * sleeps past the run's end, whatever the rate (the specs here bypass the workload's own rate bounds).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../../src/drivers/target.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { loadWorkload, type WorkloadSpec } from '../../src/workloads/spec.js';

/** put-small on null:// in one event loop, at `rate` ops/s with `overrides`. */
const spec = (rate: number, overrides: Record<string, unknown>): WorkloadSpec => ({
  ...loadWorkload('put-small', { threads: 1, concurrency: 16, warmup: 0, ...overrides }),
  rate,
});

async function timedRun(s: WorkloadSpec, signal?: AbortSignal) {
  const store = openStore(':memory:');
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const t0 = performance.now();
  try {
    const r = await runBenchmark({ target: parseTarget('null://'), spec: s, store, ...(signal ? { signal } : {}) });
    return { r, seconds: (performance.now() - t0) / 1000, warnings };
  } finally {
    process.off('warning', onWarning);
    store.close();
  }
}

test('a rate whose next due times fall after the end: the run ends at its duration', async () => {
  // 16 workers at 1 op/s: operation 15 was due 15 s after the start of a 1 s run
  const { r, seconds } = await timedRun(spec(1, { duration: '1s' }));
  assert.equal(r.status, 'completed');
  assert.ok(seconds < 3, `ended after ${seconds.toFixed(1)}s`);
  assert.ok(r.measuredSeconds >= 0.95, `measured ${r.measuredSeconds}s: the run lasts its duration`);
  assert.equal(r.ops[0]!.count, 1);
});

test('an absurdly small rate neither overflows a timer nor outlives the run', async () => {
  const { r, seconds, warnings } = await timedRun(spec(1e-300, { duration: '500ms' }));
  assert.equal(r.status, 'completed');
  assert.ok(seconds < 3, `ended after ${seconds.toFixed(1)}s`);
  assert.deepEqual(
    warnings.filter((w) => w === 'TimeoutOverflowWarning'),
    [],
  );
});

test('the stop signal wakes workers sleeping to their due time', async () => {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 500);
  // the next operation is due in 100 s; Ctrl-C after half a second must not wait for it (nor for the drain)
  const { r, seconds } = await timedRun(spec(0.01, { duration: '200s' }), abort.signal);
  assert.equal(r.status, 'interrupted');
  assert.ok(seconds < 3, `ended after ${seconds.toFixed(1)}s`);
});
