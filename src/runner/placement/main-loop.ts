/** The measuring loop on the main thread's event loop: its workers share the run's driver. */
import { loopKeySpace } from '../keyspace.js';
import { Recorder } from '../recorder.js';
import { runLoop } from '../workers.js';
import type { MeasureContext } from './context.js';
import type { Figures, Placement, Running } from './placement.js';
import type { StartGate } from './start-gate.js';

export class MainLoop implements Placement {
  /** `loopStop`: what stops this loop (the run's stop, or the probe's own). */
  constructor(
    private readonly run: MeasureContext,
    private readonly loopStop: AbortSignal = run.stop,
  ) {}

  /** Opens the gate at once: nothing to wait for. */
  start(gate: StartGate): Running {
    const { driver, spec, sizes, target, base, objects, payloads, cancel, keyShare } = this.run;
    const clock = gate.open();
    const recorder = new Recorder(target.secrets);
    const keys = loopKeySpace(base, objects, spec, keyShare?.first ?? 0, keyShare?.of ?? 1, spec.concurrency);
    const soFar = (): Figures => ({ sets: [recorder.snapshot()], measuredSeconds: clock.measuredSeconds() });
    return {
      live: () => recorder.totals(),
      partial: soFar,
      snapshot: soFar,
      abandon: async () => undefined,
      released: Promise.resolve(),
      done: runLoop({
        driver,
        spec,
        sizes,
        keys,
        recorder,
        workers: spec.concurrency,
        stream: keyShare?.first ?? 0,
        ...(spec.rate ? { rate: spec.rate } : {}),
        ...(spec.ops !== undefined ? { opsBudget: spec.ops } : {}),
        warmupEndMs: clock.warmupEndMs,
        stopMs: clock.stopMs,
        stop: this.loopStop,
        cancel,
        payloads,
      }).then(soFar),
    };
  }
}
