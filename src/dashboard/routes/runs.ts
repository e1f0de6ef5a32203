/**
 * `/api/runs`: the runs list with filters, one run in full, the per-client breakdown of a multi-client run,
 * a run's latency bins and per-second figures as files, and deleting a run (bearer token).
 */
import type { FastifyInstance } from 'fastify';
import { binsCsv, latencyBins } from '../../report/bins.js';
import { clientBreakdown } from '../../report/clients.js';
import type { ResultsStore, RunDetail } from '../../results/types.js';
import { type AnswerCache, jsonAnswer } from '../cache.js';
import { notFound } from '../errors.js';
import { toCsv } from '../export.js';
import { type RunsQuery, toRunFilter } from '../filter.js';
import { clientBreakdownAnswer, errorAnswer, jsonObject, noQuery, notModified, runIdParams, runsQuery } from '../schemas.js';
import { runListItem, runView } from '../views.js';

export interface RouteDeps {
  readonly store: ResultsStore;
  readonly cache: AnswerCache;
}

export async function runsRoutes(app: FastifyInstance, { store, cache }: RouteDeps): Promise<void> {
  app.get<{ Querystring: RunsQuery }>(
    '/api/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'List runs, newest first, filtered and paginated',
        querystring: runsQuery,
        response: { 200: jsonObject('{ total, limit, offset, runs: [...] }'), 304: notModified },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const filter = toRunFilter(request.query);
        const { runs, total } = store.listRuns(filter);
        return jsonAnswer({ total, limit: filter.limit, offset: filter.offset, runs: runs.map(runListItem) });
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run: per-op figures and percentile curves, segments, errors, environment, semantics, clients',
        description:
          'A running run also carries `progress` and the segments flushed so far; poll it for live figures. ' +
          'A multi-client run carries its `clients` by rank, each with its own per-op figures (without curves); `[]` otherwise. ' +
          "A run on several worker threads carries `threads`: each thread's count, errors, ops/s and p99 per op; `[]` otherwise. " +
          '`segments[]` (per second and op) carry `latencyP50Us` and `latencyP99Us` (at most 3.1% high) in runs stored since they were kept.',
        params: runIdParams,
        querystring: noQuery,
        response: { 200: jsonObject('The run'), 304: notModified, 404: errorAnswer('No such run') },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const run = store.getRun(request.params.id);
        if (!run) throw notFound(`no run "${request.params.id}"`);
        return jsonAnswer(runView(run));
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/runs/:id/clients',
    {
      schema: {
        tags: ['runs'],
        summary: 'The per-client breakdown of a multi-client run: figures by rank, first and last done, stragglers',
        params: runIdParams,
        querystring: noQuery,
        response: { 200: clientBreakdownAnswer, 304: notModified, 404: errorAnswer('No such run') },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const run = store.getRun(request.params.id);
        if (!run) throw notFound(`no run "${request.params.id}"`);
        return jsonAnswer(clientBreakdown(run));
      }),
  );

  const runOr404 = (id: string, segments = true): RunDetail => {
    const run = store.getRun(id, { segments });
    if (!run) throw notFound(`no run "${id}"`);
    return run;
  };
  const attachment = (name: string) => ({ 'content-disposition': `attachment; filename="storbench-${name}"` });
  const csvFile = (description: string) => ({
    description,
    content: { 'text/csv': { schema: { type: 'string', description: 'One header line, then one line per row' } } },
  });
  const opQuery = {
    type: 'object',
    additionalProperties: false,
    required: ['op'],
    properties: { op: { type: 'string', minLength: 1, maxLength: 64, description: 'The operation type (read, write, ...)' } },
  } as const;

  app.get<{ Params: { id: string }; Querystring: { op: string } }>(
    '/api/runs/:id/histogram.csv',
    {
      schema: {
        tags: ['runs'],
        summary: "One operation type's latency histogram as bins, like fio's clat bins",
        description:
          'One line per non-empty bin, fastest first: `value_us_from,value_us_to,count,cumulative_fraction`. Latencies in µs, ' +
          'both bounds inclusive, from the stored HDR histogram; bins are exact below 64 µs, then 32 equal bins per power of two. ' +
          "The counts add up to the op's `count`; `cumulative_fraction` is the fraction of operations at or below `value_us_to`.",
        params: runIdParams,
        querystring: opQuery,
        response: { 200: csvFile('The bins'), 304: notModified, 404: errorAnswer('No such run, or no such operation type in it') },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const run = runOr404(request.params.id, false);
        const op = run.ops.find((o) => o.op === request.query.op);
        if (!op) throw notFound(`run "${run.id}" has no operation type "${request.query.op}" (it has ${run.ops.map((o) => o.op).join(', ') || 'none'})`);
        return { status: 200, type: 'text/csv; charset=utf-8', body: binsCsv(latencyBins(op.histogram)), headers: attachment(`${run.id}-${op.op}-bins.csv`) };
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/runs/:id/segments.csv',
    {
      schema: {
        tags: ['runs'],
        summary: "A run per second and operation type, like fio's bandwidth and latency logs",
        description:
          '`second,op,ops,mib,errors,mean_us,p50_us,p99_us,max_us`: seconds since the measured window opened. ' +
          'p50 and p99 per second are at most 3.1% high; empty in runs stored before they were kept.',
        params: runIdParams,
        querystring: noQuery,
        response: { 200: csvFile('The segments'), 304: notModified, 404: errorAnswer('No such run') },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const run = runOr404(request.params.id);
        const body = toCsv({
          columns: ['second', 'op', 'ops', 'mib', 'errors', 'mean_us', 'p50_us', 'p99_us', 'max_us'],
          rows: run.segments.map((s) => [
            s.second,
            s.op,
            s.ops,
            Math.round((s.bytes / 1048576) * 1000) / 1000,
            s.errors,
            s.ops ? Math.round((s.latencySumUs / s.ops) * 10) / 10 : null,
            s.latencyP50Us ?? null,
            s.latencyP99Us ?? null,
            s.ops ? s.latencyMaxUs : null,
          ]),
        });
        return { status: 200, type: 'text/csv; charset=utf-8', body, headers: attachment(`${run.id}-segments.csv`) };
      }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'Delete a run and its results (needs the bearer token)',
        params: runIdParams,
        querystring: noQuery,
        response: { 204: { description: 'Deleted', type: 'null' }, 404: errorAnswer('No such run') },
      },
    },
    async (request, reply) => {
      if (!store.deleteRun(request.params.id)) throw notFound(`no run "${request.params.id}"`);
      return reply.code(204).send();
    },
  );
}
