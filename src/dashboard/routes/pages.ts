/**
 * The dashboard's pages (the top-level `dashboard/` folder: plain HTML and ES modules, no build step) and
 * the charting library, served from node_modules: the machines are offline, so nothing comes from a CDN.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/** Pages other than the matrix: each is index.html, whose script loads the module its address names. */
const PAGES = ['compare.html', 'run.html', 'runs.html', 'schedules.html'] as const;

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/',
    index: ['index.html'],
    // Pages and scripts change with the code; revalidate rather than cache blindly.
    cacheControl: true,
    maxAge: 0,
    schemaHide: true,
  });
  for (const page of PAGES) app.get(`/${page}`, { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
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
