/**
 * The HTTP face of the results database: a fastify app with a JSON API (schemas on every route, OpenAPI
 * at /docs), Prometheus metrics of live runs and the dashboard pages. `buildApp` only builds it: tests
 * call `app.inject()` without listening, `storbench serve` listens.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import type { ResultsStore } from '../results/types.js';
import { STORBENCH_VERSION } from '../version.js';
import { guardStateChanges } from './auth.js';
import { AnswerCache, sendPrepared } from './cache.js';
import { errorBody, formatValidation, HttpError } from './errors.js';
import { docsUiOptions, documentCommonAnswers, type RequestLimits, toOpenApi30 } from './openapi.js';
import { exportRoutes } from './routes/exports.js';
import { metricsRoutes } from './routes/metrics.js';
import { pageRoutes, readPageShell, wantsPage } from './routes/pages.js';
import { reportRoutes } from './routes/reports.js';
import { runsRoutes } from './routes/runs.js';
import { type JobStarter, scheduleRoutes } from './routes/schedules.js';

export interface AppOptions {
  readonly store: ResultsStore;
  /** Bearer token required by state-changing routes; without one they answer 403. Never echoed. */
  readonly token?: string;
  /** fastify's logger option. @default false */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Host names (without port) accepted in the Host header; others get a 403. `storbench serve` sets the
   * loopback names when bound to loopback, which defeats DNS rebinding. @default any host
   */
  readonly allowedHosts?: readonly string[];
  /** Starts schedule jobs for `POST /api/schedules/:id/run` (the scheduler of `storbench serve`). */
  readonly scheduler?: JobStarter;
}

/** The content security policy of every answer: only this origin, no inline script or style. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Served over plain HTTP (loopback by default): upgrading requests would break the pages.
  upgradeInsecureRequests: null,
};

const LIMITS: RequestLimits = {
  // Large enough for anything the API takes (a schedule's body).
  bodyLimit: 64 * 1024,
  // The longest run id the schema allows (128 characters), each percent-encoded: a valid id reaches its
  // route (a 404 when there is no such run) instead of the router's 414.
  maxParamLength: 3 * 128,
};

function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(header.trim().toLowerCase());
  return m ? m[1]! : '';
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store, token } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.bodyLimit,
    routerOptions: { maxParamLength: LIMITS.maxParamLength },
    ajv: {
      customOptions: {
        // Unknown fields are an error, not silently dropped (fastify's default removes them).
        removeAdditional: false,
        coerceTypes: true,
        useDefaults: true,
        allErrors: true,
      },
    },
  });

  // Before any route (and before @fastify/swagger reads them): every state-changing route gets the guard,
  // and every route the error answers it may give before its handler runs.
  guardStateChanges(app, token);
  documentCommonAnswers(app, LIMITS);

  // helmet's middleware is built once, here: @fastify/helmet 13 builds it again for every request (parsing the
  // CSP directives each time), which was the largest cost of a cached answer in the profile. First, so that
  // every answer has the headers, a 403 for a foreign Host included.
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Plain HTTP on loopback by default: HSTS would be meaningless or harmful.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)));

  if (options.allowedHosts) {
    const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    app.addHook('onRequest', async (request) => {
      if (!allowed.has(hostName(request.headers.host))) {
        throw new HttpError(403, 'STORBENCH_ERR_FORBIDDEN', 'this server answers only to the host names it is bound to');
      }
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send(errorBody(400, 'STORBENCH_ERR_VALIDATION', formatValidation(error)));
    }
    if (error instanceof HttpError) {
      if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      return reply.code(error.statusCode).send(errorBody(error.statusCode, error.code, error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(status, error.code ?? 'STORBENCH_ERR_VALIDATION', error.message));
    }
    // Unexpected: logged in full, answered without internals.
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody(500, 'STORBENCH_ERR_INTERNAL', 'internal error (see the server log)'));
  });
  // A browser asking for an unknown address gets the dashboard's 404 page (navigation and a way back); API clients,
  // and every /api/ address, the JSON error.
  const shell = await readPageShell();
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    if (wantsPage(request.method, path, request.headers.accept)) return sendPrepared(reply, shell.notFound);
    return reply.code(404).send(errorBody(404, 'STORBENCH_ERR_NOT_FOUND', `no route ${request.method} ${path}`));
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'storbench API',
        version: STORBENCH_VERSION,
        description: 'Results of storbench runs: runs, comparisons, the systems × workloads matrix, exports and live metrics.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transformObject: (doc) => ('openapiObject' in doc ? toOpenApi30(doc.openapiObject) : doc.swaggerObject),
  });
  await app.register(swaggerUi, await docsUiOptions());

  const cache = new AnswerCache(store);
  const deps = { store, cache };
  await app.register(runsRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(exportRoutes, deps);
  await app.register(metricsRoutes, deps);
  await app.register(scheduleRoutes, { ...deps, ...(options.scheduler && { scheduler: options.scheduler }) });
  await app.register(pageRoutes, { shell });
  return app;
}
