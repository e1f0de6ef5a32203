/** `storbench serve` as a user runs it: the bind rules, and a real listening server answering. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isLoopback } from '../../src/cli/serve-command.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, STORBENCH_TOKEN: '' };

test('loopback addresses are told apart from the rest', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1']) assert.ok(!isLoopback(h), h);
});

test('serve refuses a non-loopback address without a token (exit 2, clear error)', () => {
  const r = spawnSync(process.execPath, ['bin/storbench.cjs', 'serve', '--host', '0.0.0.0', '--db', join(dir, 'x.db')], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /storbench: error: --host 0\.0\.0\.0 is not a loopback address: refusing to serve it without a token \(set STORBENCH_TOKEN\)/);
  const bad = spawnSync(process.execPath, ['bin/storbench.cjs', 'serve', '--port', '99999'], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port: expected a whole number from 1 to 65535/);
  const unknown = spawnSync(process.execPath, ['bin/storbench.cjs', 'serve', '--bind', 'x'], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /serve: Unknown option '--bind'/);
});

test('serve listens on loopback and answers the API until stopped', async () => {
  const child = spawn(process.execPath, ['bin/storbench.cjs', 'serve', '--port', '0', '--db', join(dir, 'serve.db')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const res = await fetch(`${url}/api/runs`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { total: 0, limit: 50, offset: 0, runs: [] });
    // An unknown address: a browser gets the dashboard's HTML 404 page, an API client (and any /api/ address) JSON.
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const page = await fetch(`${url}/no/such/page`, { headers: browser });
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<script type="module" src="\/js\/main\.js"><\/script>/);
    for (const [path, headers] of [
      ['/no/such/page', { accept: 'application/json' }],
      ['/api/no-such-route', browser],
    ] as const) {
      const answer = await fetch(`${url}${path}`, { headers });
      assert.equal(answer.status, 404);
      assert.equal(((await answer.json()) as { code: string }).code, 'STORBENCH_ERR_NOT_FOUND', path);
    }
    // fetch cannot set Host (a forbidden header): node:http can, as a rebinding page's browser would send it.
    const rebound = await new Promise<number>((resolve, reject) => {
      request(`${url}/api/runs`, { headers: { host: 'attacker.example' } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(rebound, 403, 'a foreign Host header is refused on loopback');
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, 'SIGTERM stops it cleanly');
});
