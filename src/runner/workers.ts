/**
 * The measuring loop. `concurrency` workers share one event loop and one driver; each picks an
 * operation by weight, picks a key, times the call and records it. Closed loop: a worker starts its next
 * operation when the last one ends. Open loop (a rate): operation n is due at start + n/rate; latency is
 * measured from that intended start (coordinated omission corrected) and service time from the actual start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Driver } from '../drivers/types.js';
import { KeyChooser, type KeyDistributionName } from '../workloads/distributions.js';
import { consume, type PayloadSource } from '../workloads/payload.js';
import { hash01, type Random, sfc32 } from '../workloads/random.js';
import type { SizeDistribution } from '../workloads/sizes.js';
import { MIX_OPS, type MixOp, type WorkloadSpec } from '../workloads/spec.js';
import type { KeySpace } from './keyspace.js';
import { sharedFileKey } from './large-files.js';
import type { OpStats, Recorder } from './recorder.js';

export interface LoopOptions {
  readonly driver: Driver;
  readonly spec: WorkloadSpec;
  readonly sizes: SizeDistribution;
  readonly keys: KeySpace;
  readonly recorder: Recorder;
  /** Workers in this loop (the run's concurrency, divided among threads). */
  readonly workers: number;
  /** Seed stream of this thread, so threads draw different sequences. */
  readonly stream: number;
  /** Ops/s for this loop in an open-loop run. */
  readonly rate?: number;
  /** Operations this loop may start (undefined: until the deadline). */
  readonly opsBudget?: number;
  /** performance.now() deadlines: the warm-up end and the stop. */
  readonly warmupEndMs: number;
  readonly stopMs: number;
  /** Aborted: start no new operation (Ctrl-C, deadline reached elsewhere). */
  readonly stop: AbortSignal;
  /** Aborted: cancel operations in flight (drain timed out). Passed to the driver. */
  readonly cancel: AbortSignal;
  /** Write bodies, built before the clock starts (filling a 1 MiB block takes milliseconds). */
  readonly payloads: PayloadSource;
}

/** Content salt of an object: derived from the seed and its global index, so any reader can check it. */
export function saltOf(seed: number, globalIndex: number): number {
  return (hash01(seed ^ 0x5a17, globalIndex) * 4294967296) >>> 0;
}

interface Worker {
  readonly random: Random;
  readonly chooser: KeyChooser;
  /** performance.now() of the current read's first byte; 0 until it arrives. */
  firstByteMs: number;
  readonly onFirstByte: () => void;
  /** Reused for every write of this worker (it has one operation in flight at a time). */
  readonly writeOptions: { size: number; signal: AbortSignal | undefined };
}

/** The longest delay a Node timer takes; a longer one fires at once, with a TimeoutOverflowWarning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sleep until `untilMs` (a performance.now() time), or until `stop` aborts. */
async function sleepUntil(untilMs: number, stop: AbortSignal): Promise<void> {
  for (let wait = untilMs - performance.now(); wait > 0 && !stop.aborted; wait = untilMs - performance.now()) {
    await sleep(Math.min(wait, MAX_TIMER_MS), undefined, { signal: stop }).catch(() => undefined); // aborted: wake
  }
}

/** Run the measuring loop until the deadline, the budget, or the abort signal. */
export async function runLoop(o: LoopOptions): Promise<void> {
  const { driver, spec, sizes, keys, recorder, stop } = o;
  const signal = o.cancel;
  // The cancel signal goes only to operations that move more than one block (streamed bodies), which are the
  // ones that can hang for long. Every request given a signal adds and removes an abort listener on it, and on
  // one signal shared by the whole run that cost 6-7% of 4 KiB S3 throughput (measured on Ceph RGW). Small
  // operations end through the driver's own timeouts; the drain cap abandons any that hang.
  const cancelFor = (bytes: number): AbortSignal | undefined => (bytes > spec.blockSize ? signal : undefined);
  const payloads = o.payloads;
  const opNames = MIX_OPS.filter((op) => (spec.mix[op] ?? 0) > 0);
  const weights = opNames.map((op) => spec.mix[op]!);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cumulative = weights.map((w) => (acc += w / totalWeight));
  const singleOp = opNames.length === 1 ? opNames[0]! : undefined;
  const listOptions = { pageSize: spec.listPageSize, signal };
  const creates = spec.writes === 'create';
  const recorders: Partial<Record<MixOp, OpStats>> = {};
  const seed = spec.seed;
  const verify = spec.verify;
  const name = driver.name;
  // largeFiles: shared: object g is the segment [g·size, (g+1)·size) of this one key (./large-files.ts)
  const shared = spec.largeFiles === 'shared' ? sharedFileKey(keys.base) : undefined;

  let started = 0;
  // Drivers that complete in microtasks (mem://, null://) would starve timers and I/O: progress, Ctrl-C
  // and the deadline. Every few milliseconds a worker yields to the event loop for one turn.
  let lastYieldMs = performance.now();
  const budget = o.opsBudget ?? Infinity;
  const startMs = performance.now();
  let windowOpen = false;

  const pickOp = (random: Random): MixOp => {
    if (singleOp) return singleOp;
    const u = random();
    for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return opNames[i]!;
    return opNames[opNames.length - 1]!;
  };

  const readKey = (w: Worker): number => {
    const [lo, hi] = keys.readable();
    return w.chooser.pick(lo, hi);
  };

  /** Starts the write of object `local`; the caller awaits it (no extra async frame on the hot path). */
  function write(w: Worker, local: number): Promise<void> {
    const g = keys.global(local);
    const size = (w.writeOptions.size = sizes.sizeOf(seed, g));
    w.writeOptions.signal = cancelFor(size);
    const body = payloads.body(verify ? saltOf(seed, g) : 0, size);
    return shared ? driver.writeAt!(shared, g * size, body, w.writeOptions) : driver.write(keys.key(local), body, w.writeOptions);
  }

  async function read(w: Worker, local: number): Promise<number> {
    const g = keys.global(local);
    const key = shared ?? keys.key(local);
    const size = sizes.sizeOf(seed, g);
    let offset = 0;
    let result;
    if (spec.rangeSize > 0) {
      offset = size > spec.rangeSize ? Math.floor(w.random() * (size - spec.rangeSize)) : 0;
      const length = Math.min(spec.rangeSize, size); // a shared segment ends where the next begins
      result = await driver.read(key, { offset: shared ? g * size + offset : offset, length, reuseChunks: true, signal: cancelFor(spec.rangeSize) });
    } else if (shared) {
      result = await driver.read(key, { offset: g * size, length: size, reuseChunks: true, signal: cancelFor(size) });
    } else {
      result = await driver.read(key, { reuseChunks: true, expectedBytes: size, signal: cancelFor(size) });
    }
    return consume(result.body, name, key, spec.verify ? saltOf(seed, g) : undefined, offset, w.onFirstByte);
  }

  async function scanPrefix(prefix: string): Promise<[number, number]> {
    let bytes = 0;
    let items = 0;
    for await (const entry of driver.scan(prefix, listOptions)) {
      bytes += await consume(entry.body, name, entry.info.key, undefined, 0);
      items++;
    }
    return [bytes, items];
  }

  async function worker(index: number): Promise<void> {
    const stream = o.stream * 100_003 + index;
    const w: Worker = {
      random: sfc32(seed, stream),
      chooser: new KeyChooser(spec.keys as KeyDistributionName, sfc32(seed ^ 0x6b6579, stream), seed),
      firstByteMs: 0,
      onFirstByte: () => {
        w.firstByteMs = performance.now();
      },
      writeOptions: { size: 0, signal: undefined },
    };
    const interval = o.rate ? 1000 / o.rate : 0;
    for (;;) {
      if (stop.aborted || started >= budget) return;
      const n = started++;
      let intended = 0;
      if (interval) {
        intended = startMs + n * interval;
        // due at or after the end: it could not count; the worker waits for the end (the run lasts its
        // duration) but no longer, which would hold the run open
        if (intended >= o.stopMs) {
          await sleepUntil(o.stopMs, stop);
          return;
        }
        // sleep until just before the due time, then spin on event-loop turns: timers fire late by a
        // millisecond or more, and that lateness would be charged to the storage as latency
        if (intended - performance.now() > 2) {
          await sleepUntil(intended - 1.5, stop);
          if (stop.aborted) return;
        }
        while (performance.now() < intended) await new Promise((r) => setImmediate(r));
      }
      let t0 = performance.now();
      if (t0 - lastYieldMs > 5) {
        lastYieldMs = t0;
        await new Promise((r) => setImmediate(r));
        if (stop.aborted) return;
        t0 = performance.now();
      }
      if (t0 >= o.stopMs) return;
      if (!windowOpen && t0 >= o.warmupEndMs) {
        windowOpen = true;
        recorder.startWindow(o.warmupEndMs, o.stopMs);
      }
      let op: MixOp = pickOp(w.random);
      let bytes = 0;
      let items = 0;
      w.firstByteMs = 0;
      try {
        switch (op) {
          case 'write':
            await write(w, creates ? keys.hi++ : readKey(w));
            bytes = w.writeOptions.size;
            break;
          case 'read':
            bytes = await read(w, readKey(w));
            break;
          case 'stat':
            await driver.stat(keys.key(readKey(w)));
            break;
          case 'delete':
            if (keys.canShrink()) await driver.delete(keys.key(keys.lo++));
            else {
              op = 'write';
              await write(w, keys.hi++);
              bytes = w.writeOptions.size;
            }
            break;
          case 'rename':
            if (keys.canShrink()) await driver.rename!(keys.key(keys.lo++), keys.key(keys.hi++));
            else {
              op = 'write';
              await write(w, keys.hi++);
              bytes = w.writeOptions.size;
            }
            break;
          case 'append': {
            const local = readKey(w);
            const size = sizes.sizeOf(seed, keys.global(local));
            await driver.append!(keys.key(local), payloads.body(0, size), { size, signal: cancelFor(size) });
            bytes = size;
            break;
          }
          case 'readModifyWrite': {
            const local = readKey(w);
            bytes = await read(w, local);
            await write(w, local);
            bytes += w.writeOptions.size;
            break;
          }
          case 'list':
            for await (const page of driver.list(`${keys.base}/`, listOptions)) items += page.length;
            break;
          case 'scan':
            [bytes, items] = await scanPrefix(spec.scan === 'group' ? keys.groupPrefix(readKey(w)) : `${keys.base}/`);
            break;
        }
        const t1 = performance.now();
        const ttfbUs = w.firstByteMs ? (w.firstByteMs - t0) * 1000 : undefined;
        const stats = (recorders[op] ??= recorder.op(op));
        if (interval) stats.ok(t1, (t1 - intended) * 1000, bytes, items, (t1 - t0) * 1000, ttfbUs);
        else stats.ok(t1, (t1 - t0) * 1000, bytes, items, undefined, ttfbUs);
      } catch (e) {
        (recorders[op] ??= recorder.op(op)).error(performance.now(), e);
      }
    }
  }

  if (o.warmupEndMs <= startMs) {
    windowOpen = true;
    recorder.startWindow(startMs, o.stopMs);
  }
  await Promise.all(Array.from({ length: o.workers }, (_, i) => worker(i)));
}
