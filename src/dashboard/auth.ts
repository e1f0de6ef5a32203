/** Bearer-token check for the routes that change state (deleting runs; starting runs and schedules later). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A preHandler requiring `Authorization: Bearer <token>`. Without a configured token, state-changing
 * routes are refused outright: a loopback server without a token is read-only.
 */
export function requireToken(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    if (!expected) {
      throw new HttpError(403, 'STORBENCH_ERR_FORBIDDEN',
        'changing state is disabled: start `storbench serve` with STORBENCH_TOKEN set and send it as a bearer token');
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Comparing digests keeps the comparison constant-time whatever the length of what was sent.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpError(401, 'STORBENCH_ERR_UNAUTHORIZED', 'a valid "Authorization: Bearer <STORBENCH_TOKEN>" header is required');
    }
  };
}
