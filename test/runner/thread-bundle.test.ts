import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseTarget } from '../../src/drivers/target.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { bundleThreadEntry, threadEntryUrl } from '../../src/runner/thread-bundle.js';
import { threadExecArgv } from '../../src/runner/threads.js';
import { loadWorkload } from '../../src/workloads/spec.js';

describe('worker threads start on a JavaScript bundle of their entry', () => {
  const cache = mkdtempSync(join(tmpdir(), 'storbench-thread-bundle-'));
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('bundles the entry, packages left to node_modules, each driver in a chunk of its own, import.meta of the sources', async () => {
    const entry = await bundleThreadEntry(cache);
    const dir = fileURLToPath(new URL('.', entry));
    const files = readdirSync(dir);
    assert.ok(files.includes('thread-entry.mjs'));
    for (const driver of ['file-driver', 's3-driver', 'cassandra-driver', 'webhdfs-driver']) {
      assert.ok(
        files.some((f) => f.startsWith(`${driver}-`)),
        `${driver} is loaded only by a thread that uses it: ${files}`,
      );
    }
    const code = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    assert.doesNotMatch(code, /import\.meta\.(url|dirname|filename)/, 'each module keeps the URL of its source file');
    assert.match(code, /from "zod"/, 'packages are imported, not bundled');
    assert.doesNotMatch(code, /from "[^"]*\.ts"/, 'no TypeScript left to load');
    // threadpool.ts requires ./threadpool-size.cjs beside its source
    assert.ok(code.includes(JSON.stringify(new URL('../../src/threadpool/threadpool.ts', import.meta.url).href)), 'threadpool.ts keeps its own URL');
  });

  it('reuses the bundle of unchanged sources, and prunes old bundles and abandoned partial ones', async () => {
    const first = await bundleThreadEntry(cache);
    const old = Date.now() / 1000 - 7200;
    const stale = ['threads-0000000000000001', 'threads-0000000000000002', 'threads-0000000000000003', 'threads-0000000000000004', 'threads-0000000000000005'];
    for (const [i, name] of stale.entries()) {
      mkdirSync(join(cache, name));
      utimesSync(join(cache, name), old + i, old + i); // ...05 the newest of them
    }
    mkdirSync(join(cache, 'threads-0000000000000009.123-456.partial'));
    utimesSync(join(cache, 'threads-0000000000000009.123-456.partial'), old, old);
    rmSync(fileURLToPath(new URL('.', first)), { recursive: true }); // written again, and then pruning runs
    const again = await bundleThreadEntry(cache);
    assert.equal(again.href, first.href, 'the same sources give the same folder');
    assert.equal((await bundleThreadEntry(cache)).href, first.href);
    const left = readdirSync(cache).sort();
    assert.deepEqual(
      left,
      [...stale.slice(1), fileURLToPath(new URL('.', first)).split('/').at(-2)].sort(),
      'the newest 4 older bundles stay; the oldest and the partial one go',
    );
  });

  it('runs a threaded run from the bundle in the package cache', async () => {
    const entry = await threadEntryUrl();
    assert.match(fileURLToPath(entry), /node_modules\/\.cache\/storbench\/threads-[0-9a-f]{16}\/thread-entry\.mjs$/);
    const store = openStore(':memory:');
    try {
      const result = await runBenchmark({
        target: parseTarget('null://'),
        spec: loadWorkload('put-small', { duration: '1s', concurrency: 4, threads: 2 }),
        store,
      });
      assert.equal(result.status, 'completed');
      assert.equal(store.getRun(result.runId)!.environment.threads, 2);
    } finally {
      store.close();
    }
  });
});

test("threads get the process's Node options but entry-only ones and tsx's loader", () => {
  assert.deepEqual(threadExecArgv(['--import', 'tsx', '--input-type=module', '-e', 'code', '--max-old-space-size=512']), ['--max-old-space-size=512']);
  assert.deepEqual(threadExecArgv(['--import=tsx', '--loader', 'tsx/esm', '-r', 'tsx/cjs', '--require=tsx/cjs', '--eval=x', '-p', 'y']), []);
  assert.deepEqual(threadExecArgv(['--import', './otel.mjs', '--import=tsx-like', '--enable-source-maps', '--cpu-prof']), [
    '--import',
    './otel.mjs',
    '--import=tsx-like',
    '--enable-source-maps',
    '--cpu-prof',
  ]);
});
