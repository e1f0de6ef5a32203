/** judgeRun: the status a run that measured to its end gets from its figures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpResult } from '../../src/results/types.js';
import { judgeRun } from '../../src/runner/verdict.js';

const op = (name: string, count: number, errors: number): OpResult => ({
  op: name,
  count,
  errors,
  errorsByKind: errors ? { Unavailable: errors } : {},
  bytes: 0,
  items: 0,
  opsPerSec: 0,
  mibPerSec: 0,
  latencyUs: { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
  histogram: '',
});
const enospc = [{ op: 'write', kind: 'Unavailable' as const, count: 1463, message: 'ENOSPC: no space left on device' }];

test('a run that measured nothing is failed: no operation, or a window of 0 s', () => {
  assert.deepEqual(judgeRun([], [], 5, 0.5), { status: 'failed', error: 'measured nothing: no operation ended inside the measured window (5.000s)' });
  assert.equal(judgeRun([op('write', 10, 0)], [], 0, 0.5).status, 'failed');
});

test('a run in which every operation failed is failed, with the most frequent error', () => {
  assert.deepEqual(judgeRun([op('write', 0, 1463)], enospc, 5, 1), {
    status: 'failed',
    error: 'every operation failed (1463 errors, most write Unavailable: ENOSPC: no space left on device)',
  });
});

test('more failed operations than maxErrorRate: degraded; up to it: completed', () => {
  assert.deepEqual(judgeRun([op('read', 40, 10), op('write', 10, 40)], enospc, 5, 0.45), {
    status: 'degraded',
    error: '50% of the operations failed (50 of 100), above maxErrorRate 45%',
  });
  assert.deepEqual(judgeRun([op('read', 40, 10), op('write', 10, 40)], enospc, 5, 0.5), { status: 'completed' });
  assert.deepEqual(judgeRun([op('read', 1, 0)], [], 5, 0), { status: 'completed' });
  assert.equal(judgeRun([op('read', 99, 1)], [], 5, 0).status, 'degraded');
});
