#!/usr/bin/env node
// Entry point. It is CommonJS on purpose: libuv sizes its threadpool at the first asynchronous file system
// call, and an ES module entry has already made one (the loader reads files) before its first line runs.
// Here the size is set first, by the one rule in src/threadpool/threadpool-size.cjs: UV_THREADPOOL_SIZE if the
// user set it, else STORBENCH_THREADPOOL, else --concurrency (at least 4, at most 1024), else 64. file://
// concurrency above the pool size would silently be capped.
'use strict';
{
  const i = process.argv.indexOf('--concurrency');
  const concurrency = i > 0 ? Number(process.argv[i + 1]) : undefined;
  require('../src/threadpool/threadpool-size.cjs').applyThreadpool(process.env, concurrency);
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
