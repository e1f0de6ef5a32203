#!/usr/bin/env node
// Entry point. It is CommonJS on purpose: libuv sizes its threadpool at the first asynchronous file system
// call, and an ES module entry has already made one (the loader reads files) before its first line runs.
// Here the size is set first: from UV_THREADPOOL_SIZE, else STORBENCH_THREADPOOL, else --concurrency
// (at least 4, at most 1024), else 64. file:// concurrency above the pool size would silently be capped.
'use strict';
if (!process.env.UV_THREADPOOL_SIZE) {
  const i = process.argv.indexOf('--concurrency');
  const asked = Number(process.env.STORBENCH_THREADPOOL ?? (i > 0 ? process.argv[i + 1] : NaN));
  process.env.UV_THREADPOOL_SIZE = String(Number.isInteger(asked) && asked > 0 ? Math.min(Math.max(asked, 4), 1024) : 64);
}
(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
