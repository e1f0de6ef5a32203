#!/usr/bin/env node
// Entry point: registers tsx (TypeScript without a build step) and hands over to the CLI.
// libuv's threadpool size must be set before the first file system call of the process: file:// runs
// ask for it through --concurrency, so it is sized here (STORBENCH_THREADPOOL overrides).
import { register } from 'tsx/esm/api';

if (!process.env.UV_THREADPOOL_SIZE) {
  const i = process.argv.indexOf('--concurrency');
  const asked = Number(process.env.STORBENCH_THREADPOOL ?? (i > 0 ? process.argv[i + 1] : NaN));
  process.env.UV_THREADPOOL_SIZE = String(Number.isInteger(asked) && asked > 0 ? Math.min(Math.max(asked, 4), 1024) : 64);
}
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
