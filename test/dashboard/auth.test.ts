/**
 * The token guard on every state-changing route, found from the OpenAPI document (so a new route is covered
 * as soon as it exists): without the right token a request is refused before anything else looks at it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { buildApp } from '../../src/dashboard/app.js';
import { openStore } from '../../src/results/sqlite-store.js';

const TOKEN = 'test-token-0123456789abcdef';
const store = openStore(':memory:');
const app = await buildApp({ store, token: TOKEN });
const readOnly = await buildApp({ store });
after(async () => {
  await app.close();
  await readOnly.close();
  store.close();
});

const MUTATING = ['post', 'put', 'patch', 'delete'];
const doc = (await app.inject('/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
const mutations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => MUTATING.includes(m))
    .map((method) => ({ method: method.toUpperCase(), path })),
);

/** Requests that fail validation in every part fastify checks: path parameters, query, body (too). */
function badRequests({ method, path }: { method: string; path: string }): InjectOptions[] {
  const url = path.replace(/\{[^}]+\}/g, '..%2f..');
  const junk = { method: method as InjectOptions['method'], url: `${url}?bogus=1` };
  return [
    junk,
    { ...junk, headers: { 'content-type': 'text/plain' }, payload: 'not json' },
    { ...junk, headers: { 'content-type': 'application/json' }, payload: '{"id":"../x","cron":"not cron","targets":[],"workloads":[],"extra":1}' },
    // Over the 64 KiB body limit: refused without being read.
    { ...junk, headers: { 'content-type': 'application/json' }, payload: `{"id":"${'x'.repeat(100_000)}"}` },
  ];
}

test('the document lists the state-changing routes', () => {
  const names = mutations.map((m) => `${m.method} ${m.path}`);
  for (const route of [
    'DELETE /api/runs/{id}',
    'POST /api/schedules',
    'DELETE /api/schedules/{id}',
    'POST /api/schedules/{id}/enable',
    'POST /api/schedules/{id}/disable',
    'POST /api/schedules/{id}/run',
  ]) {
    assert.ok(names.includes(route), route);
  }
});

test('without the right token every change is a 401 before its params, query or body are validated', async () => {
  for (const route of mutations) {
    for (const request of badRequests(route)) {
      for (const authorization of [undefined, 'Bearer wrong-token-0000000000', 'Bearer ', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
        const headers: Record<string, string> = { ...(request.headers as Record<string, string>), ...(authorization !== undefined && { authorization }) };
        const r = await app.inject({ ...request, headers });
        const what = `${route.method} ${route.path} (${String(headers['content-type'])}, ${authorization}): ${r.body.slice(0, 200)}`;
        assert.equal(r.statusCode, 401, what);
        assert.equal(r.json().code, 'STORBENCH_ERR_UNAUTHORIZED', what);
        assert.equal(r.headers['www-authenticate'], 'Bearer', what);
      }
    }
  }
});

test('a server started without a token answers every change 403, whatever the request', async () => {
  for (const route of mutations) {
    for (const request of badRequests(route)) {
      const r = await readOnly.inject({ ...request, headers: { ...(request.headers as Record<string, string>), authorization: `Bearer ${TOKEN}` } });
      assert.equal(r.statusCode, 403, `${route.method} ${route.path}: ${r.body.slice(0, 200)}`);
      assert.equal(r.json().code, 'STORBENCH_ERR_FORBIDDEN');
    }
  }
});

test('with the token the same requests reach validation: 400, or 413 for the body over the limit', async () => {
  for (const route of mutations) {
    const [query, text, json, big] = badRequests(route).map((r) => ({
      ...r,
      headers: { ...(r.headers as Record<string, string>), authorization: `Bearer ${TOKEN}` },
    }));
    for (const request of [query!, text!, json!]) {
      const r = await app.inject(request);
      // A route without a body refuses text/plain as an unsupported media type.
      assert.ok(r.statusCode === 400 || r.statusCode === 415, `${route.method} ${route.path}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    }
    assert.equal((await app.inject(big!)).statusCode, 413, `${route.method} ${route.path}`);
  }
  assert.equal(store.listSchedules().length, 0, 'nothing was stored');
});
