/** leftoversOf: which prefixes `storbench clean` would remove, from the runs stored. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leftoversOf } from '../../src/cli/clean-command.js';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import type { RunRecord } from '../../src/results/types.js';

const run = (id: string, over: Partial<RunRecord> = {}): RunRecord => ({
  id,
  status: 'interrupted',
  cleanup: 'pending',
  target: 'file:///data',
  targetName: 'data',
  scheme: 'file',
  system: 'ext4',
  workload: 'put-small',
  spec: {},
  loadModel: 'closed',
  concurrency: 1,
  seed: 1,
  semantics: { writeDurability: 'x', readAfterWrite: 'strong', listConsistency: 'strong' },
  capabilities: defineCapabilities({ append: true, rename: true, unknownLengthWrite: true, maxObjectSize: 1, positionalWrite: true }),
  environment: {},
  warnings: [],
  startedAt: '2026-01-01T00:00:00Z',
  host: 'h',
  pid: 1,
  ...over,
});

const ended = [
  run('20260101-000000-aaaa'),
  run('20260101-000001-bbbb', { status: 'completed', cleanup: 'failed' }),
  run('20260101-000002-cccc', { status: 'completed', cleanup: 'kept' }),
  run('20260101-000003-dddd', { cleanup: 'kept', dataset: 'hot' }),
  run('20260101-000004-eeee', { status: 'completed', cleanup: 'kept', dataset: 'hot' }),
  run('20260101-000005-ffff', { cleanup: 'kept', dataset: 'busy' }),
  run('../../etc'),
  run('20260101-000006-9999', { target: 'file:///other' }),
];
const running = [run('20260101-000007-1111', { status: 'running', dataset: 'busy' })];

test('by default: the prefixes of runs whose cleanup is pending or failed, never a dataset or a kept run', () => {
  assert.deepEqual(
    leftoversOf(ended, running, { datasets: false, kept: false }).map((l) => [l.target, l.prefix]),
    [
      ['file:///data', 'storbench/20260101-000000-aaaa/'],
      ['file:///data', 'storbench/20260101-000001-bbbb/'],
      ['file:///other', 'storbench/20260101-000006-9999/'],
    ],
  );
});

test('--kept adds --no-cleanup runs; --datasets adds each named dataset once, except one a running run uses', () => {
  const all = leftoversOf(ended, running, { datasets: true, kept: true });
  assert.deepEqual(
    all.map((l) => l.prefix),
    [
      'storbench/20260101-000000-aaaa/',
      'storbench/20260101-000001-bbbb/',
      'storbench/20260101-000002-cccc/',
      'storbench/20260101-000006-9999/',
      'storbench/datasets/hot/',
    ],
  );
  assert.deepEqual(all.at(-1)!.runIds, ['20260101-000003-dddd', '20260101-000004-eeee'], 'both runs are marked cleaned');
});
