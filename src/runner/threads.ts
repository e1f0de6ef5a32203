/**
 * Fan-out to worker threads when one event loop is not enough (small objects at high rates: a Node
 * HTTP client spends 50-200 µs of CPU per request). Each thread opens its own driver, owns its share of
 * the objects (see KeySpace) and runs the same loop; the main thread merges their histograms exactly.
 */
import { Worker } from 'node:worker_threads';
import type { Target } from '../drivers/target.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { KeyShare } from './placement/context.js';
import { addTotals } from './placement/placement.js';
import type { RecordSet } from './recorder.js';
import { threadEntryUrl } from './thread-bundle.js';

/** Options that only an entry script may have, alone or with their value (`-e CODE`). */
const ENTRY_ONLY = /^(--input-type(=.*)?|--eval(=.*)?|--print(=.*)?|-e|-p|-pe)$/;
const ENTRY_ONLY_WITH_VALUE = /^(--eval|--print|-e|-p|-pe)$/;
/** Options that load a module first, and a module that is tsx. */
const PRELOAD = /^(--import|--loader|--experimental-loader|--require|-r)$/;
const PRELOAD_INLINE = /^(--import|--loader|--experimental-loader|--require)=(.*)$/;
const TSX = /^tsx(\/.*)?$/;

/**
 * The process's Node options, for its worker threads, without those only an entry script may have (a thread
 * started from an embedder run by `node --input-type=module -e ...` fails on `--input-type`: "can only be used
 * with string input") and without tsx's loader (`--import tsx`, as tests and benches run): a thread runs a
 * JavaScript bundle (./thread-bundle.ts), or registers tsx itself, and tsx given again would start another loader
 * thread beside it. Other preloads (instrumentation, say) are kept.
 */
export function threadExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (ENTRY_ONLY.test(arg)) {
      if (ENTRY_ONLY_WITH_VALUE.test(arg)) i++;
      continue;
    }
    if (PRELOAD.test(arg) && TSX.test(execArgv[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (TSX.test(PRELOAD_INLINE.exec(arg)?.[2] ?? '')) continue;
    kept.push(arg);
  }
  return kept;
}
const THREAD_EXEC_ARGV = threadExecArgv(process.execArgv);

export interface ThreadPlan {
  readonly target: Target;
  readonly spec: WorkloadSpec;
  readonly base: string;
  readonly objects: number;
  readonly threads: number;
  readonly stop: AbortSignal;
  /** The global threads whose objects these threads own (one client of a multi-client run). */
  readonly keyShare?: KeyShare;
}

/** When the measured phase of the threads starts: set as the gate opens, read by every thread as it wakes. */
export interface ThreadTiming {
  readonly warmupMs: number;
  /** Stop this many ms after the start (undefined: bounded by the op count). */
  readonly stopMs: number | undefined;
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
  /** The start gate shared by all threads: see {@link Gate}. */
  readonly gate: SharedArrayBuffer;
}

/** Values of the gate's state. */
const GATE_CLOSED = 0;
const GATE_OPEN = 1;
const GATE_STOPPED = 2;

/**
 * The barriers: threads that are ready block on one futex word, and one notify wakes them all at once (a
 * message per thread reached the last one about 10 ms after the first, measured). Before opening it the
 * main thread writes the timing next to the state, so a start decided late (threads: auto) still ends on time.
 * A second word holds back threads that have finished until all have: a thread that exits tears down its
 * isolate (unmapping its heap flushes the TLBs of every core running the others), and that cost 3-7% of the
 * others' sequential throughput on tmpfs, measured.
 */
export class Gate {
  private readonly state: Int32Array;
  private readonly finished: Int32Array;
  private readonly timing: Float64Array;

  constructor(readonly buffer = new SharedArrayBuffer(24)) {
    this.state = new Int32Array(buffer, 0, 1);
    this.finished = new Int32Array(buffer, 4, 1);
    this.timing = new Float64Array(buffer, 8, 2);
  }

  /** Let the threads that have finished exit (all have, or the run failed). */
  release(): void {
    Atomics.store(this.finished, 0, 1);
    Atomics.notify(this.finished, 0);
  }

  /** Block this finished thread until {@link release}. */
  waitForRelease(): void {
    Atomics.wait(this.finished, 0, 0);
  }

  /** Open (with the timing) or stop; only the first call counts. */
  open(value: typeof GATE_OPEN | typeof GATE_STOPPED, timing?: ThreadTiming): void {
    if (timing) this.timing.set([timing.warmupMs, timing.stopMs ?? Number.NaN]);
    if (Atomics.compareExchange(this.state, 0, GATE_CLOSED, value) === GATE_CLOSED) Atomics.notify(this.state, 0);
  }

  /** Block this thread until the gate opens; undefined when the run was stopped instead. */
  wait(): ThreadTiming | undefined {
    Atomics.wait(this.state, 0, GATE_CLOSED);
    if (Atomics.load(this.state, 0) !== GATE_OPEN) return undefined;
    const [warmupMs, stopMs] = this.timing;
    return { warmupMs: warmupMs!, stopMs: Number.isNaN(stopMs) ? undefined : stopMs };
  }
}

export type ThreadMessage =
  | { type: 'totals'; ops: number; bytes: number; errors: number; p99Us: number }
  /** Everything recorded so far, once a second: what the run stores as it goes, so a killed run keeps it. */
  | { type: 'partial'; records: RecordSet }
  | { type: 'ready' }
  | { type: 'done'; records: RecordSet; measuredMs: number }
  | { type: 'error'; message: string };

/** Share `total` among `parts` as evenly as whole numbers allow. */
export function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/**
 * Start `plan.threads` threads. They open their drivers and wait at the gate: `ready` resolves when all
 * are waiting (and rejects when one fails first); `start` opens the gate. `done` gives their records.
 */
export function runThreads(plan: ThreadPlan): {
  totals: () => { ops: number; bytes: number; errors: number; p99Us: number };
  /** The latest records each measuring thread sent (up to a second old). */
  partial: () => RecordSet[];
  ready: Promise<void>;
  start: (timing: ThreadTiming) => void;
  done: Promise<{ sets: RecordSet[]; measuredSeconds: number }>;
  /** Stop and terminate every thread, wherever it is (a failure, or operations hung past the drain). */
  abandon: () => Promise<void>;
} {
  const { spec } = plan;
  const n = Math.min(plan.threads, spec.concurrency);
  const latest = Array.from({ length: n }, () => ({ ops: 0, bytes: 0, errors: 0, p99Us: 0 }));
  const partial: (RecordSet | undefined)[] = Array.from({ length: n }, () => undefined);
  const workers: Worker[] = [];
  const gate = new Gate();
  let waiting = 0;
  let allReady!: () => void;
  let failed!: (e: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    allReady = resolve;
    failed = reject;
  });
  ready.catch(() => undefined); // also reported through done
  let abandoned = false;
  const entry = threadEntryUrl();
  const results = Array.from({ length: n }, (_, t) =>
    entry.then(
      (url) =>
        new Promise<{ records: RecordSet; measuredMs: number }>((resolve, reject) => {
          if (abandoned) return reject(new Error('the run was abandoned before its threads started'));
          const input: ThreadInput = {
            target: plan.target,
            spec,
            base: plan.base,
            objects: plan.objects,
            // the objects' owner: global thread first + t of all threads (of every client)
            thread: (plan.keyShare?.first ?? 0) + t,
            threads: plan.keyShare?.of ?? n,
            workers: share(spec.concurrency, n, t),
            ...(spec.rate ? { rate: spec.rate / n } : {}),
            ...(spec.ops !== undefined ? { opsBudget: share(spec.ops, n, t) } : {}),
            gate: gate.buffer,
          };
          const worker = new Worker(url, { workerData: input, env: process.env, execArgv: THREAD_EXEC_ARGV });
          workers.push(worker);
          worker.on('message', (m: ThreadMessage) => {
            if (m.type === 'totals') latest[t] = m;
            else if (m.type === 'partial') partial[t] = m.records;
            else if (m.type === 'ready') {
              if (++waiting === n) allReady();
            } else if (m.type === 'done') resolve(m);
            else reject(new Error(`thread ${t}: ${m.message}`));
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`thread ${t} exited with code ${code}`));
          });
        }),
    ),
  );
  const onStop = () => {
    gate.open(GATE_STOPPED); // threads still waiting at the gate wake up stopped
    for (const w of workers) w.postMessage('stop');
  };
  plan.stop.addEventListener('abort', onStop, { once: true });
  const abandon = async () => {
    abandoned = true;
    gate.open(GATE_STOPPED);
    gate.release();
    await Promise.all(workers.map((w) => w.terminate()));
  };
  const done = Promise.all(results)
    .then((all) => ({ sets: all.map((r) => r.records), measuredSeconds: Math.max(...all.map((r) => r.measuredMs)) / 1000 }))
    .catch(async (e: unknown) => {
      // one thread failed: the others may be waiting at the gate, or running; none may outlive the run
      failed(e);
      await abandon();
      throw e;
    })
    .finally(() => {
      gate.release();
      plan.stop.removeEventListener('abort', onStop);
    });
  return {
    totals: () => latest.reduce(addTotals),
    partial: () => partial.filter((r) => r !== undefined),
    ready,
    start: (timing) => gate.open(GATE_OPEN, timing),
    done,
    abandon,
  };
}
