/** A worker thread of a multi-threaded run: its own driver, its share of the workers and objects. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDriver } from '../drivers/registry.js';
import { PayloadSource } from '../workloads/payload.js';
import { parseSizeDistribution } from '../workloads/sizes.js';
import { loopKeySpace } from './keyspace.js';
import { Recorder } from './recorder.js';
import { Gate, type ThreadInput, type ThreadMessage } from './threads.js';
import { runLoop } from './workers.js';

const input = workerData as ThreadInput;
const port = parentPort!;
const post = (m: ThreadMessage) => port.postMessage(m);

const stop = new AbortController();
const cancel = new AbortController();
port.on('message', (m) => {
  if (m === 'stop') stop.abort();
});

/**
 * The thread's work, started from the module's body without a top-level await: a thread terminated (abandoned
 * by its run) while its module is still being evaluated asynchronously crashes the whole process on Node 20
 * (V8 "Check failed: (location_) != nullptr" in SourceTextModule::ExecuteAsyncModule; nodejs/node#43182 and
 * #53238), whereas terminating a thread that runs ordinary promise jobs is safe.
 */
async function main(): Promise<void> {
  try {
    const { spec, target } = input;
    const driver = await createDriver({ target, concurrency: input.workers, durable: spec.durable, threads: 1 });
    await driver.open();
    const recorder = new Recorder(target.secrets);
    const keys = loopKeySpace(input.base, input.objects, spec, input.thread, input.threads, input.workers);
    const payloads = new PayloadSource(spec.seed, spec.blockSize, spec.verify);
    // A thread's first performance.now() builds its Performance object (perf_hooks loads: milliseconds of CPU,
    // measured): done here, not inside the measured window where it would delay this thread's first operation.
    performance.now();
    post({ type: 'ready' });
    // Wait at the shared gate (blocking this thread is fine: it has nothing else to do until then).
    const gate = new Gate(input.gate);
    const opened = gate.wait();
    if (!opened) stop.abort(); // stopped before the start: the loop returns at once
    const timing = opened ?? { warmupMs: 0, stopMs: 0 };
    const start = performance.now();
    const stopAt = timing.stopMs === undefined ? Infinity : start + timing.stopMs;
    let ticks = 0;
    const timer = setInterval(() => {
      post({ type: 'totals', ...recorder.totals() });
      if (++ticks % 2 === 0) post({ type: 'partial', records: recorder.snapshot() });
    }, 500);
    try {
      await runLoop({
        driver,
        spec,
        sizes: parseSizeDistribution(spec.size),
        keys,
        recorder,
        workers: input.workers,
        stream: input.thread,
        ...(input.rate ? { rate: input.rate } : {}),
        ...(input.opsBudget !== undefined ? { opsBudget: input.opsBudget } : {}),
        warmupEndMs: start + timing.warmupMs,
        stopMs: stopAt,
        stop: stop.signal,
        cancel: cancel.signal,
        payloads,
      });
      // the window ends with the last operation: the final totals and closing the driver are not measured
      const end = Math.min(performance.now(), stopAt);
      post({ type: 'totals', ...recorder.totals() });
      post({ type: 'done', records: recorder.snapshot(), measuredMs: Math.max(0, end - start - timing.warmupMs) });
      gate.waitForRelease(); // closing the driver and exiting would slow the threads still measuring
    } finally {
      clearInterval(timer);
      await driver.close().catch(() => undefined);
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    port.close(); // the message listener would keep this thread alive
  }
}

void main();
