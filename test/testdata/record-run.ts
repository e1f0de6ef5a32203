/**
 * Records test/testdata/recorded-run.json: the record sets of one short real run, kept so the aggregation is tested
 * on a recorded run (warp's analysis tests). Two measuring loops (as two worker threads: globally interleaved
 * objects) run 80% read, 20% stat of 4 KiB objects for 1 s against mem://, through the runner's own loop
 * (src/runner/workers.ts), after every 25th object was deleted, so some reads and stats fail with NotFound. Regenerate (the figures change) with:
 *   node --import tsx test/testdata/record-run.ts
 */
import { writeFileSync } from 'node:fs';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import { KeySpace, loopKeySpace } from '../../src/runner/keyspace.js';
import { Recorder } from '../../src/runner/recorder.js';
import { runLoop, saltOf } from '../../src/runner/workers.js';
import { PayloadSource } from '../../src/workloads/payload.js';
import { parseSizeDistribution } from '../../src/workloads/sizes.js';
import { loadWorkload } from '../../src/workloads/spec.js';

const THREADS = 2;
const spec = loadWorkload('mixed', { mix: { read: 80, stat: 20 }, objects: 200, size: '4KiB', concurrency: 4, duration: '1s', warmup: '200ms' });
const driver = await createDriver({ target: parseTarget('mem://recorded-run'), concurrency: spec.concurrency });
await driver.open();
const base = 'storbench/recorded';
const sizes = parseSizeDistribution(spec.size);
const payloads = new PayloadSource(spec.seed, spec.blockSize, spec.verify);
const all = new KeySpace(base, spec.objects, 0, 1, spec.groupSize, 0);
for (let i = 0; i < spec.objects; i++) await driver.write(all.key(i), payloads.body(saltOf(spec.seed, i), sizes.sizeOf(spec.seed, i)));
for (let i = 0; i < spec.objects; i += 25) await driver.delete(all.key(i));

const start = performance.now();
const warmupEndMs = start + spec.warmup;
const stopMs = warmupEndMs + spec.duration;
const stop = new AbortController();
const cancel = new AbortController();
const recorders = Array.from({ length: THREADS }, () => new Recorder([]));
await Promise.all(recorders.map((recorder, thread) => runLoop({
  driver, spec, sizes, keys: loopKeySpace(base, spec.objects, spec, thread, THREADS, spec.concurrency / THREADS), recorder,
  workers: spec.concurrency / THREADS, stream: thread, warmupEndMs, stopMs, stop: stop.signal, cancel: cancel.signal, payloads,
})));
await driver.close();

const recorded = {
  about: 'record sets of a real 1 s run of 80% read, 20% stat (4 KiB, 200 objects, every 25th deleted) on mem://, two loops; see record-run.ts',
  recordedAt: new Date().toISOString(),
  measuredSeconds: spec.duration / 1000,
  sets: recorders.map((r) => r.snapshot()),
};
writeFileSync(new URL('./recorded-run.json', import.meta.url), `${JSON.stringify(recorded, null, 1)}\n`);
console.log(recorded.sets.map((s) => s.ops.map((o) => `${o.op} ${o.count} ok ${o.errors} failed`).join(', ')).join(' | '));
