/** The measuring loop on N worker threads (see ../threads.ts), released together through the start gate. */
import { runThreads } from '../threads.js';
import type { MeasureContext } from './context.js';
import type { Placement, Running } from './placement.js';
import type { Clock, StartGate } from './start-gate.js';

/** `n` worker threads, started (their drivers opening) but held at their gate until `go`. */
export interface StartedThreads {
  /** Resolves when all are waiting at their gate; rejects when one fails to start. */
  readonly ready: Promise<void>;
  /** Open the run's gate and theirs: they measure from now until the run's end. */
  readonly go: (gate: StartGate) => Running;
  readonly running: Running;
}

export function startThreads(run: MeasureContext, n: number): StartedThreads {
  const { target, spec, base, objects, stop, keyShare } = run;
  const threads = runThreads({ target, spec, base, objects, threads: n, stop, ...(keyShare ? { keyShare } : {}) });
  let release!: () => void;
  let measuring: Clock | undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running: Running = {
    live: threads.totals,
    done: threads.done,
    released: Promise.race([released, threads.done]),
    abandon: threads.abandon,
    partial: () => (measuring ? { sets: threads.partial(), measuredSeconds: measuring.measuredSeconds() } : { sets: [], measuredSeconds: 0 }),
    snapshot: () => undefined,
  };
  // observed through `running` when the threads measure; dropped when the run stays on one event loop
  threads.done.catch(() => undefined);
  running.released.catch(() => undefined);
  const go = (gate: StartGate): Running => {
    measuring = gate.open();
    threads.start(measuring.remaining());
    release();
    return running;
  };
  return { ready: threads.ready, go, running };
}

export class Threads implements Placement {
  constructor(
    private readonly run: MeasureContext,
    private readonly n: number,
  ) {}

  /** Opens the gate as soon as every thread is ready. */
  start(gate: StartGate): Running {
    const fan = startThreads(this.run, this.n);
    fan.ready.then(
      () => {
        fan.go(gate);
      },
      () => undefined,
    ); // a thread that fails to start fails `done`
    return fan.running;
  }
}
