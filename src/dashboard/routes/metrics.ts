/**
 * `/metrics`: Prometheus figures of the active (running) runs, read from the store at scrape time, so runs
 * started by any process writing to the same database show up.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { RunDetail } from '../../results/types.js';
import { noQuery } from '../schemas.js';
import type { RouteDeps } from './runs.js';

/** Runs described per scrape at most (a guard against a database full of runs stuck `running`). */
const MAX_ACTIVE = 50;

export async function metricsRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  const registry = new Registry();
  const runLabels = ['run_id', 'target', 'system', 'workload'] as const;
  const opLabels = [...runLabels, 'op'] as const;
  let active: RunDetail[] = [];

  const activeRuns = new Gauge({ name: 'storbench_active_runs', help: 'Runs in progress', registers: [registry] });
  const progress = new Gauge({
    name: 'storbench_run_progress',
    help: 'Live progress figures reported by a running run (elapsed seconds, ops so far...)',
    labelNames: [...runLabels, 'key'],
    registers: [registry],
  });
  const ops = new Gauge({
    name: 'storbench_run_ops',
    help: 'Successful operations so far in the measured window',
    labelNames: opLabels,
    registers: [registry],
  });
  const errors = new Gauge({
    name: 'storbench_run_errors',
    help: 'Failed operations so far in the measured window',
    labelNames: opLabels,
    registers: [registry],
  });
  const bytes = new Gauge({ name: 'storbench_run_bytes', help: 'Bytes moved so far in the measured window', labelNames: opLabels, registers: [registry] });
  const rate = new Gauge({ name: 'storbench_run_ops_per_second', help: 'Operations in the last flushed second', labelNames: opLabels, registers: [registry] });
  const meanLatency = new Gauge({
    name: 'storbench_run_mean_latency_seconds',
    help: 'Mean latency in the last flushed second',
    labelNames: opLabels,
    registers: [registry],
  });

  const labels = (r: RunDetail) => ({ run_id: r.id, target: r.targetName, system: r.system, workload: r.workload });

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus metrics of the active runs',
        querystring: noQuery,
        response: { 200: { description: 'Prometheus text exposition format (version 0.0.4)', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => {
      active = store
        .listRuns({ status: 'running', limit: MAX_ACTIVE })
        .runs.map((r) => store.getRun(r.id))
        .filter((r): r is RunDetail => r !== undefined);
      registry.resetMetrics();
      activeRuns.set(active.length);
      for (const r of active) {
        const l = labels(r);
        for (const [key, value] of Object.entries(r.progress ?? {})) if (Number.isFinite(value)) progress.set({ ...l, key }, value);
        const last = Math.max(-1, ...r.segments.map((s) => s.second));
        for (const s of r.segments) {
          const ol = { ...l, op: s.op };
          ops.inc(ol, s.ops);
          errors.inc(ol, s.errors);
          bytes.inc(ol, s.bytes);
          if (s.second === last) {
            rate.set(ol, s.ops);
            meanLatency.set(ol, s.ops > 0 ? s.latencySumUs / s.ops / 1e6 : 0);
          }
        }
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}
