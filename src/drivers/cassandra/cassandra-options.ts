/**
 * `cassandra://` options; README.md says what each one costs. Credentials go in the URL's user:password (a URL
 * password is always a secret), so no option here is secret.
 */
import { z } from 'zod';
import { defineOptions, type OptionSchema, option } from '../kernel/options.js';

/** CQL consistency names as cqlsh spells them, in the order the refusal lists them. */
export const CONSISTENCY_LEVELS = ['ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'LOCAL_ONE', 'ANY'] as const;
export type ConsistencyLevel = (typeof CONSISTENCY_LEVELS)[number];

/** A consistency level, any case (`local_quorum`); the refusal lists every level, as it always has. */
function consistency<F extends ConsistencyLevel | undefined>(fallback: F): OptionSchema<ConsistencyLevel | F> {
  return z
    .string()
    .optional()
    .transform((text, ctx): ConsistencyLevel | F => {
      if (text === undefined || text === '') return fallback;
      const upper = text.toUpperCase();
      const level = CONSISTENCY_LEVELS.find((l) => l === upper);
      if (level) return level;
      ctx.addIssue({ code: 'custom', message: `expected ${CONSISTENCY_LEVELS.slice(0, -1).join(', ')} or ANY, got "${upper}"` });
      return z.NEVER;
    });
}

/** A table name: a letter, then letters, digits or _, at most 48 (what Cassandra accepts unquoted). */
export const CASSANDRA_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** The message for a name Cassandra would refuse. */
export function notACassandraName(value: string): string {
  return `"${value}" is not a Cassandra name (a letter, then letters, digits or _; at most 48)`;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const CASSANDRA_OPTIONS = defineOptions({
  /** Base name of the three tables (`<table>`, `<table>_chunks`, `<table>_dirs`). @default blobs */
  table: option.text('blobs').superRefine((value, ctx) => {
    if (value !== undefined && !CASSANDRA_NAME.test(value)) ctx.addIssue({ code: 'custom', message: notACassandraName(value) });
  }),
  /** The local data center (the client's `localDataCenter`; also where `create` replicates). @default datacenter1 */
  dc: option.text('datacenter1'),
  /** Consistency of reads and writes (`ANY` for writes only). @default LOCAL_QUORUM */
  consistency: consistency('LOCAL_QUORUM'),
  /** Consistency of reads, apart from `consistency`. @default the value of `consistency` */
  readConsistency: consistency(undefined),
  /** Consistency of writes, apart from `consistency`. @default the value of `consistency` */
  writeConsistency: consistency(undefined),
  /** Create the keyspace and the tables if missing (`IF NOT EXISTS`; an existing keyspace keeps its replication). @default false */
  create: option.boolean(false),
  /** Replicas of a keyspace made by `create` (NetworkTopologyStrategy in `dc`). @default 1 */
  replicationFactor: option.integer(1, 1, 100),
  /** Bytes per chunk row, 1 KiB to 16 MiB; stored per object, so objects written with another size still read. @default 256KiB */
  chunkSize: option.size(256 * KiB).superRefine((bytes, ctx) => {
    if (bytes < KiB || bytes > 16 * MiB) ctx.addIssue({ code: 'custom', message: 'expected 1KiB to 16MiB' });
  }),
  /** Chunk rows per chunk partition (a partition holds at most 4 MiB with the defaults). @default 16 */
  chunksPerPartition: option.integer(16, 1, 1024),
  /** Chunk inserts in flight per write: a streamed write holds about `writeWindow × chunkSize` bytes. @default 4 */
  writeWindow: option.integer(4, 1, 64),
  /**
   * Retries of the client's retry policy per statement (read/write timeout: same host; unavailable, request
   * error: next host). Counted in `counters().retries`. @default 0
   */
  retries: option.integer(0, 0, 10),
  /** Milliseconds before a speculative execution on another host; 0 is off. @default 0 */
  speculativeDelay: option.integer(0, 0, 60_000),
  /** Speculative executions per statement when `speculativeDelay` is set. @default 1 */
  speculativeMax: option.integer(1, 1, 10),
  /** Connections per local host (requests per connection grow with the concurrency). @default ceil(concurrency / 32), at most 8 */
  connections: option.integer(undefined, 1, 64),
  /** The client's read timeout per request, in milliseconds. @default 12000 */
  timeout: option.integer(12_000, 100, 600_000),
  /** `tokens`: scan the metadata table by token range; `tree`: walk the directory tree as `list` does. @default tokens */
  scan: option.choice(['tokens', 'tree'], 'tokens'),
  /** Token ranges `scan` reads at once (the ring is cut in 4× as many ranges). @default 4 */
  scanParallelism: option.integer(4, 1, 64),
}).superRefine((o, ctx) => {
  if ((o.readConsistency ?? o.consistency) === 'ANY') {
    ctx.addIssue({ code: 'custom', path: ['readConsistency'], message: 'ANY is for writes only' });
  }
});

export type CassandraOptions = z.output<typeof CASSANDRA_OPTIONS>;
