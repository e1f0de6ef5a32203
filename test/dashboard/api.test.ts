/** The HTTP API through app.inject() on a seeded database: answers, validation (clear 400s, never a 500), security. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { buildApp } from '../../src/dashboard/app.js';
import { DATE_PATTERN, RUN_ID_PATTERN } from '../../src/dashboard/schemas.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { ResultsStore } from '../../src/results/types.js';
import {
  MARKUP_TARGET,
  MIXED_RUNS,
  MULTI_CLIENT_RUN,
  OPEN_LOOP_RUNS,
  SEEDED_CLIENTS,
  seedMixedSettings,
  seedMultiClientRun,
  seedOpenLoopRuns,
  seedStore,
  TARGETS,
  WORKLOAD_OPS,
} from './seed.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'storbench-api-'));
let store: ResultsStore;
let app: FastifyInstance;
let ids: string[];

before(async () => {
  store = openStore(join(dir, 'api.db'));
  ids = seedStore(store);
  app = await buildApp({ store, token: TOKEN });
});
after(async () => {
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string) => {
  const r = await app.inject(url);
  return { status: r.statusCode, headers: r.headers, body: r.body, json: () => r.json() as Record<string, any> };
};

test('runs: newest first, paginated, filtered', async () => {
  const all = (await get('/api/runs')).json();
  assert.equal(all.total, ids.length + 2);
  assert.equal(all.runs.length, 32);
  assert.equal(all.runs[0].id, 'run-failed');
  const page = (await get('/api/runs?limit=5&offset=5')).json();
  assert.deepEqual(
    page.runs.map((r: any) => r.id),
    all.runs.slice(5, 10).map((r: any) => r.id),
  );
  assert.equal((await get('/api/runs?system=hdfs&workload=put-small')).json().total, 1);
  assert.equal((await get('/api/runs?status=running')).json().runs[0].progress.ops, 8400);
  assert.equal((await get(`/api/runs?target=${encodeURIComponent(MARKUP_TARGET)}`)).json().total, 5);
  assert.equal((await get('/api/runs?since=2026-11-20T08:10:00Z&until=2026-11-20T08:14:00Z')).json().total, 5);
  assert.equal((await get('/api/runs?until=2026-11-19')).json().total, 0, 'a bare until date is the end of that day');
  assert.equal((await get('/api/runs?since=2026-11-20')).json().total, ids.length + 2);
});

test('one run: figures, percentile curves decoded from its histograms, segments, errors, semantics', async () => {
  const run = (await get('/api/runs/run-00004')).json();
  assert.equal(run.targetName, 'nfs-ganesha');
  assert.equal(run.ops[0].histogram, undefined, 'the raw histogram stays on the server');
  const curve: number[] = run.ops[0].curves.latencyUs;
  assert.equal(curve.length, run.percentileAxis.length);
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i]! >= curve[i - 1]!, 'a percentile curve never decreases');
  const p99 = curve[run.percentileAxis.indexOf(99)]!;
  assert.ok(Math.abs(p99 - run.ops[0].latencyUs.p99) / run.ops[0].latencyUs.p99 < 0.01, 'the curve agrees with the stored p99');
  assert.equal(run.segments.length, 10);
  assert.equal(run.errors[0].kind, 'Timeout');
  assert.equal(run.semantics.writeDurability, 'fsync before ack');
  assert.equal(run.environment.host, 'bench-host');
});

test('compare: rows per op with ratios to the first run, and percentile curves per run', async () => {
  const c = (await get('/api/compare?ids=run-00001,run-00002')).json();
  assert.deepEqual(
    c.runs.map((r: any) => r.targetName),
    ['hdfs-3dn', 'ceph-rgw'],
  );
  const write = c.rows.find((r: any) => r.op === 'write');
  assert.equal(write.cells[0].opsRatio, 1);
  assert.ok(Math.abs(write.cells[1].opsRatio - write.cells[1].opsPerSec / write.cells[0].opsPerSec) < 0.001);
  assert.equal(c.curves.write.length, 2);
  assert.equal(c.curves.write[1].runId, 'run-00002');
  const missing = await get('/api/compare?ids=run-00001,nope-1,nope-2');
  assert.equal(missing.status, 404);
  assert.match(missing.json().message, /no run "nope-1", "nope-2"/);
});

test("matrix: latest completed run per target and workload, the suite's stored baseline by default, null:// as the ceiling", async () => {
  const m = (await get('/api/matrix')).json();
  assert.equal(m.baseline, 'hdfs-3dn');
  assert.deepEqual(m.workloads, Object.keys(WORKLOAD_OPS).sort());
  assert.equal(m.rows.length, TARGETS.length);
  assert.equal(m.rows[0].target, 'hdfs-3dn');
  assert.equal(m.rows.at(-1).ceiling, true);
  assert.ok(m.rows[1].cells['put-small'].opsRatio > 0);
  assert.ok(!m.targets.includes('null'), 'the ceiling cannot be chosen as a baseline');
  const ceph = (await get('/api/matrix?baseline=ceph-rgw')).json();
  assert.equal(ceph.baseline, 'ceph-rgw');
  assert.equal(ceph.rows[0].cells['put-small'].opsRatio, 1);
  const bad = await get('/api/matrix?baseline=null');
  assert.equal(bad.status, 404);
  assert.match(bad.json().message, /no storage target named "null"/);
});

test('exports: CSV (formula-safe), Markdown (markup escaped) and JSON files', async () => {
  const csv = await get('/api/export/runs?format=csv&workload=put-small');
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.match(String(csv.headers['content-disposition']), /attachment; filename="storbench-runs\.csv"/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines.length, 1 + TARGETS.length);
  assert.ok(
    lines.some((l) => l.includes('"<img src=x onerror=""window.__xss=1"">evil"')),
    'quotes are doubled inside a quoted cell',
  );
  const md = await get('/api/export/matrix?format=md');
  assert.match(md.body, /&lt;img src=x onerror="window.__xss=1"&gt;evil/);
  assert.doesNotMatch(md.body, /<img/);
  const json = await get('/api/export/compare?format=json&ids=run-00001,run-00002');
  assert.equal(json.json().rows.length, 1);
});

test('metrics: the active run figures in Prometheus format', async () => {
  const m = await get('/metrics');
  assert.equal(m.status, 200);
  assert.match(m.body, /^storbench_active_runs 1$/m);
  assert.match(m.body, /storbench_run_ops\{run_id="run-live",target="ceph-rgw",system="s3",workload="put-small",op="write"\} 8400/);
  assert.match(m.body, /storbench_run_ops_per_second\{[^}]*op="write"\} 4300/);
  assert.match(m.body, /storbench_run_progress\{[^}]*key="elapsedS"\} 2\.1/);
});

test('a live run is visible while it runs, and the cache follows new data', async () => {
  const before = (await get('/api/runs/run-live')).json();
  assert.equal(before.segments.length, 2);
  store.recordProgress('run-live', [{ second: 2, op: 'write', ops: 4200, bytes: 1, errors: 0, latencySumUs: 1, latencyMaxUs: 1 }], {
    elapsedS: 3.1,
    totalS: 10,
    ops: 12600,
    errors: 2,
    p99Us: 7000,
  });
  const now = (await get('/api/runs/run-live')).json();
  assert.equal(now.segments.length, 3);
  assert.equal(now.progress.ops, 12600);
});

test('bad parameters are clear 400s naming the field, never 500s', async () => {
  const cases: [string, RegExp][] = [
    ['/api/runs?foo=1', /querystring: unknown field "foo"/],
    ['/api/runs?limit=0', /querystring\.limit must be >= 1/],
    ['/api/runs?limit=501', /querystring\.limit must be <= 500/],
    ['/api/runs?limit=ten', /querystring\.limit must be integer/],
    ['/api/runs?offset=-1', /querystring\.offset must be >= 0/],
    ['/api/runs?status=done', /querystring\.status must be one of running, completed, degraded, failed, interrupted/],
    ['/api/runs?since=yesterday', /querystring\.since has an invalid format/],
    ['/api/runs?since=2026-02-31', /querystring\.since has an invalid format/],
    ['/api/runs?until=2026-11-20T99:99', /querystring\.until has an invalid format/],
    ['/api/runs?target=', /querystring\.target must NOT have fewer than 1 characters/],
    [`/api/runs?target=${'x'.repeat(300)}`, /querystring\.target must NOT have more than 256 characters/],
    ['/api/runs?limit=1&limit=2', /querystring\.limit must be integer/],
    ['/api/runs/bad%20id', /params\.id has an invalid format/],
    ['/api/runs/run-00001?verbose=1', /querystring: unknown field "verbose"/],
    ['/api/compare', /querystring: missing field "ids"/],
    ['/api/compare?ids=a,,b', /querystring\.ids has an invalid format/],
    [`/api/compare?ids=${Array.from({ length: 21 }, (_, i) => `r${i}`).join(',')}`, /querystring\.ids has an invalid format/],
    ['/api/matrix?baseline=hdfs-3dn&x=1', /unknown field "x"/],
    ['/api/export/runs?format=xlsx', /querystring\.format must be one of csv, json, md/],
    ['/metrics?debug=1', /unknown field "debug"/],
  ];
  for (const [url, message] of cases) {
    const r = await get(url);
    assert.equal(r.status, 400, `${url}: ${r.body}`);
    assert.equal(r.json().code, 'STORBENCH_ERR_VALIDATION', url);
    assert.match(r.json().message, message, url);
  }
  const several = (await get('/api/runs?foo=1&limit=0')).json().message;
  assert.match(several, /unknown field "foo".*limit must be >= 1/, 'all problems are reported together');
  assert.equal((await get('/api/runs/no-such-run')).status, 404);
  assert.equal((await get('/api/nothing-here')).json().code, 'STORBENCH_ERR_NOT_FOUND');
});

test('deleting needs the bearer token, which is never echoed', async () => {
  const url = `/api/runs/${ids[3]}`;
  const none = await app.inject({ method: 'DELETE', url });
  assert.equal(none.statusCode, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  const wrong = await app.inject({ method: 'DELETE', url, headers: { authorization: 'Bearer wrong-token' } });
  assert.equal(wrong.statusCode, 401);
  assert.doesNotMatch(wrong.body, new RegExp(TOKEN));
  assert.equal((await get(url)).status, 200, 'a refused delete deleted nothing');
  const ok = await app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.statusCode, 204);
  assert.equal((await get(url)).status, 404, 'and the cached answer is gone with it');
  const again = await app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(again.statusCode, 404);
});

test('without a token the server is read-only', async () => {
  const readOnly = await buildApp({ store });
  const r = await readOnly.inject({ method: 'DELETE', url: `/api/runs/${ids[0]}` });
  assert.equal(r.statusCode, 403);
  assert.match(r.json().message, /STORBENCH_TOKEN/);
  await readOnly.close();
});

test('security headers with a strict content security policy on pages and API', async () => {
  for (const url of ['/', '/api/runs', '/docs']) {
    const r = await get(url);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline script allowed`);
    assert.match(csp, /object-src 'none'/, url);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
    if (url !== '/docs') assert.match(csp, /style-src 'self'(;|$)/, `${url}: no inline style allowed`);
  }
  for (const page of ['/', '/run.html', '/compare.html', '/runs.html']) {
    const html = (await get(page)).body;
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page} has no inline script`);
    assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/, `${page} has no inline style or handler`);
  }
  assert.equal((await get('/vendor/uplot/uPlot.esm.js')).status, 200);
  assert.equal((await get('/vendor/uplot/uPlot.cjs.js')).status, 404, 'only the files the pages use are served');
  assert.equal((await get('/vendor/uplot/../../package.json')).status, 404);
});

test('OpenAPI document at /docs/json describes every API route', async () => {
  const doc = (await get('/docs/json')).json();
  for (const path of [
    '/api/runs',
    '/api/runs/{id}',
    '/api/runs/{id}/clients',
    '/api/compare',
    '/api/matrix',
    '/api/export/runs',
    '/api/export/compare',
    '/api/export/matrix',
    '/metrics',
  ]) {
    assert.ok(doc.paths[path], path);
  }
  assert.ok(doc.paths['/api/runs'].get.parameters.some((p: any) => p.name === 'limit'));
  assert.equal((await get('/docs')).status, 200);
});

test('the OpenAPI document uses OpenAPI 3.0.3 schema keywords, not JSON Schema draft-07 ones', async () => {
  const doc = (await get('/docs/json')).json();
  assert.equal(doc.openapi, '3.0.3');
  const misfits: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean') misfits.push(`${at}.${key}: ${JSON.stringify(value)}`);
      if (key === 'exclusiveMinimum' && !('minimum' in node)) misfits.push(`${at}: exclusiveMinimum without minimum`);
      if (key === 'const' || (key === 'type' && (Array.isArray(value) || value === 'null'))) misfits.push(`${at}.${key}: ${JSON.stringify(value)}`);
      walk(value, `${at}.${key}`);
    }
  };
  walk(doc, '');
  assert.deepEqual(misfits, []);
  const percent = doc.paths['/api/schedules'].post.requestBody.content['application/json'].schema.properties.thresholds.properties.p99RisePct;
  assert.deepEqual([percent.minimum, percent.exclusiveMinimum], [0, true], 'still above 0, in 3.0 terms');
});

test('only the loopback host names are answered when the server says so (DNS rebinding)', async () => {
  const guarded = await buildApp({ store, allowedHosts: ['localhost', '127.0.0.1'] });
  assert.equal((await guarded.inject({ url: '/api/runs', headers: { host: '127.0.0.1:8080' } })).statusCode, 200);
  assert.equal((await guarded.inject({ url: '/api/runs', headers: { host: 'evil.example:8080' } })).statusCode, 403);
  await guarded.close();
});

/** The OpenAPI entry of `method path` (path as the document spells it: `/api/runs/{id}`). */
async function documented(method: string, path: string): Promise<Record<string, any>> {
  const doc = (await get('/docs/json')).json();
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${path} is in the document`);
  return op;
}

test('the document says what the exports and /metrics really return: every content type, and the JSON shapes', async () => {
  const shapes: Record<string, string> = { runs: 'array', compare: 'object', matrix: 'object' };
  for (const [name, shape] of Object.entries(shapes)) {
    const content = (await documented('GET', `/api/export/${name}`)).responses['200'].content;
    for (const format of ['csv', 'json', 'md']) {
      const r = await get(`/api/export/${name}?format=${format}${name === 'compare' ? '&ids=run-00001,run-00002' : ''}`);
      assert.equal(r.status, 200, r.body);
      const type = String(r.headers['content-type']).split(';')[0]!;
      assert.ok(content[type], `${name} ${format}: ${type} is documented (${Object.keys(content).join(', ')})`);
      if (format === 'json') {
        assert.equal(content[type].schema.type, shape, `${name} json`);
        assert.equal(Array.isArray(r.json()) ? 'array' : typeof r.json(), shape, `${name} json answer`);
      } else {
        assert.equal(content[type].schema.type, 'string', `${name} ${format}`);
      }
    }
  }
  const metrics = await get('/metrics');
  const content = (await documented('GET', '/metrics')).responses['200'].content;
  assert.deepEqual(Object.keys(content), ['text/plain']);
  assert.match(String(metrics.headers['content-type']), /^text\/plain;/);
});

test('the error answers the server gives are documented on their routes', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const long = 'x'.repeat(500);
  const cases: [string, string, InjectOptions, number][] = [
    ['DELETE', '/api/runs/{id}', { url: '/api/runs/%C2%84', headers: auth }, 400],
    ['DELETE', '/api/runs/{id}', { url: `/api/runs/${long}`, headers: auth }, 414],
    ['DELETE', '/api/runs/{id}', { url: '/api/runs/run-00001', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<x/>' }, 415],
    [
      'DELETE',
      '/api/runs/{id}',
      { url: '/api/runs/run-00001', headers: { ...auth, 'content-type': 'application/json' }, payload: `"${'x'.repeat(70_000)}"` },
      413,
    ],
    ['GET', '/api/runs', { url: `/api/runs?target=${'x'.repeat(100_000)}` }, 431],
    ['GET', '/metrics', { url: '/metrics?debug=1' }, 400],
    ['GET', '/api/matrix', { url: '/api/matrix?baseline=no-such-target' }, 404],
    ['GET', '/api/export/matrix', { url: '/api/export/matrix?baseline=no-such-target' }, 404],
    ['GET', '/api/export/compare', { url: '/api/export/compare?ids=nope' }, 404],
    ['GET', '/api/runs/{id}/clients', { url: '/api/runs/nope/clients' }, 404],
    ['GET', '/api/runs/{id}/clients', { url: '/api/runs/run-00001/clients?rank=1' }, 400],
  ];
  // The header-size limit is node's own (431): only a real socket meets it.
  const served = await buildApp({ store, token: TOKEN });
  const address = await served.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const [method, path, request, status] of cases) {
      const code =
        status === 431
          ? (await fetch(`${address}${request.url}`)).status
          : (await app.inject({ ...request, method: method as InjectOptions['method'] })).statusCode;
      assert.equal(code, status, `${method} ${String(request.url).slice(0, 60)}`);
      const responses = (await documented(method, path)).responses;
      assert.ok(responses[String(status)], `${method} ${path} documents ${status} (has ${Object.keys(responses).join(', ')})`);
    }
  } finally {
    await served.close();
  }
});

/** What is wrong with `value` by `schema` (through fastify's own validator, strictly: nothing coerced or dropped); '' when nothing. */
async function violations(schema: object, value: unknown): Promise<string> {
  const checker = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } } });
  checker.post('/', { schema: { body: schema } }, async () => 'ok');
  const r = await checker.inject({ method: 'POST', url: '/', payload: value as object });
  await checker.close();
  return r.statusCode === 200 ? '' : r.body;
}

test('a multi-client run: its clients without histograms, and the per-client breakdown as documented', async () => {
  seedMultiClientRun(store);
  try {
    const run = (await get(`/api/runs/${MULTI_CLIENT_RUN}`)).json();
    assert.equal(run.clients.length, SEEDED_CLIENTS.length);
    const lost = run.clients[4];
    assert.deepEqual([lost.rank, lost.status, lost.host, lost.error, lost.engineTask], [4, 'lost', 'node-e', 'no heartbeat for 30 s', '812.0.4']);
    assert.equal(lost.ops[0].latencyUs.p99, 1500, 'the latency summaries stay');
    assert.equal(lost.ops[0].histogram, undefined, 'the histograms stay on the server');
    assert.equal(lost.ops[0].curves, undefined);
    assert.deepEqual((await get('/api/runs/run-00001')).json().clients, [], 'a run of one process has none');

    const answer = await get(`/api/runs/${MULTI_CLIENT_RUN}/clients`);
    assert.equal(answer.status, 200);
    const b = answer.json();
    assert.deepEqual(
      b.rows.map((r: any) => [r.rank, r.host, r.status, r.opsPerSec, r.p99Us, r.errors, r.measuredSeconds, r.flags]),
      [
        [0, 'node-a', 'completed', 1000, 1500, 0, 10, []],
        [1, 'node-b', 'completed', 980, 1400, 1, 10.2, []],
        [2, 'node-c', 'completed', 600, 2000, 2, 10.1, ['slow']],
        [3, 'node-d', 'completed', 1010, 1600, 3, 12.5, ['late']],
        [4, 'node-e', 'lost', 400, 1500, 4, 4, ['lost']],
      ],
    );
    assert.deepEqual(b.rows[2].notes, ['slow: 60% of the median 990 ops/s']);
    assert.deepEqual([b.medianOpsPerSec, b.firstDoneSeconds, b.lastDoneSeconds, b.stragglers], [990, 10, 12.5, [2, 3, 4]]);
    const schema = (await documented('GET', '/api/runs/{id}/clients')).responses['200'].content['application/json'].schema;
    assert.equal(await violations(schema, b), '', 'the answer is what the document describes');
    assert.notEqual(await violations(schema, { ...b, rows: [{ ...b.rows[0], stray: 1 }] }), '', 'and the check can fail');
    assert.equal(await violations(schema, (await get('/api/runs/run-00001/clients')).json()), '');
  } finally {
    store.deleteRun(MULTI_CLIENT_RUN);
  }
  assert.deepEqual((await get('/api/runs/run-00001/clients')).json(), { rows: [], stragglers: [] });
  const missing = await get(`/api/runs/${MULTI_CLIENT_RUN}/clients`);
  assert.equal(missing.status, 404);
  assert.match(missing.json().message, /no run "run-multi"/);
});

test('requests that the document allows are not refused: real dates, repeated ids, any baseline name, the longest run id', async () => {
  for (const url of [
    '/api/runs?since=0000-01-01&until=0000-01-01',
    '/api/runs?since=2024-02-29T23:59:59.999999999%2B14:00',
    '/api/runs?since=2026-11-21&until=2026-11-20',
    '/api/compare?ids=run-00001,run-00001',
    '/api/export/compare?ids=run-00002,run-00002&format=json',
  ]) {
    assert.equal((await get(url)).status, 200, url);
  }
  assert.equal((await get('/api/runs?since=2026-11-21&until=2026-11-20')).json().total, 0, 'an empty range matches nothing');
  const twice = (await get('/api/compare?ids=run-00001,run-00001')).json();
  assert.deepEqual(
    twice.runs.map((r: any) => r.id),
    ['run-00001', 'run-00001'],
  );
  const longest = `r${'x'.repeat(127)}`;
  assert.match(longest, new RegExp(RUN_ID_PATTERN), 'a run id the schema allows');
  const one = await get(`/api/runs/${longest}`);
  assert.equal(one.status, 404);
  assert.match(one.json().message, /^no run "r/, 'the route answered, not the router');
  const gone = await app.inject({ method: 'DELETE', url: `/api/runs/${longest}`, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(gone.statusCode, 404, gone.body);
  const baseline = await get('/api/matrix?baseline=000');
  assert.equal(baseline.status, 404, 'an unknown baseline is a missing target, like an unknown run id');
  assert.match(baseline.json().message, /no storage target named "000" has completed runs \(targets: .*ceph-rgw, hdfs-3dn, nfs-ganesha\)$/);
});

test('the date pattern of since and until matches exactly the real calendar dates', () => {
  const pattern = new RegExp(DATE_PATTERN);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let real = 0;
  for (const year of [0, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) {
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
        const d = new Date(Date.UTC(2000, month - 1, day));
        d.setUTCFullYear(year);
        const isReal = month >= 1 && month <= 12 && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
        assert.equal(pattern.test(text), isReal, text);
        if (isReal) real++;
      }
    }
  }
  assert.equal(real, 8 * 365 + 4, 'leap years: 0, 2000, 2024 and 2400');
  for (const ok of ['2026-11-20T08:10', '2026-11-20 08:10:59', '2026-11-20T23:59:59.123456789Z', '2026-11-20T00:00+05:30', '2026-11-20T00:00-0100']) {
    assert.ok(pattern.test(ok), ok);
    assert.ok(!Number.isNaN(Date.parse(ok.replace(' ', 'T'))), ok);
  }
  for (const bad of ['2026-11-20T24:00', '2026-11-20T08:60', '2026-11-20T08:00:60', '2026-11-20T08:00+24:00', '2026-11-20T08:00+05:60', '2026-11-20T08']) {
    assert.ok(!pattern.test(bad), bad);
  }
});

test("a run's latency bins as CSV (fio's clat bins): counts add up to the op's count, the last cumulative fraction is 1", async () => {
  seedOpenLoopRuns(store);
  const run = (await get(`/api/runs/${OPEN_LOOP_RUNS.after}`)).json();
  const res = await get(`/api/runs/${OPEN_LOOP_RUNS.after}/histogram.csv?op=read`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/csv/);
  assert.match(String(res.headers['content-disposition']), /filename="storbench-run-open-after-read-bins\.csv"/);
  const [head, ...lines] = res.body.trim().split('\r\n');
  assert.equal(head, 'value_us_from,value_us_to,count,cumulative_fraction');
  const bins = lines.map((l) => l.split(',').map(Number)) as [number, number, number, number][];
  assert.equal(
    bins.reduce((n, b) => n + b[2], 0),
    run.ops[0].count,
  );
  assert.equal(bins.at(-1)![3], 1);
  for (let i = 1; i < bins.length; i++) {
    assert.ok(bins[i]![0] > bins[i - 1]![1], 'bins ascend without overlapping');
    assert.ok(bins[i]![3] > bins[i - 1]![3], 'the cumulative fraction grows');
  }
  // the median bin holds the op's p50 (HDR reports a value's highest equivalent: within the bin or at most 0.1% past it)
  const median = bins.find((b) => b[3] >= 0.5)!;
  assert.ok(run.ops[0].latencyUs.p50 >= median[0] && run.ops[0].latencyUs.p50 <= median[1] * 1.001, `p50 ${run.ops[0].latencyUs.p50} in ${median}`);

  assert.equal((await get(`/api/runs/${OPEN_LOOP_RUNS.after}/histogram.csv?op=write`)).status, 404);
  assert.match((await get(`/api/runs/${OPEN_LOOP_RUNS.after}/histogram.csv?op=write`)).json().message, /has no operation type "write" \(it has read\)/);
  assert.equal((await get(`/api/runs/${OPEN_LOOP_RUNS.after}/histogram.csv`)).status, 400);
  assert.equal((await get('/api/runs/no-such-run/histogram.csv?op=read')).status, 404);
});

test("a run's per-second figures as CSV, p50 and p99 included; a run stored without them leaves them empty", async () => {
  const open = await get(`/api/runs/${OPEN_LOOP_RUNS.after}/segments.csv`);
  assert.equal(open.status, 200);
  const [head, first] = open.body.split('\r\n');
  assert.equal(head, 'second,op,ops,mib,errors,mean_us,p50_us,p99_us,max_us');
  const seg = (await get(`/api/runs/${OPEN_LOOP_RUNS.after}`)).json().segments[0];
  assert.equal(
    first,
    `0,read,${seg.ops},${Math.round((seg.bytes / 1048576) * 1000) / 1000},0,${Math.round((seg.latencySumUs / seg.ops) * 10) / 10},${seg.latencyP50Us},${seg.latencyP99Us},${seg.latencyMaxUs}`,
  );
  const old = (await get(`/api/runs/${ids[0]}/segments.csv`)).body.split('\r\n')[1]!;
  assert.match(old, /^0,write,\d+,[\d.]+,0,[\d.]+,,,\d+/);
  assert.equal((await get(`/api/runs/${ids[0]}`)).json().segments[0].latencyP99Us, undefined);
});

test('issue 19: like-for-like matrix (columns, left out, asOf, suite), substring filters, sorting, id prefixes, health, n/a data rates', async () => {
  const mixed = openStore(':memory:');
  seedStore(mixed, { extras: false });
  seedMixedSettings(mixed);
  const mixedApp = await buildApp({ store: mixed });
  const ask = async (url: string) => (await mixedApp.inject(url)).json() as Record<string, any>;
  try {
    const m = await ask('/api/matrix');
    const getSmall = m.columns.find((c: { workload: string }) => c.workload === 'get-small');
    assert.deepEqual(
      getSmall.leftOut.map((o: { runId: string }) => o.runId),
      [MIXED_RUNS.openLoop],
    );
    const hdfs = m.rows.find((r: { target: string }) => r.target === 'hdfs-3dn');
    assert.equal(hdfs.cells['get-small'].runId, 'run-00007', 'the closed-loop run, not the newer open-loop one');
    assert.match(hdfs.cells['get-small'].settingsText, /^closed loop, concurrency 32/);
    const cass = m.rows.find((r: { target: string }) => r.target === 'cassandra-3').cells['get-small'];
    assert.deepEqual([cass.runId, cass.health.level, cass.health.errorPct], [MIXED_RUNS.withErrors, 'errors', 30]);
    const then = await ask('/api/matrix?asOf=2026-11-20T08:12:00Z');
    assert.deepEqual(then.workloads, ['get-small', 'put-small']);
    assert.equal(then.asOf, '2026-11-20T08:12:00Z');
    const none = await ask('/api/matrix?suite=no-such-suite');
    assert.deepEqual([none.rows.length, none.suite], [0, 'no-such-suite']);
    const csv = (await mixedApp.inject('/api/export/matrix?format=csv&asOf=2026-11-20')).body;
    assert.match(csv.split('\r\n')[0]!, /^target,system,workload,run,started,status,settings,/);
    assert.match(csv, /,get-large,/, 'a bare date is the whole day (UTC)');
    assert.match(csv, /,completed with errors \(30%\),/);
    const runs = await ask('/api/runs?target=CASS&limit=100');
    assert.equal(runs.total, 6, 'any part of the name, any case');
    const sorted = await ask('/api/runs?sort=opsPerSec&order=asc&limit=500');
    const rates = sorted.runs.map((r: { ops: { opsPerSec: number }[] }) => r.ops.reduce((n, o) => n + o.opsPerSec, 0));
    assert.deepEqual(
      rates,
      [...rates].sort((a, b) => a - b),
    );
    const prefix = await ask('/api/runs?id=20261120-0902');
    assert.deepEqual(
      prefix.runs.map((r: { id: string }) => r.id),
      [MIXED_RUNS.withErrors],
    );
    const one = await ask(`/api/runs/${MIXED_RUNS.withErrors}`);
    assert.equal(one.health.label, 'completed with errors (30%)');
    assert.match(one.settingsText, /closed loop/);
    assert.equal((await mixedApp.inject('/api/runs?sort=bogus')).statusCode, 400);
  } finally {
    await mixedApp.close();
    mixed.close();
  }
});
