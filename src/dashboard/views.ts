/** What the API returns for runs: the store's records reshaped for readers (histograms become curves). */

import { clientSummary } from '../report/clients.js';
import { runWarnings } from '../report/compare.js';
import { runHealth } from '../report/health.js';
import { describeSettings, runSettings } from '../report/settings.js';
import type { RunDetail, RunSummary } from '../results/types.js';
import { PERCENTILE_AXIS, percentileCurve } from './percentiles.js';

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * A stored (redacted) target URL as people read it: its query values percent-decoded
 * (`endpoint=http://127.0.0.1:39999`, not `endpoint=http%3A%2F%2F...`); secrets stay `***`, as stored.
 */
export function displayTarget(url: string): string {
  return url.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** What a run ran and how it went, as every list and page shows them. */
const setupAndHealth = (r: RunSummary) => {
  const settings = runSettings(r);
  return { settings, settingsText: describeSettings(settings), health: runHealth(r) };
};

/**
 * A run in a list: who, what, when and the headline figures of each op (rates rounded to 3 decimals),
 * without spec, semantics or environment: a page of 50 runs of 8 ops stays small. The full figures are
 * in `/api/runs/:id`.
 */
export function runListItem(r: RunSummary) {
  return {
    id: r.id,
    status: r.status,
    targetName: r.targetName,
    target: displayTarget(r.target),
    system: r.system,
    scheme: r.scheme,
    workload: r.workload,
    loadModel: r.loadModel,
    concurrency: r.concurrency,
    rate: r.rate ?? null,
    // the settings as text only: a page of 50 runs stays small (the run itself has them field by field)
    settingsText: describeSettings(runSettings(r)),
    health: runHealth(r),
    startedAt: r.startedAt,
    endedAt: r.endedAt ?? null,
    measuredSeconds: r.measuredSeconds ?? null,
    error: r.error ?? null,
    progress: r.progress ?? null,
    suiteId: r.suiteId ?? null,
    scheduleId: r.scheduleId ?? null,
    regression: r.regression ?? null,
    ops: r.ops.map((o) => ({
      op: o.op,
      count: o.count,
      errors: o.errors,
      opsPerSec: round3(o.opsPerSec),
      mibPerSec: o.bytes > 0 ? round3(o.mibPerSec) : null, // n/a for an op that moved no bytes (dataRate)
      p50Us: o.latencyUs.p50,
      p99Us: o.latencyUs.p99,
    })),
  };
}

/**
 * One run in full: per-op figures with decoded percentile curves, segments, errors, environment, semantics,
 * and the clients of a multi-client run with their own figures (summaries only: a curve per client and op
 * would make the answer many times larger; the run's curves are all clients merged).
 */
export function runView(r: RunDetail) {
  const { ops, clients, ...rest } = r;
  return {
    ...rest,
    target: displayTarget(r.target),
    ...setupAndHealth(r),
    warnings: runWarnings(r),
    percentileAxis: PERCENTILE_AXIS,
    ops: ops.map(({ histogram, serviceHistogram, ttfbHistogram, ...figures }) => ({
      ...figures,
      curves: {
        latencyUs: percentileCurve(histogram),
        serviceUs: percentileCurve(serviceHistogram),
        ttfbUs: percentileCurve(ttfbHistogram),
      },
    })),
    clients: clients.map(clientSummary),
  };
}
