/** clientBreakdown: the per-client figures, first and last done, and each flagging rule, on hand-built clients. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientBreakdown, clientSummary, lateAfterSeconds } from '../../src/report/clients.js';
import type { ClientStatus, OpResult, RunClient } from '../../src/results/types.js';

const lat = (p99: number) => ({ min: 1, mean: p99 / 2, p50: p99 / 2, p90: p99 / 1.5, p99, p999: p99 * 2, max: p99 * 3 });

function op(name: string, opsPerSec: number, mibPerSec: number, p99: number, errors = 0): OpResult {
  return {
    op: name,
    count: opsPerSec * 10,
    errors,
    errorsByKind: {},
    bytes: 0,
    items: 0,
    opsPerSec,
    mibPerSec,
    latencyUs: lat(p99),
    histogram: 'HISTFAKE',
    serviceHistogram: 'HISTFAKE',
  };
}

/** A client with one write op at `opsPerSec`, done after `measuredSeconds`. */
function client(
  rank: number,
  opsPerSec: number,
  measuredSeconds: number | undefined,
  status: ClientStatus = 'completed',
  extra: Partial<RunClient> = {},
): RunClient {
  return {
    rank,
    status,
    host: `node-${rank}`,
    ...(measuredSeconds !== undefined && { measuredSeconds }),
    ops: [op('write', opsPerSec, opsPerSec / 256, 2000)],
    environment: {},
    ...extra,
  };
}

const flagsOf = (b: ReturnType<typeof clientBreakdown>) => b.rows.map((r) => r.flags);

test('figures per client: ops/s and MiB/s of all ops added, the worst p99, errors added, the sync figures passed on', () => {
  const b = clientBreakdown({
    measuredSeconds: 10,
    clients: [
      {
        rank: 0,
        status: 'completed',
        host: 'node-0',
        clockOffsetMs: -0.7,
        rttMs: 0.2,
        startSkewMs: 1.5,
        measuredSeconds: 10,
        ops: [op('read', 900, 3.5, 1200, 2), op('write', 100, 0.4, 8000, 1)],
        environment: {},
      },
    ],
  });
  assert.deepEqual(b.rows, [
    {
      rank: 0,
      host: 'node-0',
      status: 'completed',
      opsPerSec: 1000,
      mibPerSec: 3.9,
      p99Us: 8000,
      errors: 3,
      startSkewMs: 1.5,
      clockOffsetMs: -0.7,
      rttMs: 0.2,
      measuredSeconds: 10,
      flags: [],
      notes: [],
    },
  ]);
  assert.equal(b.medianOpsPerSec, 1000);
  assert.deepEqual(b.stragglers, []);
});

test('a run of one process has no rows, no first or last done and no stragglers', () => {
  assert.deepEqual(clientBreakdown({ measuredSeconds: 10, clients: [] }), { rows: [], stragglers: [] });
});

test('first done and last done: the least and most seconds measured by the completed clients', () => {
  const b = clientBreakdown({
    measuredSeconds: 10.4,
    clients: [client(0, 1000, 10.1), client(1, 1000, 9.8), client(2, 1000, 10.4), client(3, 0, 2.5, 'failed')],
  });
  assert.equal(b.firstDoneSeconds, 9.8);
  assert.equal(b.lastDoneSeconds, 10.4);
});

test('slow: below 80% of the median ops/s of the completed clients, and not at 80%', () => {
  const one = clientBreakdown({ measuredSeconds: 10, clients: [client(0, 1000, 10), client(1, 1000, 10), client(2, 1000, 10), client(3, 799, 10)] });
  assert.equal(one.medianOpsPerSec, 1000);
  assert.deepEqual(flagsOf(one), [[], [], [], ['slow']], '799 is below 800, 80% of the median 1000');
  assert.deepEqual(one.rows[3]!.notes, ['slow: 79% of the median 1,000 ops/s'], 'rounded down: a slow client never reads 80%');
  assert.deepEqual(one.stragglers, [3]);
  const exact = clientBreakdown({ measuredSeconds: 10, clients: [client(0, 1000, 10), client(1, 1000, 10), client(2, 800, 10)] });
  assert.deepEqual(flagsOf(exact), [[], [], []], 'exactly 80% is not slow');
  // an even count: the median is the mean of the middle two, (700 + 900) / 2 = 800, and 80% of it 640
  const even = clientBreakdown({ measuredSeconds: 10, clients: [client(0, 1000, 10), client(1, 900, 10), client(2, 700, 10), client(3, 639, 10)] });
  assert.equal(even.medianOpsPerSec, 800);
  assert.deepEqual(flagsOf(even), [[], [], [], ['slow']]);
});

test('slow is measured against the completed clients only: a failed client neither lowers the median nor is called slow', () => {
  const b = clientBreakdown({ measuredSeconds: 10, clients: [client(0, 1000, 10), client(1, 1000, 10), client(2, 700, 10), client(3, 10, 1, 'failed')] });
  assert.equal(b.medianOpsPerSec, 1000);
  assert.deepEqual(flagsOf(b), [[], [], ['slow'], ['failed']]);
});

test('late: done more than max(1 s, 10% of the run) after the first client', () => {
  assert.equal(lateAfterSeconds(5), 1);
  assert.equal(lateAfterSeconds(30), 3);
  // a 10 s run: 1 s is the bound
  const short = clientBreakdown({ measuredSeconds: 10, clients: [client(0, 1000, 8.5), client(1, 1000, 9.5), client(2, 1000, 10)] });
  assert.deepEqual(flagsOf(short), [[], [], ['late']], 'exactly 1 s behind is not late, 1.5 s is');
  assert.deepEqual(short.rows[2]!.notes, ['late: done 1.5 s after the first']);
  // a 60 s run: 10% (6 s) is the bound, larger than 1 s
  const long = clientBreakdown({ measuredSeconds: 60, clients: [client(0, 1000, 52), client(1, 1000, 57), client(2, 1000, 58.5)] });
  assert.deepEqual(flagsOf(long), [[], [], ['late']], '5 s behind is not late, 6.5 s is (6 s bound)');
});

test('a client both slow and late has both flags, each with its phrase', () => {
  const b = clientBreakdown({ measuredSeconds: 14, clients: [client(0, 1000, 10), client(1, 1000, 10), client(2, 500, 14)] });
  assert.deepEqual(b.rows[2]!.flags, ['slow', 'late']);
  assert.deepEqual(b.rows[2]!.notes, ['slow: 50% of the median 1,000 ops/s', 'late: done 4.0 s after the first']);
});

test('failed, lost and never-registered clients are flagged with their error; they count for neither first nor last done', () => {
  const b = clientBreakdown({
    measuredSeconds: 10,
    clients: [
      client(0, 1000, 10),
      client(1, 300, 3, 'failed', { error: 'ECONNREFUSED 10.0.0.7:9000' }),
      client(2, 200, 20, 'lost', { error: 'no heartbeat for 30 s' }),
      { rank: 3, status: 'never-registered', ops: [], environment: {} },
    ],
  });
  assert.deepEqual(flagsOf(b), [[], ['failed'], ['lost'], ['never-registered']]);
  assert.deepEqual(
    b.rows.map((r) => r.notes),
    [[], ['failed: ECONNREFUSED 10.0.0.7:9000'], ['lost: no heartbeat for 30 s'], ['never registered']],
  );
  assert.equal(b.rows[1]!.error, 'ECONNREFUSED 10.0.0.7:9000');
  assert.deepEqual([b.firstDoneSeconds, b.lastDoneSeconds], [10, 10], "the lost client's 20 s is not a finish");
  assert.deepEqual(b.stragglers, [1, 2, 3]);
  const row = b.rows[3]!;
  assert.deepEqual([row.opsPerSec, row.p99Us, row.errors, row.host, row.measuredSeconds], [0, 0, 0, undefined, undefined]);
});

test('no client completed: no median, no first or last done, every client flagged by its status', () => {
  const b = clientBreakdown({ measuredSeconds: 0, clients: [client(0, 0, undefined, 'lost'), client(1, 0, undefined, 'never-registered')] });
  assert.equal(b.medianOpsPerSec, undefined);
  assert.equal(b.firstDoneSeconds, undefined);
  assert.deepEqual(b.stragglers, [0, 1]);
});

test('a client summary drops the encoded histograms and keeps the latency summaries', () => {
  const s = clientSummary(client(0, 1000, 10));
  assert.equal('histogram' in s.ops[0]!, false);
  assert.equal('serviceHistogram' in s.ops[0]!, false);
  assert.equal(s.ops[0]!.latencyUs.p99, 2000);
  assert.equal(s.host, 'node-0');
});
