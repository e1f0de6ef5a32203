/**
 * The start barrier of the measured phase, and the run's clock: the measured window starts when the gate
 * opens (warp: "operations should begin executing when the start channel is closed"). A placement opens it
 * once all its workers can start at once: the main loop at once, worker threads once all have their drivers
 * open, so their start-up is not taken out of --duration.
 */
import { performance } from 'node:perf_hooks';
import type { WorkloadSpec } from '../../workloads/spec.js';
import { cpuNow } from '../client-cpu.js';
import type { ThreadTiming } from '../threads.js';

/** One measured window, in performance.now() times. */
export class Clock {
  /** When the window (its warm-up first) started. */
  readonly startMs: number;
  readonly warmupEndMs: number;
  /** The planned stop; Infinity when bounded by an op count. */
  readonly stopMs: number;
  /** This process's CPU time (µs, ../client-cpu.ts) when the window started: worker threads' start-up is not the run's cost. */
  readonly cpuUs = cpuNow();

  constructor(spec: Pick<WorkloadSpec, 'warmup' | 'duration' | 'ops'>, now = performance.now()) {
    this.startMs = now;
    this.warmupEndMs = now + spec.warmup;
    this.stopMs = spec.ops !== undefined ? Infinity : this.warmupEndMs + spec.duration;
  }

  /** Seconds measured on this thread by now: from the warm-up's end to now, or to the planned stop. */
  measuredSeconds(now = performance.now()): number {
    return Math.max(0, Math.min(now, this.stopMs) - Math.max(this.startMs, this.warmupEndMs)) / 1000;
  }

  /** What is left of the window, for threads that start it now (their own clocks differ from this one). */
  remaining(now = performance.now()): ThreadTiming {
    return { warmupMs: Math.max(0, this.warmupEndMs - now), stopMs: this.stopMs === Infinity ? undefined : Math.max(0, this.stopMs - now) };
  }
}

export class StartGate {
  #clock: Clock;

  /** Until the gate opens, its clock counts from when it was set up: progress then shows the start-up. */
  constructor(private readonly spec: Pick<WorkloadSpec, 'warmup' | 'duration' | 'ops'>) {
    this.#clock = new Clock(spec);
  }

  /** The window being measured (or, before the gate opens, the start-up). */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * Open the gate: the measured window starts now. Opened again only by `threads: auto`, when its threads
   * take over from the probe: the window restarts, and what the probe measured is not counted.
   */
  open(): Clock {
    this.#clock = new Clock(this.spec);
    return this.#clock;
  }
}
