/**
 * The answer cache never serves stale data: a run written right after an answer was cached (by another
 * connection, as `storbench run` in another process writes, or by the server's own store) is in the next
 * answer of every cached route; ETags follow the data and a matching If-None-Match is a 304.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/dashboard/app.js';
import { openStore } from '../../src/results/sqlite-store.js';
import type { ResultsStore } from '../../src/results/types.js';
import { seedStore, TARGETS, writeCompletedRun } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-cache-'));
const dbPath = join(dir, 'cache.db');
let store: ResultsStore;
/** A second connection on the same file: what another process writing runs is to the server. */
let writer: ResultsStore;
let app: FastifyInstance;
let ids: string[];

before(async () => {
  store = openStore(dbPath);
  ids = seedStore(store, { extras: false });
  writer = openStore(dbPath);
  app = await buildApp({ store });
});
after(async () => {
  await app.close();
  writer.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const CEPH = TARGETS.find((t) => t.name === 'ceph-rgw')!;

/** Every cached route the dashboard reads, with what it shows of the newest ceph-rgw put-small run. */
const ROUTES: Record<string, (body: string) => unknown> = {
  '/api/runs': (b) => JSON.parse(b).runs[0].id,
  '/api/runs?system=s3&workload=put-small': (b) => JSON.parse(b).runs[0].id,
  '/api/matrix': (b) => JSON.parse(b).rows.find((r: { target: string }) => r.target === 'ceph-rgw').cells['put-small'].runId,
  '/api/export/runs?format=csv&limit=1': (b) => b.split('\n')[1]!.split(',')[0],
  '/api/export/matrix?format=json': (b) => JSON.parse(b).rows.find((r: { target: string }) => r.target === 'ceph-rgw').cells['put-small'].runId,
};

async function answers(): Promise<Map<string, { shows: unknown; etag: string; body: string }>> {
  const out = new Map<string, { shows: unknown; etag: string; body: string }>();
  for (const [url, shows] of Object.entries(ROUTES)) {
    const r = await app.inject(url);
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    out.set(url, { shows: shows(r.body), etag: String(r.headers.etag), body: r.body });
  }
  return out;
}

async function addsRun(through: ResultsStore, id: string, minutesAfterSeed: number): Promise<void> {
  const cached = await answers();
  // Asked twice: the second answer comes from the cache, with the same tag.
  for (const [url, a] of await answers()) assert.equal(a.etag, cached.get(url)!.etag, `${url}: the same data has the same ETag`);
  const seedEnd = Date.parse(store.getRun(ids.at(-1)!)!.startedAt);
  writeCompletedRun(through, { id, target: CEPH, workload: 'put-small', startedAt: new Date(seedEnd + minutesAfterSeed * 60_000).toISOString() });
  for (const [url, a] of await answers()) {
    assert.equal(a.shows, id, `${url}: the run written after the answer was cached is in the next answer`);
    assert.notEqual(a.etag, cached.get(url)!.etag, `${url}: a new ETag for new data`);
    // A client that still has the old answer gets the new one, not a 304.
    const conditional = await app.inject({ url, headers: { 'if-none-match': cached.get(url)!.etag } });
    assert.equal(conditional.statusCode, 200, url);
    assert.equal(conditional.body, a.body, url);
  }
  const one = await app.inject(`/api/runs/${id}`);
  assert.equal(one.statusCode, 200, 'the new run itself (a 404 a moment ago) is there');
  assert.ok(JSON.parse(one.body).ops[0].curves.latencyUs.length > 0);
}

test('a run written by another connection (another process) is in the next answer of every cached route', async () => {
  await addsRun(writer, 'run-other-process', 10);
});

test("a run written through the server's own store is in the next answer of every cached route", async () => {
  await addsRun(store, 'run-same-process', 20);
});

test('a deleted run leaves the cached answers at once', async () => {
  const url = `/api/compare?ids=${ids[0]},${ids[1]}`;
  assert.equal((await app.inject(url)).statusCode, 200);
  assert.ok(writer.deleteRun(ids[1]!));
  const r = await app.inject(url);
  assert.equal(r.statusCode, 404, r.body);
  assert.match(r.json().message, new RegExp(`no run "${ids[1]}"`));
});

test('If-None-Match naming the current ETag is a 304 without a body, on API answers and pages', async () => {
  for (const url of ['/api/runs', `/api/runs/${ids[0]}`, '/api/matrix', '/run.html', '/']) {
    const first = await app.inject(url);
    const etag = first.headers.etag;
    assert.ok(typeof etag === 'string' && /^"[A-Za-z0-9_-]+"$/.test(etag), `${url}: a strong ETag (${etag})`);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await app.inject({ url, headers: { 'if-none-match': header } });
      assert.equal(again.statusCode, 304, `${url} with If-None-Match: ${header}`);
      assert.equal(again.body, '', url);
      assert.equal(again.headers.etag, etag, url);
      assert.match(String(again.headers['content-security-policy']), /default-src 'self'/, `${url}: a 304 keeps the security headers`);
    }
    const other = await app.inject({ url, headers: { 'if-none-match': '"something-else"' } });
    assert.equal(other.statusCode, 200, url);
    assert.equal(other.body, first.body, url);
  }
});
