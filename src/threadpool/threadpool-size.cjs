'use strict';
/**
 * The one rule for the size of libuv's threadpool (which runs every node:fs call, so every file:// call of the
 * async engine). CommonJS so that bin/storbench.cjs can apply it before anything starts the pool; ./threadpool.ts
 * is the typed face the rest of storbench uses. libuv reads UV_THREADPOOL_SIZE once, when the pool first starts.
 *
 * - UV_THREADPOOL_SIZE set by the user: libuv's own reading of it (atoi; 0 is 1; at most 1024), source `preset`;
 * - else STORBENCH_THREADPOOL, else the run's concurrency: that many threads, at least 4, at most 1024;
 * - else (no concurrency known yet, as at the CLI's start without --concurrency) 64, source `set`.
 * A size this rule set is marked with STORBENCH_THREADPOOL_SOURCE=set, so later readers (the runner's record,
 * worker threads) tell it from a preset one.
 */

/** libuv's default, and the smallest size this rule asks for. */
const MIN = 4;
/** libuv's own cap. */
const MAX = 1024;
/** The size asked for when nothing says how much concurrency the process will run. */
const DEFAULT = 64;

/** The size and its source, from `env` (and `concurrency` when the process knows it); changes nothing. */
function decideThreadpool(env, concurrency) {
  const preset = env.UV_THREADPOOL_SIZE;
  if (preset !== undefined && preset !== '') {
    const size = Math.min(Math.max(1, Number.parseInt(preset, 10) || 1), MAX);
    return { size, source: env.STORBENCH_THREADPOOL_SOURCE === 'set' ? 'set' : 'preset' };
  }
  const fromEnv = env.STORBENCH_THREADPOOL;
  const asked = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : concurrency;
  const size = Number.isInteger(asked) && asked > 0 ? Math.min(Math.max(asked, MIN), MAX) : DEFAULT;
  return { size, source: 'set' };
}

/** Apply {@link decideThreadpool} to `env` (UV_THREADPOOL_SIZE, unless already set) and return the decision. */
function applyThreadpool(env, concurrency) {
  const decided = decideThreadpool(env, concurrency);
  if (env.UV_THREADPOOL_SIZE === undefined || env.UV_THREADPOOL_SIZE === '') {
    env.UV_THREADPOOL_SIZE = String(decided.size);
    env.STORBENCH_THREADPOOL_SOURCE = 'set';
  }
  return decided;
}

module.exports = { MIN, MAX, DEFAULT, decideThreadpool, applyThreadpool };
