/**
 * Fan-out to worker threads when one event loop is not enough (small objects at high rates: a Node
 * HTTP client spends 50-200 µs of CPU per request). Each thread opens its own driver, owns its share of
 * the objects (see KeySpace) and runs the same loop; the main thread merges their histograms exactly.
 */
import { Worker } from 'node:worker_threads';
import type { Target } from '../drivers/target.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { RecordSet } from './recorder.js';

export interface ThreadPlan {
  readonly target: Target;
  readonly spec: WorkloadSpec;
  readonly base: string;
  readonly objects: number;
  readonly threads: number;
  readonly warmupMs: number;
  /** Stop this many ms after the start (undefined: bounded by the op count). */
  readonly stopMs: number | undefined;
  readonly stop: AbortSignal;
}

/** What the main thread sends each thread. */
export interface ThreadInput {
  /** The parsed target, secrets included: it stays inside this process. */
  readonly target: Target;
  readonly spec: WorkloadSpec;
  readonly base: string;
  readonly objects: number;
  readonly thread: number;
  readonly threads: number;
  readonly workers: number;
  readonly rate?: number;
  readonly opsBudget?: number;
  readonly warmupMs: number;
  readonly stopMs: number | undefined;
  /** The start gate, shared by all threads: GATE_CLOSED until the main thread opens it (or stops the run). */
  readonly gate: SharedArrayBuffer;
}

/** Values of the start gate (an Int32 in shared memory). */
export const GATE_CLOSED = 0;
export const GATE_OPEN = 1;
export const GATE_STOPPED = 2;

export type ThreadMessage =
  | { type: 'totals'; ops: number; bytes: number; errors: number; p99Us: number }
  | { type: 'ready' }
  | { type: 'done'; records: RecordSet; measuredMs: number }
  | { type: 'error'; message: string };

/** Share `total` among `parts` as evenly as whole numbers allow. */
export function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

export function runThreads(plan: ThreadPlan): {
  totals: () => { ops: number; bytes: number; errors: number; p99Us: number };
  /** Resolves when every thread has opened its driver and all were released together. */
  released: Promise<void>;
  /** Per-thread records, and the longest measured window among the threads. */
  done: Promise<{ sets: RecordSet[]; measuredSeconds: number }>;
} {
  const { spec } = plan;
  const n = Math.min(plan.threads, spec.concurrency);
  const latest = Array.from({ length: n }, () => ({ ops: 0, bytes: 0, errors: 0, p99Us: 0 }));
  const workers: Worker[] = [];
  let ready = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  // The barrier: threads that are ready block on one futex word, and one notify wakes them all at once
  // (a message per thread reached the last one about 10 ms after the first, measured).
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const openGate = (value: number) => {
    if (Atomics.compareExchange(gate, 0, GATE_CLOSED, value) === GATE_CLOSED) Atomics.notify(gate, 0);
  };
  const results = Array.from({ length: n }, (_, t) => new Promise<{ records: RecordSet; measuredMs: number }>((resolve, reject) => {
    const input: ThreadInput = {
      target: plan.target, spec, base: plan.base, objects: plan.objects, thread: t, threads: n, workers: share(spec.concurrency, n, t),
      ...(spec.rate ? { rate: spec.rate / n } : {}),
      ...(spec.ops !== undefined ? { opsBudget: share(spec.ops, n, t) } : {}),
      warmupMs: plan.warmupMs, stopMs: plan.stopMs, gate: gate.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(new URL('./thread-bootstrap.mjs', import.meta.url), { workerData: input, env: process.env });
    workers.push(worker);
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'totals') latest[t] = m;
      else if (m.type === 'ready') {
        if (++ready === n) { // all threads start together
          openGate(GATE_OPEN);
          release();
        }
      } else if (m.type === 'done') resolve(m);
      else reject(new Error(`thread ${t}: ${m.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => { if (code !== 0) reject(new Error(`thread ${t} exited with code ${code}`)); });
  }));
  const onStop = () => {
    openGate(GATE_STOPPED); // threads still waiting at the gate wake up stopped
    for (const w of workers) w.postMessage('stop');
  };
  plan.stop.addEventListener('abort', onStop, { once: true });
  const done = Promise.all(results)
    .then((all) => ({ sets: all.map((r) => r.records), measuredSeconds: Math.max(...all.map((r) => r.measuredMs)) / 1000 }))
    .catch(async (e: unknown) => {
      // one thread failed: the others may be waiting at the gate, or running; none may outlive the run
      openGate(GATE_STOPPED);
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    })
    .finally(() => plan.stop.removeEventListener('abort', onStop));
  return {
    totals: () => latest.reduce((a, b) => ({ ops: a.ops + b.ops, bytes: a.bytes + b.bytes, errors: a.errors + b.errors, p99Us: Math.max(a.p99Us, b.p99Us) })),
    released,
    done,
  };
}
