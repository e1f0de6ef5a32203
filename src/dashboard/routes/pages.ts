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
import { prepareAnswer, sendPrepared } from '../cache.js';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/** The pages: each is index.html, whose script loads the module its address names (`/` is the matrix). */
const PAGES = ['/', '/index.html', '/compare.html', '/run.html', '/runs.html', '/schedules.html'] as const;

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  // index.html is the page shell every page address answers: read once and kept encoded, with an ETag, instead of a
  // stat, open, read and close per request (@fastify/static), the largest cost of a page in the profile. The
  // scripts and styles it loads are served from the folder below, as they are on disk.
  const page = prepareAnswer({
    status: 200,
    type: 'text/html; charset=utf-8',
    body: await readFile(join(DASHBOARD_DIR, 'index.html')),
    headers: { 'cache-control': 'public, max-age=0' },
  });
  for (const path of PAGES) app.get(path, { schema: { hide: true } }, (_request, reply) => sendPrepared(reply, page));
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
