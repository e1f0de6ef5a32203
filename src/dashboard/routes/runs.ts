/**
 * `/api/runs`: the runs list with filters, one run in full, the per-client breakdown of a multi-client run,
 * and deleting a run (bearer token).
 */
import type { FastifyInstance } from 'fastify';
import { clientBreakdown } from '../../report/clients.js';
import type { ResultsStore } from '../../results/types.js';
import { type AnswerCache, jsonAnswer } from '../cache.js';
import { notFound } from '../errors.js';
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
          'A multi-client run carries its `clients` by rank, each with its own per-op figures (without curves); `[]` otherwise.',
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
