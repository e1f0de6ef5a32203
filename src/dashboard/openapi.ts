/**
 * The OpenAPI document at /docs/json. Routes carry JSON Schema draft-07, the dialect fastify validates
 * with; OpenAPI 3.0.3 schema objects differ from it in a few keywords, rewritten here in the document only,
 * so validation stays exact and the document stays valid (test/dashboard/schemathesis.test.ts checks it).
 */
import type { FastifyInstance } from 'fastify';
import { errorAnswer } from './schemas.js';

/**
 * A draft-07 schema (or a whole document) in OpenAPI 3.0.3 terms: a numeric `exclusiveMinimum: n`
 * becomes `minimum: n, exclusiveMinimum: true` (likewise for the maximum), and `const: v` becomes `enum: [v]`.
 */
export function toOpenApi30<T>(node: T): T {
  if (Array.isArray(node)) return node.map(toOpenApi30) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'exclusiveMinimum' && typeof value === 'number') Object.assign(out, { minimum: value, exclusiveMinimum: true });
    else if (key === 'exclusiveMaximum' && typeof value === 'number') Object.assign(out, { maximum: value, exclusiveMaximum: true });
    else if (key === 'const') out.enum = [value];
    else out[key] = toOpenApi30(value);
  }
  return out as T;
}

/** The limits that fastify and node enforce before a route's handler runs, for the descriptions. */
export interface RequestLimits {
  /** Bytes of a request body (fastify's `bodyLimit`); more is a 413. */
  readonly bodyLimit: number;
  /** Characters of one path parameter (find-my-way's `maxParamLength`); more is a 414. */
  readonly maxParamLength: number;
}

/**
 * Document on every route the error answers it may give before its handler runs, so the document lists
 * every status the server really returns: 400 (schema validation), 414 (a path parameter over the
 * router's limit), 413 and 415 (a body too large, or not JSON, on methods that take one) and 431 (node's
 * header-size limit, a long query string). Applies to the routes registered on `app` after this call.
 */
export function documentCommonAnswers(app: FastifyInstance, limits: RequestLimits): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema || schema.hide) return;
    const takesBody = [route.method].flat().some((m) => m !== 'GET' && m !== 'HEAD');
    const common: Record<number, unknown> = {
      400: errorAnswer('Invalid input: the message names every problem, each with its field'),
      ...(schema.params ? { 414: errorAnswer(`A path parameter is longer than ${limits.maxParamLength} characters`) } : {}),
      ...(takesBody
        ? {
            413: errorAnswer(`The body is larger than ${limits.bodyLimit / 1024} KiB`),
            415: errorAnswer('The body is not JSON'),
          }
        : {}),
      431: errorAnswer("The request line and headers are over the server's limit (a query string of about 16 KiB)"),
    };
    route.schema = { ...schema, response: { ...common, ...(schema.response as object | undefined) } };
  });
}
