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
// A reader that stops early (`storbench show ID | head`) closes the pipe. Node ignores SIGPIPE, so the next
// write fails with EPIPE, unhandled, with a stack trace; end quietly instead, with 141 (128 + SIGPIPE): the
// status other Unix tools end with there, so `set -o pipefail` sees the same.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
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
