import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { collect } from '../../src/drivers/keys.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Warning } from '../../src/drivers/types.js';
import { UsageError } from '../../src/errors.js';
import { runWarnings } from '../../src/report/compare.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { ResultsStore, RunRecord } from '../../src/results/types.js';
import { runBenchmark } from '../../src/runner/run.js';
import { autoThreadsRefusal } from '../../src/runner/threading.js';
import { runThreads } from '../../src/runner/threads.js';
import { loadWorkload } from '../../src/workloads/spec.js';
import { listKeys, openDriver } from '../support/drivers.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function memKeys(name: string): Promise<string[]> {
  return listKeys(await openDriver(`mem://${name}`), '');
}

test('a run touches only its own prefix and cleans up what it created', async () => {
  const d = await openDriver('mem://iso');
  await d.write('user-data/keep-me', Buffer.from('precious'));
  await d.write('storbench/other-run/obj', Buffer.from('not mine'));
  const store = openStore(':memory:');
  const r = await runBenchmark({
    target: parseTarget('mem://iso'),
    spec: loadWorkload('mixed', { duration: '300ms', objects: 50, size: '1KiB', concurrency: 4 }),
    store,
  });
  assert.equal(r.status, 'completed');
  assert.deepEqual((await memKeys('iso')).sort(), ['storbench/other-run/obj', 'user-data/keep-me']);
  assert.equal((await collect((await d.read('user-data/keep-me')).body)).toString(), 'precious');
  const run = store.getRun(r.runId)!;
  assert.equal(run.environment.keyPrefix, `storbench/${r.runId}/`);
  assert.ok(run.ops.find((o) => o.op === 'read')!.count > 0);
  store.close();
});

test('a workload needing a capability the driver lacks is refused before anything is written', async () => {
  const store = openStore(':memory:');
  await assert.rejects(
    runBenchmark({ target: parseTarget('null://'), spec: loadWorkload('get-small', { verify: true, duration: '1s' }), store }),
    (e) => e instanceof UsageError && e.code === 'STORBENCH_ERR_CAPABILITY' && /verify/.test(e.message),
  );
  assert.equal(store.listRuns().total, 0);
  store.close();
});

test('verify: a corrupted object is reported as Corrupt errors, never as a good read', async () => {
  const store = openStore(':memory:');
  const spec = loadWorkload('get-small', { duration: '300ms', objects: 20, verify: true, concurrency: 2, keys: 'sequential' });
  const r = await runBenchmark({
    target: parseTarget('mem://verify'),
    spec,
    store,
    beforeMeasure: async (driver) => {
      for await (const page of driver.list('storbench/')) {
        const victim = page[0];
        assert.ok(victim, 'the dataset was prepared');
        const data = await collect((await driver.read(victim.key)).body);
        data[100] = data[100]! ^ 0xff;
        await driver.write(victim.key, data);
        break;
      }
      return { tampered: true };
    },
  });
  const read = r.ops.find((o) => o.op === 'read')!;
  assert.ok(read.count > 0, 'untouched objects read fine');
  assert.ok(read.errorsByKind.Corrupt! > 0, 'the tampered object is caught');
  const run = store.getRun(r.runId)!;
  assert.match(run.errors.find((e) => e.kind === 'Corrupt')!.message, /differs from what was written at byte 100/);
  assert.equal(run.environment.tampered, true);
  store.close();
});

test('open loop: the offered rate is kept and latency counts from the intended start', async () => {
  const store = openStore(':memory:');
  const r = await runBenchmark({ target: parseTarget('mem://rate'), spec: loadWorkload('put-small', { duration: '2s', rate: 100, concurrency: 4 }), store });
  const w = r.ops[0]!;
  // 200 are due; a loaded machine may fall behind a little, never ahead
  assert.ok(w.count >= 160 && w.count <= 202, `~200 ops in 2 s at 100 ops/s, got ${w.count}`);
  assert.ok(w.serviceUs, 'service time is kept apart');
  assert.ok(w.latencyUs.p50 >= w.serviceUs!.p50);
  assert.equal(store.getRun(r.runId)!.loadModel, 'open');
  store.close();
});

test('an aborted run stops early, keeps its figures and is stored as interrupted', async () => {
  const store = openStore(':memory:');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const t0 = Date.now();
  const r = await runBenchmark({ target: parseTarget('mem://abort'), spec: loadWorkload('put-small', { duration: '30s' }), store, signal: controller.signal });
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(r.status, 'interrupted');
  assert.ok(r.ops[0]!.count > 0);
  assert.equal(store.getRun(r.runId)!.status, 'interrupted');
  assert.deepEqual(await memKeys('abort'), [], 'cleanup still ran');
  store.close();
});

test('worker threads: histograms of all threads merged, each thread on its own objects, the whole --duration measured', async () => {
  const store = openStore(':memory:');
  const root = join(dir, 'threads');
  const r = await runBenchmark({
    target: parseTarget(`file://${root}`),
    spec: loadWorkload('get-small', { duration: '1s', objects: 64, threads: 2, concurrency: 4, verify: true }),
    store,
  });
  assert.equal(r.status, 'completed', r.error);
  const read = r.ops[0]!;
  assert.ok(read.count > 0);
  assert.equal(read.errors, 0);
  assert.equal(store.getRun(r.runId)!.environment.threads, 2);
  // The clock starts as the threads' gate opens: their start-up (a worker loads its code and opens its driver:
  // 0.3 s and more, longer under load) is not taken out of the 1 s. Each thread counts its window from its own
  // wake-up, so the load cannot shorten it: a clock started before the start-up measured 0.38 s of 1 s.
  const covered = r.measuredSeconds / 1;
  assert.ok(covered > 0.9, `measured ${r.measuredSeconds} s of 1 s: the threads' start-up was taken out of it`);
  assert.ok(covered <= 1 + 1e-6, `measured ${r.measuredSeconds} s of 1 s: more than planned`);
  store.close();
});

test('worker threads stopped while they start (still at the gate) end the run promptly as interrupted', async () => {
  const store = openStore(':memory:');
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 30); // long before the threads have loaded their code
  const t0 = performance.now();
  const r = await runBenchmark({
    target: parseTarget('null://'),
    spec: loadWorkload('put-small', { duration: '30s', threads: 2, concurrency: 4 }),
    store,
    signal: abort.signal,
  });
  assert.equal(r.status, 'interrupted');
  assert.ok(performance.now() - t0 < 15_000, 'did not run its 30 s');
  store.close();
});

test('threads that cannot open their driver reject ready and done, and none outlives the failure', async () => {
  const stop = new AbortController();
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'not a directory');
  const threads = runThreads({
    target: parseTarget(`file://${aFile}/root`),
    spec: loadWorkload('put-small', { ops: 10, concurrency: 2 }),
    base: 'storbench/x',
    objects: 0,
    threads: 2,
    stop: stop.signal,
  });
  await assert.rejects(threads.ready, /thread \d: file open/);
  await assert.rejects(threads.done, /thread \d: file open/);
});

test('a thread that finishes first does not exit (tearing down its isolate) while another still measures', async () => {
  const exits: number[] = [];
  const watch = (w: import('node:worker_threads').Worker) => {
    w.once('exit', () => exits.push(performance.now()));
  };
  process.on('worker', watch);
  try {
    // one operation for two threads: thread 1 has none and is done at once; thread 0 writes 128 MiB
    const threads = runThreads({
      target: parseTarget(`file://${join(dir, 'park')}`),
      spec: loadWorkload('put-large', { ops: 1, concurrency: 2, size: '128MiB' }),
      base: 'storbench/park',
      objects: 0,
      threads: 2,
      stop: new AbortController().signal,
    });
    await threads.ready;
    threads.start({ warmupMs: 0, stopMs: undefined });
    const { sets } = await threads.done;
    const doneAt = performance.now();
    assert.equal(
      sets.reduce((n, s) => n + s.ops.reduce((m, o) => m + o.count, 0), 0),
      1,
    );
    assert.deepEqual(exits, [], 'no thread exited before all were done');
    while (exits.length < 2) await new Promise((r) => setTimeout(r, 10)); // released: both exit now
    assert.ok(exits.every((t) => t >= doneAt));
  } finally {
    process.off('worker', watch);
  }
});

test('threads auto: a saturated event loop fans out to one thread per core after a one-second probe, and the threads measure the whole --duration, also on a loaded machine', {
  skip: availableParallelism() < 2 && 'one CPU',
}, async () => {
  // a busy loop per core, so that the threads start slowly (seconds): they once started after the planned end
  const hogs = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  try {
    const store = openStore(':memory:');
    const r = await runBenchmark({ target: parseTarget('null://'), spec: loadWorkload('put-small', { duration: '5s', concurrency: 8 }), store });
    assert.equal(r.status, 'completed', r.error);
    const env = store.getRun(r.runId)!.environment;
    assert.equal(env.threads, Math.min(availableParallelism(), 8));
    assert.match(String(env.threadsChoice), /^auto: the event loop saturated \(utilization (0\.9\d|1\.00) in a 1s probe\)/);
    // The clock restarts as the threads start: neither the probe's second nor their start-up is taken out of the
    // 5 s (without the restart at most 4 s of 5 are left, under this load none), and the probe's operations are
    // not counted in it (the window would then be longer than planned).
    const covered = r.measuredSeconds / 5;
    assert.ok(covered > 0.9, `measured ${r.measuredSeconds} s of 5 s: the probe or the threads' start-up was taken out of it`);
    assert.ok(covered <= 1 + 1e-6, `measured ${r.measuredSeconds} s of 5 s: more than planned`);
    assert.ok(r.ops[0]!.count > 0 && r.ops[0]!.errors === 0);
    store.close();
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
  }
});

test('threads auto stays on one event loop when it cannot or need not fan out, and says why', async () => {
  const spec = (over: Record<string, unknown>) => loadWorkload('put-small', { duration: '10s', concurrency: 8, ...over });
  const fileDriver = await createDriver({ target: parseTarget(`file://${dir}`), concurrency: 1 });
  const memDriver = await createDriver({ target: parseTarget('mem://auto'), concurrency: 1 });
  assert.equal(autoThreadsRefusal(spec({}), fileDriver, 2), undefined);
  assert.equal(autoThreadsRefusal(spec({}), fileDriver, 1), 'one CPU');
  assert.equal(autoThreadsRefusal(spec({ concurrency: 1 }), fileDriver, 2), 'concurrency 1');
  assert.match(autoThreadsRefusal(spec({}), memDriver, 2)!, /mem:\/\/ objects live in one thread's memory/);
  assert.match(autoThreadsRefusal(spec({ ops: 100, duration: undefined }), fileDriver, 2)!, /op count/);
  assert.match(autoThreadsRefusal(spec({ duration: '2s' }), fileDriver, 2)!, /shorter than 5s/);
  assert.match(autoThreadsRefusal(loadWorkload('mixed', { duration: '10s', mix: { read: 50, delete: 50 } }), fileDriver, 2)!, /deletes and renames/);
  const store = openStore(':memory:');
  const r = await runBenchmark({ target: parseTarget('mem://auto'), spec: loadWorkload('put-small', { duration: '200ms', concurrency: 4 }), store });
  assert.equal(store.getRun(r.runId)!.environment.threads, 1);
  assert.match(String(store.getRun(r.runId)!.environment.threadsChoice), /^auto: one event loop \(/);
  store.close();
});

test('a named dataset is prepared once and reused by the next run', async () => {
  const store = openStore(':memory:');
  const target = parseTarget(`file://${join(dir, 'ds')}`);
  const spec = loadWorkload('get-small', { duration: '200ms', objects: 30, dataset: 'shared', concurrency: 2 });
  const first = await runBenchmark({ target, spec, store });
  const mtimes = () =>
    readdirSync(join(dir, 'ds'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `${e.name}@${statSync(join(e.parentPath, e.name)).mtimeMs}`)
      .sort();
  const before = mtimes();
  assert.ok(before.length >= 30, 'the dataset is kept after the first run');
  const second = await runBenchmark({ target, spec, store });
  assert.equal(first.status, 'completed');
  assert.equal(second.status, 'completed');
  assert.equal(second.ops[0]!.errors, 0);
  assert.deepEqual(mtimes(), before, 'the second run rewrote nothing');
  store.close();
});

/** Every file under `root`, relative to it, sorted. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

test("a dataset's marker lives inside the dataset's own prefix: every byte a dataset run writes is there", async () => {
  const store = openStore(':memory:');
  const spec = loadWorkload('get-small', { ops: 20, objects: 10, dataset: 'hot', concurrency: 2 });
  for (const fanout of ['2', '0']) {
    const root = join(dir, `marker-${fanout}`);
    const r = await runBenchmark({ target: parseTarget(`file://${root}?fanout=${fanout}`), spec, store });
    assert.equal(r.status, 'completed', r.error);
    const files = filesUnder(root);
    assert.equal(files.length, 11, `ten objects and the marker (fanout=${fanout}): ${files.join(' ')}`);
    assert.deepEqual(
      files.filter((f) => !f.startsWith('storbench/datasets/hot/')),
      [],
      `fanout=${fanout}`,
    );
    assert.ok(
      files.some((f) => f.endsWith('/_dataset.json')),
      `fanout=${fanout}`,
    );
  }
  store.close();
});

test("fanout=0: a user's file named like a dataset's old marker is never written, and dataset hot.json works beside hot", async () => {
  const store = openStore(':memory:');
  const root = join(dir, 'marker-user');
  const target = parseTarget(`file://${root}?fanout=0`);
  mkdirSync(join(root, 'storbench/datasets'), { recursive: true });
  writeFileSync(join(root, 'storbench/datasets/hot.json'), "the user's own file");
  const spec = loadWorkload('get-small', { ops: 20, objects: 10, concurrency: 2 });
  const hot = await runBenchmark({ target, spec: { ...spec, dataset: 'hot' }, store });
  assert.equal(hot.status, 'completed', hot.error);
  assert.equal(readFileSync(join(root, 'storbench/datasets/hot.json'), 'utf8'), "the user's own file");
  const other = parseTarget(`file://${join(dir, 'marker-names')}?fanout=0`);
  for (const dataset of ['hot', 'hot.json']) {
    const r = await runBenchmark({ target: other, spec: { ...spec, dataset }, store });
    assert.equal(r.status, 'completed', `${dataset}: ${r.error}`);
    assert.equal(r.ops[0]!.errors, 0, dataset);
  }
  store.close();
});

test('a dataset prepared with the marker beside it (older storbench) is reused, and that old marker is never written', async () => {
  const store = openStore(':memory:');
  const root = join(dir, 'marker-old');
  const target = parseTarget(`file://${root}?fanout=0`);
  const spec = loadWorkload('get-small', { ops: 20, objects: 10, dataset: 'legacy', concurrency: 2 });
  assert.equal((await runBenchmark({ target, spec, store })).status, 'completed');
  // what an older storbench left: the same marker, beside the dataset's folder
  renameSync(join(root, 'storbench/datasets/legacy/_dataset.json'), join(root, 'storbench/datasets/legacy.json'));
  const before = filesUnder(root).map((f) => `${f}@${statSync(join(root, f)).mtimeMs}`);
  const again = await runBenchmark({ target, spec, store });
  assert.equal(again.status, 'completed', again.error);
  assert.deepEqual(
    filesUnder(root).map((f) => `${f}@${statSync(join(root, f)).mtimeMs}`),
    before,
    'nothing prepared or written again',
  );
  store.close();
});

/** The warnings the runner gave `store` for each run: at open (NewRun) and at the end (RunOutcome). */
function keepWarnings(store: ResultsStore): Map<string, { atOpen?: readonly Warning[]; atEnd?: readonly Warning[] }> {
  const seen = new Map<string, { atOpen?: readonly Warning[]; atEnd?: readonly Warning[] }>();
  const createRun = store.createRun.bind(store);
  const finishRun = store.finishRun.bind(store);
  store.createRun = (run) => {
    seen.set(run.id, { atOpen: run.warnings });
    createRun(run);
  };
  store.finishRun = (id, outcome) => {
    seen.set(id, { ...seen.get(id), atEnd: outcome.warnings });
    finishRun(id, outcome);
  };
  return seen;
}

test("a run stores the driver's warnings at its open and at its end, and its counters as counters.<name>", async () => {
  const store = openStore(':memory:');
  const warnings = keepWarnings(store);
  // the retry layer counts its retries (none against null://)
  const r = await runBenchmark({ target: parseTarget('null://?opRetries=2'), spec: loadWorkload('put-small', { duration: '200ms', concurrency: 2 }), store });
  assert.equal(r.status, 'completed', r.error);
  assert.equal(store.getRun(r.runId)!.environment['counters.layerRetries'], 0);
  assert.deepEqual(warnings.get(r.runId), { atOpen: [], atEnd: [] });
  store.close();
});

test("cache honesty: a dataset another host wrote is read past this host's page cache; one written here is flagged", async () => {
  const store = openStore(':memory:');
  const warnings = keepWarnings(store);
  // file:// says so as its page-cache warning, stored with the run
  const pageCacheFlagged = (run: RunRecord) =>
    run.warnings.some((w) => w.code === 'page-cache') && (warnings.get(run.id)?.atEnd ?? []).some((w) => w.code === 'page-cache');
  const target = parseTarget(`file://${join(dir, 'ds-host')}`);
  const spec = loadWorkload('get-small', { duration: '200ms', objects: 10, dataset: 'hosted', concurrency: 2 });
  const here = await runBenchmark({ target, spec, store });
  assert.equal(here.status, 'completed', here.error);
  const again = store.getRun((await runBenchmark({ target, spec, store })).runId)!;
  assert.equal(again.environment.datasetWrittenBy, hostname());
  assert.ok(pageCacheFlagged(again), 'written on this host: its page cache may hold it');
  assert.ok(runWarnings(again).some((w) => w.startsWith("reads may have been served from the client's page cache")));
  // the marker as another host running storbench on the same file system would have left it
  const driver = await createDriver({ target, concurrency: 1 });
  await driver.open();
  const marker = JSON.parse((await collect((await driver.read('storbench/datasets/hosted/_dataset.json')).body)).toString('utf8')) as Record<string, unknown>;
  await driver.write('storbench/datasets/hosted/_dataset.json', Buffer.from(JSON.stringify({ ...marker, writtenBy: 'another-host' })));
  await driver.close();
  const elsewhere = store.getRun((await runBenchmark({ target, spec, store })).runId)!;
  assert.equal(elsewhere.status, 'completed');
  assert.ok(!pageCacheFlagged(elsewhere));
  assert.match(String(elsewhere.environment.cacheHonesty), /read by another client: dataset hosted was written by host another-host/);
  assert.ok(!runWarnings(elsewhere).some((w) => w.includes('page cache')));
  const mixed = store.getRun((await runBenchmark({ target, spec: { ...spec, mix: { read: 50, write: 50 }, writes: 'overwrite' }, store })).runId)!;
  assert.ok(pageCacheFlagged(mixed), "reads may see this run's own writes: still flagged");
  store.close();
});

test('a run in which every operation failed is stored as failed, with its figures and why, never thrown', async () => {
  const store = openStore(':memory:');
  const spec = loadWorkload('get-small', { duration: '200ms', objects: 10 });
  const r = await runBenchmark({
    target: parseTarget('mem://gone'),
    spec,
    store,
    beforeMeasure: async (driver) => {
      await driver.deletePrefix('storbench/');
    },
  });
  assert.equal(r.status, 'failed');
  assert.match(r.error!, /^every operation failed \(\d+ errors, most read NotFound: /);
  assert.ok(r.ops[0]!.errorsByKind.NotFound! > 0);
  const run = store.getRun(r.runId)!;
  assert.equal(run.status, 'failed');
  assert.equal(run.ops[0]!.errors, r.ops[0]!.errors);
  store.close();
});

test('a run in which more operations failed than maxErrorRate allows is degraded; within it, completed', async () => {
  const store = openStore(':memory:');
  // 8 of 10 objects gone: about 80% of the reads fail
  const run = (maxErrorRate?: number) =>
    runBenchmark({
      target: parseTarget('mem://half-gone'),
      spec: loadWorkload('get-small', { duration: '300ms', objects: 10, concurrency: 2, ...(maxErrorRate === undefined ? {} : { maxErrorRate }) }),
      store,
      beforeMeasure: async (driver) => {
        const keys: string[] = [];
        for await (const page of driver.list('storbench/')) keys.push(...page.map((o) => o.key));
        for (const key of keys.slice(0, 8)) await driver.delete(key);
      },
    });
  const degraded = await run();
  assert.equal(degraded.status, 'degraded');
  assert.match(degraded.error!, /^\d+(\.\d)?% of the operations failed \(\d+ of \d+\), above maxErrorRate 50%$/);
  assert.equal(store.getRun(degraded.runId)!.status, 'degraded');
  const tolerated = await run(0.95);
  assert.equal(tolerated.status, 'completed', tolerated.error);
  store.close();
});

test('the figures are stored before the cleanup starts; the cleanup is recorded apart', async () => {
  const store = openStore(':memory:');
  let atCleanup: ReturnType<typeof store.getRun>;
  const r = await runBenchmark({
    target: parseTarget(`file://${join(dir, 'order')}`),
    spec: loadWorkload('put-small', { duration: '300ms', concurrency: 2 }),
    store,
    onProgress: (p) => {
      if (p.phase === 'cleanup') atCleanup = store.getRun(p.runId);
    },
  });
  assert.equal(atCleanup!.status, 'completed', 'a kill during the cleanup keeps the status');
  assert.equal(atCleanup!.ops[0]!.count, r.ops[0]!.count, '... and the figures');
  assert.equal(atCleanup!.cleanup, 'pending');
  assert.equal(r.cleanup, 'done');
  assert.equal(store.getRun(r.runId)!.cleanup, 'done');
  const kept = await runBenchmark({
    target: parseTarget(`file://${join(dir, 'order')}`),
    spec: loadWorkload('put-small', { duration: '100ms', cleanup: false }),
    store,
  });
  assert.equal(store.getRun(kept.runId)!.cleanup, 'kept');
  const memory = await runBenchmark({ target: parseTarget('mem://order'), spec: loadWorkload('put-small', { duration: '100ms' }), store });
  assert.equal(store.getRun(memory.runId)!.cleanup, 'done', 'nothing of a mem:// run outlives its process');
  store.close();
});

test('the figures so far are stored every second, from the main thread and from worker threads', async () => {
  for (const threads of [1, 2]) {
    const store = openStore(':memory:');
    let measuringTicks = 0;
    let stored = 0;
    await runBenchmark({
      target: parseTarget('null://'),
      spec: loadWorkload('put-small', { duration: '4s', threads, concurrency: 4 }),
      store,
      onProgress: (p) => {
        // two ticks after operations were first counted, the figures of at least a second are stored
        if (p.phase !== 'measure' || p.done === 0 || ++measuringTicks !== 3) return;
        const run = store.getRun(p.runId)!;
        stored = run.ops[0]?.count ?? 0;
        assert.ok(run.measuredSeconds! >= 1, `threads ${threads}: measured ${run.measuredSeconds} s so far`);
        assert.ok(run.segments.length >= 1);
      },
    });
    assert.ok(stored > 0, `threads ${threads}: figures stored while running`);
    store.close();
  }
});

test('a database that cannot take the writes (a full disk) does not end the run: its result is returned, saying it is not stored', async () => {
  const store = openStore(':memory:');
  const full = () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  const failing = { ...store, recordProgress: full, finishRun: full, setCleanup: full };
  const r = await runBenchmark({ target: parseTarget('mem://full'), spec: loadWorkload('put-small', { duration: '2500ms', concurrency: 2 }), store: failing });
  assert.equal(r.status, 'completed');
  assert.equal(r.storeError, 'database or disk is full');
  assert.ok(r.ops[0]!.count > 0);
  store.close();
});

test("a run records storbench's own CPU per operation: a driver burning 400 µs a write costs at least that", async () => {
  const { defineDriver } = await import('../../src/drivers/kernel/define-driver.js');
  const { defineCapabilities } = await import('../../src/drivers/kernel/capabilities.js');
  const { defineOptions } = await import('../../src/drivers/kernel/options.js');
  const { registerDriver } = await import('../../src/drivers/registry.js');
  const options = defineOptions({});
  const burn = defineDriver({
    name: 'burn',
    options,
    capabilities: defineCapabilities({ persistent: false }),
    connect: async () => ({
      async close() {},
      system: () => 'burner',
      semantics: () => ({ writeDurability: 'none', readAfterWrite: 'none', listConsistency: 'none' }),
      environment: () => ({}),
      async write() {
        // 400 µs of this process's CPU time (not of wall time, which a loaded machine stretches)
        const start = process.cpuUsage();
        while (process.cpuUsage(start).user < 400);
      },
      read: () => Promise.reject(new Error('unused')),
      stat: () => Promise.reject(new Error('unused')),
      delete: () => Promise.resolve(),
      async *list() {},
      deletePrefix: () => Promise.resolve(0),
    }),
  });
  registerDriver('burn', { options, load: async () => burn });
  const store = openStore(':memory:');
  const r = await runBenchmark({ target: parseTarget('burn://'), spec: loadWorkload('put-small', { duration: '500ms', concurrency: 2, threads: 1 }), store });
  assert.equal(r.status, 'completed');
  assert.ok(r.clientCpu, 'the result carries clientCpu');
  assert.ok(r.clientCpu.usPerOp >= 400 && r.clientCpu.usPerOp < 5000, `usPerOp ${r.clientCpu.usPerOp}`);
  assert.ok(r.clientCpu.cores > 0 && r.clientCpu.cores <= availableParallelism() + 0.5, `cores ${r.clientCpu.cores}`);
  const env = store.getRun(r.runId)!.environment;
  assert.equal(env.clientCpuUsPerOp, r.clientCpu.usPerOp);
  assert.equal(env.clientCpuCores, r.clientCpu.cores);
  store.close();
});

test('worker threads start from a process run by `node --input-type=module -e` (entry-only options are not passed to them)', async () => {
  const script = `
    const { runBenchmark } = await import(${JSON.stringify(new URL('../../src/runner/run.ts', import.meta.url).href)});
    const { parseTarget } = await import(${JSON.stringify(new URL('../../src/drivers/target.ts', import.meta.url).href)});
    const { openStore } = await import(${JSON.stringify(new URL('../../src/results/sqlite-store.ts', import.meta.url).href)});
    const { loadWorkload } = await import(${JSON.stringify(new URL('../../src/workloads/spec.ts', import.meta.url).href)});
    const r = await runBenchmark({ target: parseTarget('null://'), spec: loadWorkload('put-small', { duration: '300ms', concurrency: 2, threads: 2 }), store: openStore(':memory:') });
    console.log(JSON.stringify({ status: r.status, error: r.error ?? '' }));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { status: 'completed', error: '' });
});
