/**
 * `threads: auto`: the first second runs on this event loop (a probe). When it saturates, its operations
 * become warm-up, the loop stops, and worker threads measure the rest of the run; otherwise the probe simply
 * goes on as the run's main loop.
 */
import { performance } from 'node:perf_hooks';
import { redactString } from '../../drivers/target.js';
import type { MeasureContext } from './context.js';
import { MainLoop } from './main-loop.js';
import type { NotePlacement, Placement, Running } from './placement.js';
import type { StartGate } from './start-gate.js';
import { startThreads } from './threads.js';

export interface ProbePolicy {
  /** How long the probe measures the event loop's utilization. */
  readonly probeMs: number;
  /** From this utilization on, the loop is saturated and the run fans out. */
  readonly saturated: number;
}

export class AutoProbe implements Placement {
  /** `n`: the threads to fan out to. */
  constructor(
    private readonly run: MeasureContext,
    private readonly n: number,
    private readonly note: NotePlacement,
    private readonly policy: ProbePolicy,
  ) {}

  start(gate: StartGate): Running {
    const { stop } = this.run;
    const probeStop = new AbortController();
    const forwardStop = () => probeStop.abort();
    stop.addEventListener('abort', forwardStop, { once: true });
    const probe = new MainLoop(this.run, probeStop.signal).start(gate);
    let current = probe;
    const chosen = this.choose(gate, probe, probeStop, forwardStop).then((r) => (current = r));
    return {
      live: () => current.live(),
      partial: () => current.partial(),
      snapshot: () => current.snapshot(),
      abandon: () => current.abandon(),
      done: chosen.then((r) => r.done),
      released: chosen.then((r) => r.released),
    };
  }

  private async choose(gate: StartGate, probe: Running, probeStop: AbortController, forwardStop: () => void): Promise<Running> {
    const { stop, target } = this.run;
    const { probeMs, saturated: threshold } = this.policy;
    const probeElu0 = performance.eventLoopUtilization();
    let probeTimer: NodeJS.Timeout | undefined;
    const utilization = await Promise.race([
      probe.done.then(() => undefined),
      new Promise<number>((resolve) => {
        probeTimer = setTimeout(() => resolve(performance.eventLoopUtilization(probeElu0).utilization), probeMs);
      }),
    ]);
    clearTimeout(probeTimer);
    if (utilization === undefined || stop.aborted) return probe; // ended (or stopped) within the probe
    const saturated = `utilization ${utilization.toFixed(2)} in a ${probeMs / 1000}s probe`;
    if (utilization < threshold) {
      this.note({ threads: 1, threadsChoice: `auto: one event loop (${saturated})` });
      return probe;
    }
    // The probe goes on measuring while the threads start; it stops only once they all have their drivers
    // open. If one cannot start (the storage went away, say), the run simply stays on this event loop.
    const fan = startThreads(this.run, this.n);
    const failure = await fan.ready.then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    if (failure !== undefined || stop.aborted) {
      if (failure !== undefined) {
        this.note({
          threads: 1,
          threadsChoice:
            `auto: the event loop saturated (${saturated}), but threads could not start ` +
            `(${redactString(failure, target.secrets)}): stayed on one event loop`,
        });
      }
      return probe;
    }
    probeStop.abort();
    await probe.done;
    stop.removeEventListener('abort', forwardStop);
    this.note({
      threads: this.n,
      threadsChoice:
        `auto: the event loop saturated (${saturated}): ${this.n} threads measured the whole run from ` +
        'their start; the operations of one event loop until then were not counted',
    });
    // The gate opens again as the threads start, as with --threads N: the probe and the threads' start-up
    // (seconds on a loaded machine) are not taken out of --duration.
    return fan.go(gate);
  }
}
