/**
 * `/api/schedules`: schedules with their jobs and runs; adding, removing, enabling, disabling and running
 * one now need the bearer token. Bodies are closed JSON schemas; what a schema cannot check (the cron
 * expression, workloads, secrets in clear) is checked by `validateSchedule`, and every problem is a 400.
 */

import type { FastifyInstance } from 'fastify';
import { ENGINES } from '../../distributed/engines/registry.js';
import { UsageError } from '../../errors.js';
import type { ResultsStore } from '../../results/types.js';
import { SCHEDULE_ID_PATTERN, scheduleView, validateSchedule } from '../../scheduler/schedule.js';
import type { JobHandle } from '../../scheduler/scheduler.js';
import { PRESETS } from '../../workloads/presets.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { errorAnswer, jsonObject, noQuery } from '../schemas.js';
import { runListItem } from '../views.js';
import type { RouteDeps } from './runs.js';

/** What the routes need from the scheduler. */
export interface JobStarter {
  runNow(id: string): JobHandle;
}

const idPattern = SCHEDULE_ID_PATTERN.source;
const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 200 } as const;
const percent = { type: 'number', exclusiveMinimum: 0, maximum: 100_000 } as const;

/**
 * A preset name or an inline spec, never a path: the server reads no workload file for a schedule (what
 * else the spec must hold is checked by `validateSchedule`, a 400 naming the field).
 */
const workload = {
  anyOf: [
    { type: 'string', enum: Object.keys(PRESETS), description: 'A preset' },
    {
      type: 'object',
      required: ['mix'],
      maxProperties: 50,
      properties: { mix: { type: 'object', description: 'Relative weights of the operation types' } },
      description: 'An inline workload spec: the fields of a workload file',
    },
  ],
} as const;

const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: idPattern, description: 'Schedule name' } },
} as const;

const scheduleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'cron', 'targets', 'workloads'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: 'Schedule name: letters, digits, . _ - (up to 64)' },
    cron: { type: 'string', minLength: 1, maxLength: 200, description: '5 fields, or 6 with seconds first; UTC' },
    targets: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          url: { type: 'string', minLength: 1, maxLength: 2000, description: 'Without secrets' },
          options: {
            type: 'object',
            maxProperties: 100,
            additionalProperties: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'number' }, { type: 'boolean' }] },
          },
          env: { type: 'object', maxProperties: 100, additionalProperties: envName, description: 'option → environment variable holding its (secret) value' },
        },
      },
    },
    workloads: { type: 'array', minItems: 1, maxItems: 100, items: workload, description: 'Preset names or inline specs (not file paths)' },
    overrides: { type: 'object', maxProperties: 50, description: 'Workload fields applied over every workload' },
    baseline: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'Name of the target the matrix compares the others to (one of targets, not a null:// one)',
    },
    distributed: {
      type: 'object',
      additionalProperties: false,
      required: ['engine', 'clients'],
      description: 'Run each workload on many clients placed by an engine (storbench run --engine E --clients N)',
      properties: {
        engine: { type: 'string', enum: Object.keys(ENGINES) },
        clients: { type: 'integer', minimum: 1, maximum: 10000 },
        coordinatorBind: { type: 'string', minLength: 1, maxLength: 300 },
        coordinatorHost: { type: 'string', minLength: 1, maxLength: 300 },
        registrationTimeout: { type: 'string', minLength: 1, maxLength: 50 },
        launcherArgs: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2000 } },
        agentCommand: { type: 'string', minLength: 1, maxLength: 2000 },
      },
    },
    enabled: { type: 'boolean', default: true },
    missed: { type: 'string', enum: ['skip', 'run-once'], default: 'skip' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: { throughputDropPct: percent, p99RisePct: percent },
    },
    webhook: { type: 'string', minLength: 1, maxLength: 2000, description: 'http(s) URL without credentials, or env:VARIABLE' },
  },
} as const;

const jobsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { jobs: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'Latest jobs and (four times as many) runs' } },
} as const;

function mustGet(store: ResultsStore, id: string) {
  const s = store.getSchedule(id);
  if (!s) throw notFound(`no schedule "${id}"`);
  return s;
}

export async function scheduleRoutes(app: FastifyInstance, { store, scheduler }: RouteDeps & { scheduler?: JobStarter }): Promise<void> {
  const write = { tags: ['schedules'], querystring: noQuery } as const;

  app.get(
    '/api/schedules',
    {
      schema: {
        tags: ['schedules'],
        summary: 'Every schedule with its next due time and latest job',
        querystring: noQuery,
        response: { 200: jsonObject('{ schedules: [...] }') },
      },
    },
    async () => ({
      schedules: store.listSchedules().map((s) => ({ ...scheduleView(s), lastJob: store.listJobs(s.id, 1)[0] ?? null })),
    }),
  );

  app.get<{ Params: { id: string }; Querystring: { jobs: number } }>(
    '/api/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        summary: 'One schedule with its latest jobs (outcomes) and runs (with regressions)',
        params: idParams,
        querystring: jobsQuery,
        response: { 200: jsonObject('{ schedule, jobs, runs }'), 404: errorAnswer('No such schedule') },
      },
    },
    async (request) => {
      const s = mustGet(store, request.params.id);
      const n = request.query.jobs;
      return {
        schedule: scheduleView(s),
        jobs: store.listJobs(s.id, n),
        runs: store.listRuns({ scheduleId: s.id, limit: n * 4 }).runs.map(runListItem),
      };
    },
  );

  app.post<{ Body: unknown }>(
    '/api/schedules',
    {
      schema: {
        ...write,
        summary: 'Add a schedule (needs the bearer token)',
        body: scheduleBody,
        response: { 201: jsonObject('{ schedule }'), 409: errorAnswer('A schedule of that name exists already') },
      },
    },
    async (request, reply) => {
      let schedule;
      try {
        schedule = validateSchedule(request.body);
      } catch (e) {
        if (e instanceof UsageError) throw badRequest(e.message);
        throw e;
      }
      if (store.getSchedule(schedule.id)) throw conflict(`schedule "${schedule.id}" exists already`);
      return reply.code(201).send({ schedule: scheduleView(store.createSchedule(schedule)) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/schedules/:id',
    {
      schema: {
        ...write,
        summary: 'Remove a schedule and its jobs; its runs stay (needs the bearer token)',
        params: idParams,
        response: { 204: { description: 'Removed', type: 'null' }, 404: errorAnswer('No such schedule') },
      },
    },
    async (request, reply) => {
      if (!store.deleteSchedule(request.params.id)) throw notFound(`no schedule "${request.params.id}"`);
      return reply.code(204).send();
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/schedules/:id/${action}`,
      {
        schema: {
          ...write,
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} a schedule (needs the bearer token)`,
          params: idParams,
          response: { 200: jsonObject('{ schedule }'), 404: errorAnswer('No such schedule') },
        },
      },
      async (request) => {
        mustGet(store, request.params.id);
        store.setScheduleEnabled(request.params.id, action === 'enable');
        return { schedule: scheduleView(mustGet(store, request.params.id)) };
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    '/api/schedules/:id/run',
    {
      schema: {
        ...write,
        summary: 'Run a job of the schedule now; answers at once with the job (running, skipped or failed)',
        params: idParams,
        response: { 202: jsonObject('{ job }'), 404: errorAnswer('No such schedule'), 409: errorAnswer('This server runs no scheduler (--no-scheduler)') },
      },
    },
    async (request, reply) => {
      mustGet(store, request.params.id);
      if (!scheduler) throw conflict('this server runs no scheduler (started with --no-scheduler): use `storbench schedule run-now`');
      const { job, done } = scheduler.runNow(request.params.id);
      void done.catch(() => undefined);
      return reply.code(202).send({ job });
    },
  );
}
