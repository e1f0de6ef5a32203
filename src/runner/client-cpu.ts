/**
 * What storbench itself costs: the CPU time of this process (all its threads: the measuring loop, worker
 * threads, libuv's threadpool, the per-second flushes) over the measured window, per operation. Client and
 * storage often share hosts (always on a one-machine test bed), so every microsecond here is taken from the
 * system being measured; on a cluster it is the number of client hosts a load needs. Stored with each run as
 * `clientCpuUsPerOp` and `clientCpuCores` in its environment.
 */
export interface ClientCpu {
  /** CPU microseconds (user + system, every thread) per operation that ended in the window. */
  readonly usPerOp: number;
  /** Cores kept busy on average: CPU time / measured time. */
  readonly cores: number;
}

/** This process's CPU time so far, user + system, in microseconds. */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** The figures of `cpuUs` spent over `seconds` measuring `ops` (per-operation results or records: their counts). */
export function clientCpuOf(cpuUs: number, seconds: number, ops: readonly { readonly count: number }[]): ClientCpu | undefined {
  const count = ops.reduce((n, o) => n + o.count, 0);
  if (count === 0 || seconds <= 0) return undefined;
  return { usPerOp: Math.round((cpuUs / count) * 10) / 10, cores: Math.round((cpuUs / 1e6 / seconds) * 100) / 100 };
}
