/**
 * The dashboard's pages (the top-level `dashboard/` folder: plain HTML and ES modules, no build step) and
 * the charting library, served from node_modules: the machines are offline, so nothing comes from a CDN.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { type PreparedAnswer, prepareAnswer, sendPrepared } from '../cache.js';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/** The pages: each is index.html, whose script loads the module its address names (`/` is the matrix). */
const PAGES = ['/', '/index.html', '/compare.html', '/run.html', '/runs.html', '/schedules.html'] as const;

/** The page shell, as a page address answers it (200) and as an unknown address asked for by a browser does (404). */
export interface PageShell {
  readonly page: PreparedAnswer;
  readonly notFound: PreparedAnswer;
}

/**
 * index.html is the page shell every page address answers: read once and kept encoded, with an ETag, instead of a
 * stat, open, read and close per request (@fastify/static), the largest cost of a page in the profile. An unknown
 * address gets the same shell with a 404, whose script shows the not-found page with the navigation.
 */
export async function readPageShell(): Promise<PageShell> {
  const body = await readFile(join(DASHBOARD_DIR, 'index.html'));
  const answer = { type: 'text/html; charset=utf-8', body, headers: { 'cache-control': 'public, max-age=0' } };
  return { page: prepareAnswer({ status: 200, ...answer }), notFound: prepareAnswer({ status: 404, ...answer }) };
}

/** Whether a request for an unknown address should get the HTML 404 page: a browser's page load, never an API call. */
export function wantsPage(method: string, path: string, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && !/^\/api(\/|$)/.test(path) && /\btext\/html\b/i.test(accept ?? '');
}

export async function pageRoutes(app: FastifyInstance, { shell }: { shell: PageShell }): Promise<void> {
  // The scripts and styles the shell loads are served from the folder below, as they are on disk.
  for (const path of PAGES) app.get(path, { schema: { hide: true } }, (_request, reply) => sendPrepared(reply, shell.page));
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/',
    index: false,
    // Pages and scripts change with the code; revalidate rather than cache blindly.
    cacheControl: true,
    maxAge: 0,
    schemaHide: true,
  });
  await app.register(async (vendor) => {
    await vendor.register(fastifyStatic, {
      root: UPLOT_DIR,
      prefix: '/vendor/uplot/',
      decorateReply: false,
      allowedPath: (path) => path === '/uPlot.esm.js' || path === '/uPlot.min.css',
      maxAge: '1h',
      schemaHide: true,
    });
  });
}
