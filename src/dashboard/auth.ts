/** Bearer-token check for the routes that change state (deleting runs, changing and running schedules). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { HttpError } from './errors.js';
import { errorResponse } from './schemas.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP methods that change state: every route answering one of them needs the token. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A hook requiring `Authorization: Bearer <token>`. Without a configured token, state-changing
 * routes are refused outright: a loopback server without a token is read-only.
 */
export function requireToken(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    if (!expected) {
      throw new HttpError(
        403,
        'STORBENCH_ERR_FORBIDDEN',
        'changing state is disabled: start `storbench serve` with STORBENCH_TOKEN set and send it as a bearer token',
      );
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Comparing digests keeps the comparison constant-time whatever the length of what was sent.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpError(401, 'STORBENCH_ERR_UNAUTHORIZED', 'a valid "Authorization: Bearer <STORBENCH_TOKEN>" header is required');
    }
  };
}

/**
 * Guard every state-changing route registered on `app` after this call, by construction rather than
 * route by route. The check is an `onRequest` hook: fastify parses and validates the body, params and
 * query later, so a caller without the token gets a 401 (403 on a server without a token) and never a
 * 400 that would tell them about the route's input. The route's OpenAPI entry gets the bearer security
 * and the 401 and 403 answers.
 */
export function guardStateChanges(app: FastifyInstance, token: string | undefined): void {
  const guard: onRequestHookHandler = requireToken(token);
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().some((m) => STATE_CHANGING.has(m))) return;
    route.onRequest = [guard, ...[route.onRequest ?? []].flat()];
    const schema = route.schema ?? {};
    route.schema = {
      ...schema,
      security: [{ bearer: [] }],
      response: { ...(schema.response as object | undefined), 401: errorResponse, 403: errorResponse },
    };
  });
}
