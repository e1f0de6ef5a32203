/**
 * The OpenAPI document at /docs/json. Routes carry JSON Schema draft-07, the dialect fastify validates
 * with; OpenAPI 3.0.3 schema objects differ from it in a few keywords, rewritten here in the document only,
 * so validation stays exact and the document stays valid (test/dashboard/schemathesis.test.ts checks it).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_DIR } from './routes/pages.js';
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

/** Styles of the two things /docs adds to Swagger UI's top bar (dashboard/js/docs-topbar.js). */
const DOCS_CSS = `.swagger-ui .topbar .topbar-wrapper .link { flex: 0 0 auto; }
.swagger-ui .topbar .storbench-back { flex: 1; color: #fff; font: 600 14px sans-serif; margin: 0 20px 0 12px; white-space: nowrap; }
.swagger-ui .topbar .storbench-url-label { color: #fff; font: 13px sans-serif; align-self: center; margin-right: 8px; white-space: nowrap; }`;

/**
 * Swagger UI at /docs as a page of the dashboard: storbench's logo and title, a link back to the dashboard and a
 * label on the definition URL box (the plugin's `logo.href` lands on an image, not the link, so a theme script
 * does both). Swagger UI sets inline styles (never inline scripts): allowed under /docs only, the dashboard stays strict.
 */
export async function docsUiOptions(): Promise<FastifySwaggerUiOptions> {
  const [icon, topbar] = await Promise.all([readFile(join(DASHBOARD_DIR, 'favicon.svg')), readFile(join(DASHBOARD_DIR, 'js', 'docs-topbar.js'), 'utf8')]);
  return {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: icon },
    theme: {
      title: 'storbench API',
      js: [{ filename: 'storbench-topbar.js', content: topbar }],
      css: [{ filename: 'storbench.css', content: DOCS_CSS }],
      favicon: [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: icon }],
    },
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}
