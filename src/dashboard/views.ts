/** What the API returns for runs: the store's records reshaped for readers (histograms become curves). */
import type { RunDetail, RunSummary } from '../results/types.js';
import { PERCENTILE_AXIS, percentileCurve } from './percentiles.js';

/** A run in a list: who, what, when and the per-op figures, without spec, semantics or environment. */
export function runListItem(r: RunSummary) {
  return {
    id: r.id, status: r.status, targetName: r.targetName, target: r.target, system: r.system, scheme: r.scheme,
    workload: r.workload, loadModel: r.loadModel, concurrency: r.concurrency, rate: r.rate ?? null,
    startedAt: r.startedAt, endedAt: r.endedAt ?? null, measuredSeconds: r.measuredSeconds ?? null,
    error: r.error ?? null, progress: r.progress ?? null, suiteId: r.suiteId ?? null,
    ops: r.ops.map((o) => ({
      op: o.op, count: o.count, errors: o.errors, opsPerSec: o.opsPerSec, mibPerSec: o.mibPerSec, latencyUs: o.latencyUs,
    })),
  };
}

/** One run in full: per-op figures with decoded percentile curves, segments, errors, environment, semantics. */
export function runView(r: RunDetail) {
  const { ops, ...rest } = r;
  return {
    ...rest,
    percentileAxis: PERCENTILE_AXIS,
    ops: ops.map(({ histogram, serviceHistogram, ttfbHistogram, ...figures }) => ({
      ...figures,
      curves: {
        latencyUs: percentileCurve(histogram),
        serviceUs: percentileCurve(serviceHistogram),
        ttfbUs: percentileCurve(ttfbHistogram),
      },
    })),
  };
}
