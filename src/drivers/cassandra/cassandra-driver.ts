/**
 * `cassandra://host1,host2:9042/keyspace?table=blobs&dc=datacenter1&consistency=LOCAL_QUORUM`: blobs stored as
 * chunk rows in Apache Cassandra through the `cassandra-driver` package. Schema and trade-offs: README.md and
 * cassandra-schema.ts. Every statement is prepared; the client's own retries and speculative executions are off
 * unless asked for, and counted either way (the core's `counters()`).
 */
import { createHash } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { UsageError } from '../../errors.js';
import { defineCapabilities } from '../kernel/capabilities.js';
import { type ConnectContext, type DriverCore, defineDriver } from '../kernel/define-driver.js';
import { forEachLimited, paginate } from '../kernel/mechanics.js';
import { piecesOf } from '../keys.js';
import {
  type Body,
  type Counters,
  type ListOptions,
  type ObjectInfo,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../types.js';
import { mapCassandraError } from './cassandra-errors.js';
import { CASSANDRA_NAME, CASSANDRA_OPTIONS, type CassandraOptions, type ConsistencyLevel, notACassandraName } from './cassandra-options.js';
import {
  ancestorEntries,
  childDir,
  createKeyspaceCql,
  createTablesCql,
  keyOf,
  keyParts,
  prefixEnd,
  prefixParts,
  type Statements,
  statements,
  tokenRanges,
} from './cassandra-schema.js';

const { types, policies } = cassandra;
type Row = cassandra.types.Row;
type QueryOptions = cassandra.QueryOptions;

/** The driver's name in errors. */
const DRIVER = 'cassandra';

/** Deletes (and directory-entry deletes) in flight at once in `deletePrefix`. */
const DELETE_CONCURRENCY = 16;

/**
 * How many times `read` reads the metadata row again when the version it names lost its first chunk to an
 * overwrite in between (see `read`).
 */
const FIRST_CHUNK_TRIES = 3;

export const cassandraDriver = defineDriver({
  name: DRIVER,
  options: CASSANDRA_OPTIONS,
  capabilities: defineCapabilities({ unknownLengthWrite: true, multipart: true }),
  mapError: mapCassandraError,
  connect: connectCassandra,
});

/** What the benchmark's minimal loop needs to issue exactly the driver's statements with the driver's client. */
export interface CassandraNative {
  readonly client: cassandra.Client;
  readonly statements: Statements;
  readonly readOptions: QueryOptions;
  readonly writeOptions: QueryOptions;
  readonly chunkSize: number;
}

/** The connected cassandra:// core: reach it with `coreOf<CassandraCore>(driver)` (src/layers/layer-stack.ts). */
export interface CassandraCore extends DriverCore {
  /** The client, the statements and the per-statement options. */
  native(): CassandraNative;
}

/** Events the client counts: its own retries and speculative executions, and the errors it saw. */
const COUNTER_NAMES = [
  /** Retries decided by the retry policy (0 unless `retries` > 0). */
  'retries',
  /** Speculative executions started (0 unless `speculativeDelay` is set). */
  'speculativeExecutions',
  'readTimeouts',
  'writeTimeouts',
  'unavailables',
  'clientTimeouts',
  'otherErrors',
] as const;

/** Counts the client's retry/speculative/error events (the client calls these hooks itself). */
class CountingMetrics extends cassandra.metrics.DefaultMetrics {
  readonly counts: Record<(typeof COUNTER_NAMES)[number], number> = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Record<
    (typeof COUNTER_NAMES)[number],
    number
  >;
  override onClientTimeoutRetry(): void {
    this.counts.retries++;
  }
  override onOtherErrorRetry(): void {
    this.counts.retries++;
  }
  override onReadTimeoutRetry(): void {
    this.counts.retries++;
  }
  override onUnavailableRetry(): void {
    this.counts.retries++;
  }
  override onWriteTimeoutRetry(): void {
    this.counts.retries++;
  }
  override onSpeculativeExecution(): void {
    this.counts.speculativeExecutions++;
  }
  override onReadTimeoutError(): void {
    this.counts.readTimeouts++;
  }
  override onWriteTimeoutError(): void {
    this.counts.writeTimeouts++;
  }
  override onUnavailableError(): void {
    this.counts.unavailables++;
  }
  override onClientTimeoutError(): void {
    this.counts.clientTimeouts++;
  }
  override onOtherError(): void {
    this.counts.otherErrors++;
  }
  // DefaultMetrics emits an event per response; nobody listens, so skip the work on the hot path.
  override onResponse(): void {}
  override onSuccessfulResponse(): void {}
}

/** Retries every kind of failure up to `max` times on the next host; `max` 0 rethrows everything at once. */
class BoundedRetryPolicy extends policies.retry.RetryPolicy {
  constructor(private readonly max: number) {
    super();
  }
  private decide(info: cassandra.policies.retry.OperationInfo, sameHost: boolean) {
    return info.nbRetry < this.max ? this.retryResult(undefined as unknown as number, sameHost) : this.rethrowResult();
  }
  override onReadTimeout(info: cassandra.policies.retry.OperationInfo) {
    return this.decide(info, true);
  }
  override onWriteTimeout(info: cassandra.policies.retry.OperationInfo) {
    return this.decide(info, true);
  }
  override onUnavailable(info: cassandra.policies.retry.OperationInfo) {
    return this.decide(info, false);
  }
  override onRequestError(info: cassandra.policies.retry.OperationInfo) {
    return this.decide(info, false);
  }
}

/** CQL consistency names (as in cqlsh) → the driver's codes (types.consistencies uses camelCase keys). */
const CONSISTENCIES: Readonly<Record<ConsistencyLevel, number>> = {
  ANY: types.consistencies.any,
  ONE: types.consistencies.one,
  TWO: types.consistencies.two,
  THREE: types.consistencies.three,
  QUORUM: types.consistencies.quorum,
  ALL: types.consistencies.all,
  LOCAL_QUORUM: types.consistencies.localQuorum,
  EACH_QUORUM: types.consistencies.eachQuorum,
  LOCAL_ONE: types.consistencies.localOne,
};

/** Replicas a consistency level waits for with `rf` copies (single data center). */
function replicasFor(level: ConsistencyLevel, rf: number): number {
  switch (level) {
    case 'ANY':
      return 0;
    case 'ONE':
    case 'LOCAL_ONE':
      return 1;
    case 'TWO':
      return 2;
    case 'THREE':
      return 3;
    case 'ALL':
      return rf;
    default:
      return Math.floor(rf / 2) + 1; // QUORUM, LOCAL_QUORUM, EACH_QUORUM
  }
}

/** Metadata row of one object. */
interface Meta {
  size: number;
  chunks: number;
  chunkSize: number;
  partChunks: number;
  checksum: string;
  version: cassandra.types.TimeUuid;
  modified: number;
}

function metaOf(row: Row): Meta {
  return {
    size: Number(row.size),
    chunks: row.chunks as number,
    chunkSize: row.chunk_size as number,
    partChunks: row.part_chunks as number,
    checksum: row.checksum as string,
    version: row.version as cassandra.types.TimeUuid,
    modified: (row.modified as Date | null)?.getTime() ?? 0,
  };
}

/** What the target says before any I/O: keyspace, contact points. @throws UsageError */
function placeOf(target: ConnectContext<CassandraOptions>['target']): { keyspace: string; contactPoints: string[] } {
  const keyspace = target.path.replace(/^\//, '');
  if (!CASSANDRA_NAME.test(keyspace)) throw new UsageError(`target path (the keyspace): ${notACassandraName(keyspace)}`);
  if (target.hosts.length === 0) throw new UsageError('target: cassandra:// needs at least one host');
  // A host without a port takes the port given on another host (`h1,h2:9043` → both 9043), else 9042.
  const givenPort =
    [...target.hosts]
      .reverse()
      .map((h) => /:(\d+)$/.exec(h)?.[1])
      .find(Boolean) ?? '9042';
  return { keyspace, contactPoints: target.hosts.map((h) => (/:\d+$/.test(h) ? h : `${h}:${givenPort}`)) };
}

/** Connect to the cluster of `cassandra://hosts/keyspace?options`, creating the schema when `create` is set. */
async function connectCassandra({ target, options, concurrency: asked }: ConnectContext<CassandraOptions>): Promise<CassandraCore> {
  const { keyspace, contactPoints } = placeOf(target);
  const { chunkSize, writeWindow, retries, speculativeDelay, speculativeMax, scanParallelism } = options;
  // Text options with a fallback are never undefined.
  const table = options.table!;
  const dc = options.dc!;
  const partChunks = options.chunksPerPartition;
  const readCL = options.readConsistency ?? options.consistency;
  const writeCL = options.writeConsistency ?? options.consistency;
  const concurrency = Math.max(1, asked);
  const connections = options.connections ?? Math.min(8, Math.ceil(concurrency / 32));

  const metrics = new CountingMetrics();
  const stmts = statements(keyspace, table);
  // Every statement here is idempotent (fixed values, client-side timestamps), so retries and speculative
  // executions are safe when enabled; the client refuses both for statements not marked idempotent.
  const readQuery: QueryOptions = { prepare: true, isIdempotent: true, consistency: CONSISTENCIES[readCL] };
  const writeQuery: QueryOptions = { prepare: true, isIdempotent: true, consistency: CONSISTENCIES[writeCL] };
  const client = new cassandra.Client({
    contactPoints,
    localDataCenter: dc,
    ...(target.username !== undefined ? { credentials: { username: target.username, password: target.password ?? '' } } : {}),
    encoding: { useBigIntAsLong: true },
    metrics,
    pooling: {
      coreConnectionsPerHost: { [types.distance.local]: connections, [types.distance.remote]: 1 },
      // Each storbench operation may have writeWindow chunk inserts plus two more requests in flight.
      maxRequestsPerConnection: Math.min(32_768, Math.max(2048, Math.ceil((concurrency * (writeWindow + 2)) / connections))),
    },
    policies: {
      retry: new BoundedRetryPolicy(retries),
      speculativeExecution:
        speculativeDelay > 0
          ? new policies.speculativeExecution.ConstantSpeculativeExecutionPolicy(speculativeDelay, speculativeMax)
          : new policies.speculativeExecution.NoSpeculativeExecutionPolicy(),
    },
    queryOptions: { prepare: true, isIdempotent: true },
    socketOptions: { readTimeout: options.timeout, connectTimeout: Math.min(options.timeout, 5000) },
  });

  let found: { rf: number; environment: Record<string, string | number> };
  try {
    found = await lookAround(client, { keyspace, table, dc, create: options.create, replicationFactor: options.replicationFactor, connections });
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw e;
  }
  const { rf, environment } = found;

  /** Directory entries this instance knows exist: a write skips re-inserting them (cleared by deletePrefix). */
  const knownDirs = new Map<string, Promise<unknown>>();

  function run(cql: string, params: unknown[], queryOptions: QueryOptions) {
    return client.execute(cql, params, queryOptions);
  }
  /** Every row of a paged query, page by page (Cassandra's paging state). */
  async function* pages(cql: string, params: unknown[], fetchSize: number): AsyncIterable<Row[]> {
    let pageState: string | undefined;
    do {
      const rs = await run(cql, params, { ...readQuery, fetchSize, ...(pageState ? { pageState } : {}) });
      if (rs.rows.length > 0) yield rs.rows;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
  async function getMeta(key: string): Promise<Meta | undefined> {
    const { parent, leaf } = keyParts(key);
    const row = (await run(stmts.selectMeta, [parent, leaf], readQuery)).first();
    return row ? metaOf(row) : undefined;
  }
  async function mustMeta(key: string, op: 'read' | 'stat'): Promise<Meta> {
    const meta = await getMeta(key);
    if (!meta) throw new StorageError('NotFound', DRIVER, op, 'no such object', { key });
    return meta;
  }
  function ensureDirs(key: string): Promise<unknown> {
    const pending: Promise<unknown>[] = [];
    for (const { parent, child } of ancestorEntries(key)) {
      const id = `${parent}\0${child}`;
      let p = knownDirs.get(id);
      if (!p) {
        if (knownDirs.size >= 100_000) knownDirs.clear();
        p = run(stmts.insertDir, [parent, child], writeQuery);
        p.catch(() => knownDirs.delete(id));
        knownDirs.set(id, p);
      }
      pending.push(p);
    }
    return Promise.all(pending);
  }
  /** Delete the chunk partitions of one version (a few statements, one per partition, all at once). */
  async function deleteChunks(key: string, version: cassandra.types.TimeUuid, chunks: number, perPart: number) {
    const parts = Array.from({ length: Math.ceil(chunks / perPart) }, (_, p) => p);
    await Promise.all(parts.map((p) => run(stmts.deletePart, [key, version, p], writeQuery)));
  }
  /** Chunk `idx` of the version `meta` names; undefined when that version is gone (overwritten or deleted). */
  async function fetchChunk(key: string, meta: Meta, idx: number): Promise<Buffer | undefined> {
    const part = Math.floor(idx / meta.partChunks);
    const row = (await run(stmts.selectChunk, [key, meta.version, part, idx], readQuery)).first();
    return row ? (row.data as Buffer) : undefined;
  }
  function gone(key: string, meta: Meta, idx: number): StorageError {
    return new StorageError('NotFound', DRIVER, 'read', `chunk ${idx} of version ${meta.version} is gone (object overwritten or deleted during the read)`, {
      key,
      temporary: true,
    });
  }
  /**
   * The bytes [start, end) of an object, chunk by chunk, the next chunk fetched while the current one is consumed.
   * `firstData` is the first chunk when the caller fetched it already.
   */
  async function* body(key: string, meta: Meta, start: number, end: number, firstData?: Buffer): AsyncIterable<Uint8Array> {
    if (end <= start) return;
    const first = Math.floor(start / meta.chunkSize);
    const last = Math.floor((end - 1) / meta.chunkSize);
    let next: Promise<Buffer | undefined> | undefined = firstData ? Promise.resolve(firstData) : fetchChunk(key, meta, first);
    try {
      for (let i = first; i <= last; i++) {
        const data = await next!;
        if (!data) throw gone(key, meta, i);
        next = i < last ? fetchChunk(key, meta, i + 1) : undefined;
        const base = i * meta.chunkSize;
        yield data.subarray(Math.max(0, start - base), Math.min(data.length, end - base));
      }
    } finally {
      // The consumer stopped early: the prefetched chunk is dropped, its failure too.
      next?.catch(() => undefined);
    }
  }
  async function* dirsIn(dir: string, childPrefix: string, fetchSize: number): AsyncIterable<string> {
    for await (const rows of pages(stmts.listDirs, [dir, childPrefix, prefixEnd(childPrefix)], fetchSize)) {
      for (const r of rows) yield r.child as string;
    }
  }
  /** Every object under (dir, namePrefix), recursively: the directory's own objects, then each subdirectory. */
  async function* walk(dir: string, namePrefix: string, fetchSize: number): AsyncIterable<ObjectInfo> {
    for await (const rows of pages(stmts.listObjects, [dir, namePrefix, prefixEnd(namePrefix)], fetchSize)) {
      for (const r of rows) {
        yield {
          key: keyOf(dir, r.name as string),
          size: Number(r.size),
          modified: (r.modified as Date | null)?.getTime() ?? 0,
          etag: r.checksum as string,
        };
      }
    }
    for await (const child of dirsIn(dir, namePrefix, fetchSize)) yield* walk(childDir(dir, child), '', fetchSize);
  }
  /** Directory entries (parent, child) under (dir, childPrefix), deepest last. */
  async function dirEntriesUnder(dir: string, childPrefix: string, out: { parent: string; child: string }[]) {
    for await (const child of dirsIn(dir, childPrefix, 1000)) {
      out.push({ parent: dir, child });
      await dirEntriesUnder(childDir(dir, child), '', out);
    }
  }
  function list(prefix: string, listOptions: ListOptions = {}): AsyncIterable<ObjectInfo[]> {
    const pageSize = listOptions.pageSize ?? 1000;
    const { dir, namePrefix } = prefixParts(prefix);
    return paginate(walk(dir, namePrefix, pageSize), pageSize);
  }
  async function remove(key: string): Promise<void> {
    const meta = await getMeta(key);
    if (!meta) return;
    const { parent, leaf } = keyParts(key);
    // Metadata first: from then on no reader starts on the chunks being removed.
    await run(stmts.deleteMeta, [parent, leaf], writeQuery);
    await deleteChunks(key, meta.version, meta.chunks, meta.partChunks);
  }

  /**
   * Every metadata row of the table read by token range, `scanParallelism` ranges at a time, each row once
   * (the ranges partition the ring). Rows outside `prefix` are skipped client-side. The readers fill one queue
   * the consumer drains, and pause while it holds more than four pages.
   */
  async function* tokenScan(prefix: string, fetchSize: number): AsyncIterable<{ key: string; meta: Meta }> {
    const ranges = tokenRanges(scanParallelism * 4);
    const queue: { key: string; meta: Meta }[] = [];
    let wake: (() => void) | undefined;
    let space: (() => void)[] = [];
    let failure: unknown;
    let active = 0;
    let stopped = false;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const makeSpace = () => {
      const all = space;
      space = [];
      for (const s of all) s();
    };
    const reader = async () => {
      active++;
      try {
        while (!stopped && !failure && ranges.length > 0) {
          const range = ranges.shift()!;
          for await (const rows of pages(stmts.scanRange, [range.start, range.end], fetchSize)) {
            for (const r of rows) {
              const key = keyOf(r.parent as string, r.name as string);
              if (key.startsWith(prefix)) queue.push({ key, meta: metaOf(r) });
            }
            notify();
            // Back-pressure: rows are small, but a huge table must not pile up in memory.
            while (!stopped && queue.length > fetchSize * 4) await new Promise<void>((r) => space.push(r));
            if (stopped) break;
          }
        }
      } catch (e) {
        failure ??= e;
      } finally {
        active--;
        notify();
      }
    };
    const readers = Array.from({ length: scanParallelism }, reader);
    try {
      for (;;) {
        if (failure) throw failure;
        const item = queue.shift();
        if (item) {
          if (queue.length <= fetchSize * 2) makeSpace();
          yield item;
          continue;
        }
        if (active === 0) break;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      stopped = true;
      makeSpace();
      await Promise.allSettled(readers);
    }
  }

  return {
    async close() {
      await client.shutdown();
    },
    system: () => `Apache Cassandra ${environment.cassandraVersion ?? ''}`.trim(),
    semantics(): Semantics {
      const r = replicasFor(readCL, rf);
      const w = replicasFor(writeCL, rf);
      return {
        writeDurability:
          `acknowledged by ${w} of ${rf} replicas (${writeCL}), each in its commit log ` +
          "(synced per the server's commitlog_sync; periodic 10 s on the test service)",
        readAfterWrite:
          r + w > rf
            ? `strong: ${readCL} reads overlap ${writeCL} writes (${r} + ${w} > RF ${rf})`
            : `eventual: ${readCL} reads may miss ${writeCL} writes (${r} + ${w} <= RF ${rf})`,
        listConsistency:
          `${readCL} reads of the directory tree and metadata partitions; recursive, ` +
          "in key order within a directory, subdirectories after their parent's objects",
        replication: rf,
        readConsistency: readCL,
        writeConsistency: writeCL,
        chunkSize,
        chunksPerPartition: partChunks,
        retries,
        speculativeDelayMs: speculativeDelay,
        scan: options.scan === 'tokens' ? `token ranges, ${scanParallelism} in parallel` : 'directory tree walk',
      };
    },
    environment: () => ({ ...environment }),
    counters: (): Counters => ({ ...metrics.counts }),
    native: () => ({ client, statements: stmts, readOptions: readQuery, writeOptions: writeQuery, chunkSize }),

    async write(key: string, data: Body, call: WriteOptions = {}) {
      const { parent, leaf } = keyParts(key);
      const version = types.TimeUuid.now();
      // The old version is looked up alongside the chunk writes, and removed only after the new metadata row.
      const old = getMeta(key);
      old.catch(() => undefined);
      const dirs = ensureDirs(key);
      dirs.catch(() => undefined);
      const hash = createHash('md5');
      let chunks = 0;
      let size = 0;
      try {
        // At most writeWindow chunks in flight: a 1 GiB stream holds about writeWindow × chunkSize bytes.
        await forEachLimited(piecesOf(data, chunkSize, false), writeWindow, (chunk) => {
          call.signal?.throwIfAborted();
          hash.update(chunk);
          size += chunk.length;
          const idx = chunks++;
          return run(stmts.insertChunk, [key, version, Math.floor(idx / partChunks), idx, chunk], writeQuery).then(() => undefined);
        });
        if (!(data instanceof Uint8Array) && call.size !== undefined && call.size !== size) {
          throw new StorageError('InvalidInput', DRIVER, 'write', `body had ${size} bytes, ${call.size} announced`, { key });
        }
        await dirs;
      } catch (e) {
        // Best effort: the unreferenced chunks of the failed version; the old object stays intact.
        await deleteChunks(key, version, chunks, partChunks).catch(() => undefined);
        throw e;
      }
      const previous = await old;
      await run(stmts.insertMeta, [parent, leaf, BigInt(size), chunks, chunkSize, partChunks, hash.digest('hex'), version, new Date()], writeQuery);
      if (previous) await deleteChunks(key, previous.version, previous.chunks, previous.partChunks);
    },
    async read(key: string, call: ReadOptions = {}): Promise<ReadResult> {
      // Not a retry of a failed call (opRetries is that): the metadata-last commit of `write` means the version a
      // metadata row names can lose its chunks to an overwrite between the two statements. The first chunk is
      // fetched before returning, so that race is seen here, where reading the metadata again still gives one
      // whole object (the new one); once bytes are out, a vanished chunk can only be an error.
      for (let attempt = 1; ; attempt++) {
        const meta = await mustMeta(key, 'read');
        const start = Math.min(Math.max(0, call.offset ?? 0), meta.size);
        const end = call.length === undefined ? meta.size : Math.min(meta.size, start + Math.max(0, call.length));
        if (end <= start) return { size: 0, body: body(key, meta, start, end) };
        const idx = Math.floor(start / meta.chunkSize);
        const firstData = await fetchChunk(key, meta, idx);
        if (firstData) return { size: end - start, body: body(key, meta, start, end, firstData) };
        if (attempt === FIRST_CHUNK_TRIES) throw gone(key, meta, idx);
      }
    },
    async stat(key: string) {
      const meta = await mustMeta(key, 'stat');
      return { key, size: meta.size, modified: meta.modified, etag: meta.checksum };
    },
    delete: remove,
    list,
    async *scan(prefix: string, listOptions: ListOptions = {}): AsyncIterable<ScanEntry> {
      if (options.scan === 'tree') {
        for await (const page of list(prefix, listOptions)) {
          for (const info of page) {
            const meta = await getMeta(info.key);
            if (meta) yield { info, body: body(info.key, meta, 0, meta.size) };
          }
        }
        return;
      }
      for await (const { key, meta } of tokenScan(prefix, listOptions.pageSize ?? 1000)) {
        yield { info: { key, size: meta.size, modified: meta.modified, etag: meta.checksum }, body: body(key, meta, 0, meta.size) };
      }
    },
    async deletePrefix(prefix: string) {
      const keys: string[] = [];
      for await (const page of list(prefix)) for (const o of page) keys.push(o.key);
      await forEachLimited(keys, DELETE_CONCURRENCY, remove);
      // Then the directory entries below the prefix, so later lists do not descend into empty directories.
      // A write racing with this under the same prefix can lose its directory entry (README: trade-offs).
      const { dir, namePrefix } = prefixParts(prefix);
      const entries: { parent: string; child: string }[] = [];
      if (namePrefix === '' && dir !== '/') {
        const { parent, leaf } = keyParts(dir.slice(1));
        entries.push({ parent, child: leaf });
        await dirEntriesUnder(dir, '', entries);
      } else {
        await dirEntriesUnder(dir, namePrefix, entries);
      }
      knownDirs.clear();
      await forEachLimited(entries, DELETE_CONCURRENCY, async (e) => {
        await run(stmts.deleteDir, [e.parent, e.child], writeQuery);
      });
      return keys.length;
    },
  };
}

/**
 * Connect, create the schema when asked, and read what the run records: the keyspace's replication factor and
 * the cluster's facts. A missing keyspace is NotFound.
 */
async function lookAround(
  client: cassandra.Client,
  schema: { keyspace: string; table: string; dc: string; create: boolean; replicationFactor: number; connections: number },
): Promise<{ rf: number; environment: Record<string, string | number> }> {
  const { keyspace, table, dc, replicationFactor } = schema;
  await client.connect();
  if (schema.create) {
    await client.execute(createKeyspaceCql(keyspace, dc, replicationFactor));
    for (const ddl of createTablesCql(keyspace, table)) await client.execute(ddl);
  }
  // Schema events refresh the metadata asynchronously: ask once more before calling the keyspace missing.
  if (!client.metadata.keyspaces[keyspace]) await client.metadata.refreshKeyspace(keyspace);
  const ks = client.metadata.keyspaces[keyspace] as { strategy?: string; strategyOptions?: Record<string, string> } | undefined;
  if (!ks) {
    throw new StorageError('NotFound', DRIVER, 'open', `keyspace "${keyspace}" does not exist (add create=true to the target URL to create it)`);
  }
  const strategyOptions = ks.strategyOptions ?? {};
  const rf = Number(strategyOptions[dc] ?? strategyOptions.replication_factor ?? replicationFactor);
  const local = (await client.execute('SELECT release_version, cluster_name FROM system.local')).first();
  return {
    rf,
    environment: {
      cassandraVersion: String(local?.release_version ?? 'unknown'),
      cluster: String(local?.cluster_name ?? 'unknown'),
      hosts: client.hosts.length,
      connectedHosts: client.getState().getConnectedHosts().length,
      dataCenter: dc,
      keyspace,
      table,
      replicationStrategy: ks.strategy?.replace(/^.*\./, '') ?? 'unknown',
      connectionsPerHost: schema.connections,
    },
  };
}
