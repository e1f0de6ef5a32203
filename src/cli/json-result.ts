/** The `--json` shape of one operation type's results (`storbench run --json`, `suite --json`). */
import type { OpResult } from '../results/types.js';
import type { RunResult } from '../runner/run.js';

export interface JsonOpResult {
  readonly op: string;
  readonly count: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly ttfbUs?: { readonly p50: number; readonly p99: number };
  readonly meanIoRateMibPerSec?: number;
}

export function toJsonResult(r: OpResult): JsonOpResult {
  const { p50, p90, p99, p999, max } = r.latencyUs;
  return {
    op: r.op,
    count: r.count,
    errors: r.errors,
    opsPerSec: r.opsPerSec,
    mibPerSec: r.mibPerSec,
    latencyUs: { p50, p90, p99, p999, max },
    ...(r.ttfbUs ? { ttfbUs: { p50: r.ttfbUs.p50, p99: r.ttfbUs.p99 } } : {}),
    ...(r.meanIoRateMibPerSec !== undefined ? { meanIoRateMibPerSec: r.meanIoRateMibPerSec } : {}),
  };
}

/** A finished run as `--json` prints it: its outcome, and its figures in the shape above (no histograms). */
export function toJsonRun({ ops, ...outcome }: RunResult): Omit<RunResult, 'ops'> & { readonly results: readonly JsonOpResult[] } {
  return { ...outcome, results: ops.map(toJsonResult) };
}
