/**
 * How a multi-client run is shared out (pure). The workload describes the whole run, as for worker
 * threads: its concurrency, objects, operation count and rate are divided among the clients exactly as a
 * run divides them among its threads, so a run on N clients compares with the same workload on one.
 */
import { UsageError } from '../errors.js';
import { share } from '../runner/threads.js';
import { needsObjects, type WorkloadSpec } from '../workloads/spec.js';
import type { AgentShare } from './protocol.js';

/**
 * Threads of one agent: `threads: N` as asked (at most its workers); `auto` does not probe inside an agent
 * (the probe would measure before the common start): one thread per worker for a driver making blocking
 * calls, else one event loop.
 */
export function agentThreads(threads: WorkloadSpec['threads'], workers: number, blocking: boolean): number {
  if (threads === 'auto') return blocking ? workers : 1;
  return Math.max(1, Math.min(threads, workers));
}

/** Every rank's share; refuses a workload that cannot be shared among `clients`. */
export function planShares(spec: WorkloadSpec, clients: number, blocking: boolean): AgentShare[] {
  if (spec.concurrency < clients) {
    throw new UsageError(`--concurrency: ${spec.concurrency} is shared among the ${clients} clients; give at least ${clients} (one worker per client)`);
  }
  const workers = Array.from({ length: clients }, (_, r) => share(spec.concurrency, clients, r));
  const threads = workers.map((w) => agentThreads(spec.threads, w, blocking));
  const ofThreads = threads.reduce((a, b) => a + b, 0);
  if (needsObjects(spec) && spec.objects > 0 && spec.objects < ofThreads) {
    throw new UsageError(
      `--objects: ${spec.objects} objects for ${ofThreads} threads on ${clients} clients; give at least ${ofThreads} (each thread reads its own)`,
    );
  }
  let first = 0;
  return workers.map((w, rank) => {
    const s: AgentShare = {
      rank,
      workers: w,
      threads: threads[rank]!,
      firstThread: first,
      ofThreads,
      ...(spec.ops !== undefined ? { ops: share(spec.ops, clients, rank) } : {}),
      ...(spec.rate ? { rate: (spec.rate * w) / spec.concurrency } : {}),
    };
    first += threads[rank]!;
    return s;
  });
}

/** The workload as one agent runs it: its workers, threads, operations and rate. */
export function agentSpec(spec: WorkloadSpec, s: AgentShare): WorkloadSpec {
  const { ops: _ops, rate: _rate, ...rest } = spec;
  return {
    ...rest,
    concurrency: s.workers,
    threads: s.threads,
    ...(s.ops !== undefined ? { ops: s.ops } : {}),
    ...(s.rate ? { rate: s.rate } : {}),
  } as WorkloadSpec;
}

/** A start skew past this is flagged on the run: max(100 ms, 1% of the measured duration). */
export const skewLimitMs = (spec: Pick<WorkloadSpec, 'duration'>): number => Math.max(100, spec.duration / 100);
