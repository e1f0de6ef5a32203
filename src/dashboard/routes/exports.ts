/** `/api/export/*`: the runs list, a comparison and the matrix as CSV, JSON or Markdown files. */
import type { FastifyInstance } from 'fastify';
import { runHealth } from '../../report/health.js';
import { describeSettings, runSettings } from '../../report/settings.js';
import { type CachedAnswer, jsonAnswer } from '../cache.js';
import { round, type Table, toCsv, toMarkdown } from '../export.js';
import { type RunsQuery, splitIds, toRunFilter } from '../filter.js';
import { errorAnswer, formatProperty, idsProperty, jsonArray, jsonObject, matrixQuery, notModified, runFilterProperties } from '../schemas.js';
import { comparisonWithCurves, type MatrixQuery, matrixFor } from './reports.js';
import type { RouteDeps } from './runs.js';

type Format = 'csv' | 'json' | 'md';

function file(name: string, format: Format, table: Table, json: unknown): CachedAnswer {
  const headers = { 'content-disposition': `attachment; filename="storbench-${name}.${format}"` };
  if (format === 'json') return { ...jsonAnswer(json), headers };
  if (format === 'md') return { status: 200, type: 'text/markdown; charset=utf-8', body: toMarkdown(table), headers };
  return { status: 200, type: 'text/csv; charset=utf-8', body: toCsv(table), headers };
}

/** The file in each of its formats: CSV and Markdown tables, or the JSON answer `json` describes. */
const fileAnswer = (json: object) => ({
  description: 'The file, in the format asked for (`format`)',
  content: {
    'text/csv': { schema: { type: 'string', description: 'One header line, then one line per row' } },
    'text/markdown': { schema: { type: 'string', description: 'A table' } },
    'application/json': { schema: json },
  },
});

export async function exportRoutes(app: FastifyInstance, { store, cache }: RouteDeps): Promise<void> {
  app.get<{ Querystring: RunsQuery & { format: Format } }>(
    '/api/export/runs',
    {
      schema: {
        tags: ['exports'],
        summary: 'The runs list (same filters as /api/runs), one line per run and op',
        querystring: { type: 'object', additionalProperties: false, properties: { ...runFilterProperties, format: formatProperty } },
        response: { 200: fileAnswer(jsonArray('The runs, each with its per-op figures')), 304: notModified },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const runs = store.listRuns(toRunFilter(request.query)).runs;
        const table: Table = {
          columns: [
            'run',
            'started',
            'target',
            'system',
            'workload',
            'status',
            'settings',
            'op',
            'count',
            'errors',
            'ops/s',
            'MiB/s',
            'p50 µs',
            'p99 µs',
            'p99.9 µs',
            'max µs',
          ],
          rows: runs.flatMap((r) =>
            r.ops.map((o) => [
              r.id,
              r.startedAt,
              r.targetName,
              r.system,
              r.workload,
              runHealth(r).label,
              describeSettings(runSettings(r)),
              o.op,
              o.count,
              o.errors,
              round(o.opsPerSec),
              o.bytes > 0 ? round(o.mibPerSec) : null,
              o.latencyUs.p50,
              o.latencyUs.p99,
              o.latencyUs.p999,
              o.latencyUs.max,
            ]),
          ),
        };
        return file('runs', request.query.format, table, runs);
      }),
  );

  app.get<{ Querystring: { ids: string; format: Format } }>(
    '/api/export/compare',
    {
      schema: {
        tags: ['exports'],
        summary: 'A comparison, one line per op and run, with ratios to the first run',
        querystring: { type: 'object', additionalProperties: false, required: ['ids'], properties: { ids: idsProperty, format: formatProperty } },
        response: { 200: fileAnswer(jsonObject('{ runs, rows, warnings }')), 304: notModified, 404: errorAnswer('A run named is not there') },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const c = comparisonWithCurves(store, splitIds(request.query.ids));
        const table: Table = {
          columns: [
            'op',
            'run',
            'label',
            'target',
            'workload',
            'settings',
            'count',
            'errors',
            'ops/s',
            'MiB/s',
            'p50 µs',
            'p99 µs',
            'ops/s ratio',
            'MiB/s ratio',
            'p50 ratio',
            'p99 ratio',
          ],
          rows: c.rows.flatMap((row) =>
            row.cells.flatMap((v, i) =>
              v === undefined
                ? []
                : [
                    [
                      row.op,
                      v.runId,
                      c.runs[i]!.label,
                      c.runs[i]!.targetName,
                      c.runs[i]!.workload,
                      c.runs[i]!.settingsText,
                      v.count,
                      v.errors,
                      round(v.opsPerSec),
                      round(v.mibPerSec),
                      v.p50Us,
                      v.p99Us,
                      // ratios in full: a spreadsheet rounds as its reader wants; 0.0008 must not become 0
                      v.opsRatio ?? null,
                      v.mibRatio ?? null,
                      v.p50Ratio ?? null,
                      v.p99Ratio ?? null,
                    ],
                  ],
            ),
          ),
        };
        const { curves: _curves, percentileAxis: _axis, ...comparison } = c;
        return file('compare', request.query.format, table, comparison);
      }),
  );

  app.get<{ Querystring: MatrixQuery & { format: Format } }>(
    '/api/export/matrix',
    {
      schema: {
        tags: ['exports'],
        summary: 'The matrix, one line per target and workload, with ratios to the baseline',
        querystring: { ...matrixQuery, properties: { ...matrixQuery.properties, format: formatProperty } },
        response: {
          200: fileAnswer(jsonObject('{ baseline, targets, workloads, rows }')),
          304: notModified,
          404: errorAnswer('No storage target of that name has completed runs'),
        },
      },
    },
    async (request, reply) =>
      cache.send(reply, request.url, () => {
        const m = matrixFor(store, request.query);
        const table: Table = {
          columns: [
            'target',
            'system',
            'workload',
            'run',
            'started',
            'status',
            'settings',
            'ops/s',
            'MiB/s',
            'p99 µs',
            `ops/s ratio to ${m.baseline ?? '-'}`,
            'p99 ratio',
            'harness ceiling',
          ],
          rows: m.rows.flatMap((r) =>
            m.workloads.flatMap((w) => {
              const c = r.cells[w];
              return c === undefined
                ? []
                : [
                    [
                      r.target,
                      r.system,
                      w,
                      c.runId,
                      c.startedAt,
                      c.health.label,
                      c.settingsText,
                      round(c.opsPerSec),
                      round(c.mibPerSec),
                      c.p99Us,
                      c.opsRatio ?? null,
                      c.p99Ratio ?? null,
                      r.ceiling ? 'yes' : 'no',
                    ],
                  ];
            }),
          ),
        };
        return file('matrix', request.query.format, table, m);
      }),
  );
}
