/** `/api/compare` and `/api/matrix`: runs side by side, and systems × workloads against a baseline. */
import type { FastifyInstance } from 'fastify';
import { withoutHistograms } from '../../report/clients.js';
import { buildMatrix, type Comparison, compareRuns, pickLikeForLike } from '../../report/compare.js';
import type { ResultsStore, RunSummary } from '../../results/types.js';
import { jsonAnswer } from '../cache.js';
import { notFound } from '../errors.js';
import { splitIds, toMatrixScope } from '../filter.js';
import { PERCENTILE_AXIS, percentileCurve } from '../percentiles.js';
import { compareQuery, errorAnswer, jsonObject, matrixQuery, notModified } from '../schemas.js';
import type { RouteDeps } from './runs.js';

/** Summaries of the runs named, in the order given; a 404 names every missing id. */
export function runsByIds(store: ResultsStore, ids: readonly string[]): RunSummary[] {
  const details = ids.map((id) => store.getRun(id));
  const missing = ids.filter((_, i) => !details[i]);
  if (missing.length) throw notFound(`no run ${missing.map((id) => `"${id}"`).join(', ')}`);
  return details.map((d) => ({ ...d!, ops: d!.ops.map(withoutHistograms) }));
}

/** The comparison plus each run's latency curve per op, for the overlaid percentile plot. */
export function comparisonWithCurves(store: ResultsStore, ids: readonly string[]) {
  const comparison: Comparison = compareRuns(runsByIds(store, ids));
  const curves: Record<string, { runId: string; latencyUs: number[] | null }[]> = {};
  for (const id of ids) {
    for (const o of store.getRun(id)!.ops) (curves[o.op] ??= []).push({ runId: id, latencyUs: percentileCurve(o.histogram) });
  }
  return { ...comparison, percentileAxis: PERCENTILE_AXIS, curves };
}

/** The matrix's query: a baseline, a suite's own runs, the matrix as it stood at a date. */
export interface MatrixQuery {
  baseline?: string;
  suite?: string;
  asOf?: string;
}

/**
 * The matrix of like-for-like completed runs (src/report/compare.ts pickLikeForLike), chosen from what the
 * runs ran without loading their figures; only the chosen runs' figures are read. An unknown or ceiling
 * baseline is a 404 listing the choices: a target that is not there, as an unknown run id is (the schema
 * cannot list the names in a database). `suites` lists the suites to choose from (newest 50).
 */
export function matrixFor(store: ResultsStore, q: MatrixQuery) {
  const { runs: picked, columns } = pickLikeForLike(store.completedSetups(toMatrixScope(q)));
  const chosen = store.summariesOf(picked.map((r) => r.id));
  // null:// measures the harness itself: a reference, never a baseline.
  const targets = [...new Set(chosen.filter((r) => r.scheme !== 'null').map((r) => r.targetName))].sort();
  if (q.baseline !== undefined && !targets.includes(q.baseline)) {
    throw notFound(`querystring.baseline: no storage target named "${q.baseline}" has completed runs (targets: ${targets.join(', ') || 'none'})`);
  }
  const matrix = buildMatrix(chosen, q.baseline, columns);
  return { ...matrix, baseline: matrix.baseline ?? null, targets, suite: q.suite ?? null, asOf: q.asOf ?? null, suites: store.listSuites() };
}

export async function reportRoutes(app: FastifyInstance, { store, cache }: RouteDeps): Promise<void> {
  app.get<{ Querystring: { ids: string } }>(
    '/api/compare',
    {
      schema: {
        tags: ['reports'],
        summary: 'Runs side by side, per op, with ratios to the first run and overlaid latency percentile curves',
        querystring: compareQuery,
        response: { 200: jsonObject('{ runs, rows, warnings, percentileAxis, curves }'), 304: notModified, 404: errorAnswer('A run named is not there') },
      },
    },
    async (request, reply) => cache.send(reply, request.url, () => jsonAnswer(comparisonWithCurves(store, splitIds(request.query.ids)))),
  );

  app.get<{ Querystring: MatrixQuery }>(
    '/api/matrix',
    {
      schema: {
        tags: ['reports'],
        summary: 'Systems × workloads: like-for-like completed runs (one set of settings per workload), with ratios to a baseline target',
        querystring: matrixQuery,
        response: {
          200: jsonObject('{ baseline, targets, workloads, columns (settings and the runs left out), rows, suite, asOf, suites }'),
          304: notModified,
          404: errorAnswer('No storage target of that name has completed runs'),
        },
      },
    },
    async (request, reply) => cache.send(reply, request.url, () => jsonAnswer(matrixFor(store, request.query))),
  );
}
