/**
 * `cassandra://host1,host2:9042/keyspace?table=blobs&dc=datacenter1&consistency=LOCAL_QUORUM`: blobs stored as
 * chunk rows in Apache Cassandra through the `cassandra-driver` package. Schema and trade-offs: README.md and
 * cassandra-schema.ts. Every statement is prepared; the driver's own retries and speculative executions are off
 * unless asked for, and counted either way ({@link CassandraDriver.counters}, also in `environment()`).
 */
import { createHash } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { UsageError } from '../../errors.js';
import { checkKey, checkPrefix, piecesOf } from '../keys.js';
import { boolOption, intOption, sizeOption } from '../target.js';
import {
  StorageError, type Body, type Capabilities, type Driver, type DriverContext, type Environment, type ListOptions,
  type ObjectInfo, type Operation, type ReadOptions, type ReadResult, type ScanEntry, type Semantics, type WriteOptions,
} from '../types.js';
import { mapCassandraError } from './cassandra-errors.js';
import {
  ancestorEntries, childDir, createKeyspaceCql, createTablesCql, keyOf, keyParts, prefixEnd, prefixParts, statements,
  tokenRanges, type Statements,
} from './cassandra-schema.js';

const { types, policies } = cassandra;
type Row = cassandra.types.Row;
type QueryOptions = cassandra.QueryOptions;

const CAPABILITIES: Capabilities = {
  rangeRead: true, append: false, rename: false, list: true, scan: true,
  unknownLengthWrite: true, multipart: true, maxObjectSize: Number.MAX_SAFE_INTEGER, persistent: true, positionalWrite: false, keyAndPrefixCoexist: true,
};

/** Events the driver counts: its own retries and speculative executions, and the errors it saw. */
export type CassandraCounters = {
  /** Retries decided by the retry policy (0 unless `retries` > 0). */
  retries: number;
  /** Speculative executions started (0 unless `speculativeDelay` is set). */
  speculativeExecutions: number;
  readTimeouts: number;
  writeTimeouts: number;
  unavailables: number;
  clientTimeouts: number;
  otherErrors: number;
};

/** What the benchmark's minimal loop needs to issue exactly the driver's statements with the driver's client. */
export interface CassandraNative {
  readonly client: cassandra.Client;
  readonly statements: Statements;
  readonly readOptions: QueryOptions;
  readonly writeOptions: QueryOptions;
  readonly chunkSize: number;
}

/** The cassandra:// driver: the {@link Driver} contract plus its counters and its native client. */
export interface CassandraDriver extends Driver {
  /** A snapshot of the counters since `open`. */
  counters(): CassandraCounters;
  /** The client, the statements and the per-statement options (valid after `open`). */
  native(): CassandraNative;
}

/** Counts the client's retry/speculative/error events (the driver calls these hooks itself). */
class CountingMetrics extends cassandra.metrics.DefaultMetrics {
  readonly counts: CassandraCounters = {
    retries: 0, speculativeExecutions: 0, readTimeouts: 0, writeTimeouts: 0, unavailables: 0, clientTimeouts: 0, otherErrors: 0,
  };
  override onClientTimeoutRetry(): void { this.counts.retries++; }
  override onOtherErrorRetry(): void { this.counts.retries++; }
  override onReadTimeoutRetry(): void { this.counts.retries++; }
  override onUnavailableRetry(): void { this.counts.retries++; }
  override onWriteTimeoutRetry(): void { this.counts.retries++; }
  override onSpeculativeExecution(): void { this.counts.speculativeExecutions++; }
  override onReadTimeoutError(): void { this.counts.readTimeouts++; }
  override onWriteTimeoutError(): void { this.counts.writeTimeouts++; }
  override onUnavailableError(): void { this.counts.unavailables++; }
  override onClientTimeoutError(): void { this.counts.clientTimeouts++; }
  override onOtherError(): void { this.counts.otherErrors++; }
  // DefaultMetrics emits an event per response; nobody listens, so skip the work on the hot path.
  override onResponse(): void {}
  override onSuccessfulResponse(): void {}
}

/** Retries every kind of failure up to `max` times on the next host; `max` 0 rethrows everything at once. */
class BoundedRetryPolicy extends policies.retry.RetryPolicy {
  constructor(private readonly max: number) { super(); }
  private decide(info: cassandra.policies.retry.OperationInfo, sameHost: boolean) {
    return info.nbRetry < this.max ? this.retryResult(undefined as unknown as number, sameHost) : this.rethrowResult();
  }
  override onReadTimeout(info: cassandra.policies.retry.OperationInfo) { return this.decide(info, true); }
  override onWriteTimeout(info: cassandra.policies.retry.OperationInfo) { return this.decide(info, true); }
  override onUnavailable(info: cassandra.policies.retry.OperationInfo) { return this.decide(info, false); }
  override onRequestError(info: cassandra.policies.retry.OperationInfo) { return this.decide(info, false); }
}

/** CQL consistency names (as in cqlsh) → the driver's codes (types.consistencies uses camelCase keys). */
const CONSISTENCIES: Readonly<Record<string, number>> = {
  ANY: types.consistencies.any, ONE: types.consistencies.one, TWO: types.consistencies.two,
  THREE: types.consistencies.three, QUORUM: types.consistencies.quorum, ALL: types.consistencies.all,
  LOCAL_QUORUM: types.consistencies.localQuorum, EACH_QUORUM: types.consistencies.eachQuorum,
  LOCAL_ONE: types.consistencies.localOne,
};

/** Replicas a consistency level waits for with `rf` copies (single data center). */
function replicasFor(level: string, rf: number): number {
  switch (level) {
    case 'ANY': return 0;
    case 'ONE': case 'LOCAL_ONE': return 1;
    case 'TWO': return 2;
    case 'THREE': return 3;
    case 'ALL': return rf;
    default: return Math.floor(rf / 2) + 1; // QUORUM, LOCAL_QUORUM, EACH_QUORUM
  }
}

function consistencyOption(target: DriverContext['target'], name: string, fallback: string): string {
  const v = (target.options[name] ?? fallback).toUpperCase();
  if (!(v in CONSISTENCIES)) {
    throw new UsageError(`target option ${name}: expected ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE or ANY, got "${v}"`);
  }
  return v;
}

function identifierOption(value: string, what: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(value)) {
    throw new UsageError(`target ${what}: "${value}" is not a Cassandra name (a letter, then letters, digits or _; at most 48)`);
  }
  return value;
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
    size: Number(row['size']),
    chunks: row['chunks'] as number,
    chunkSize: row['chunk_size'] as number,
    partChunks: row['part_chunks'] as number,
    checksum: row['checksum'] as string,
    version: row['version'] as cassandra.types.TimeUuid,
    modified: (row['modified'] as Date | null)?.getTime() ?? 0,
  };
}

/** Create the driver for `cassandra://hosts/keyspace?options`. */
export function createCassandraDriver(context: DriverContext): CassandraDriver {
  const { target } = context;
  const name = 'cassandra';
  const keyspace = identifierOption(target.path.replace(/^\//, ''), 'path (the keyspace)');
  const table = identifierOption(target.options['table'] ?? 'blobs', 'option table');
  const dc = target.options['dc'] ?? 'datacenter1';
  const consistency = consistencyOption(target, 'consistency', 'LOCAL_QUORUM');
  const readCL = consistencyOption(target, 'readConsistency', consistency);
  const writeCL = consistencyOption(target, 'writeConsistency', consistency);
  if (readCL === 'ANY') throw new UsageError('target option readConsistency: ANY is for writes only');
  const create = boolOption(target, 'create', false);
  const replicationFactor = intOption(target, 'replicationFactor', 1, 1, 100);
  const chunkSize = sizeOption(target, 'chunkSize', 256 * 1024);
  if (chunkSize < 1024 || chunkSize > 16 * 1024 * 1024) throw new UsageError('target option chunkSize: expected 1KiB to 16MiB');
  const partChunks = intOption(target, 'chunksPerPartition', 16, 1, 1024);
  const writeWindow = intOption(target, 'writeWindow', 4, 1, 64);
  const retries = intOption(target, 'retries', 0, 0, 10);
  const speculativeDelay = intOption(target, 'speculativeDelay', 0, 0, 60_000);
  const speculativeMax = intOption(target, 'speculativeMax', 1, 1, 10);
  const concurrency = Math.max(1, context.concurrency);
  const connections = intOption(target, 'connections', Math.min(8, Math.ceil(concurrency / 32)), 1, 64);
  const timeoutMs = intOption(target, 'timeout', 12_000, 100, 600_000);
  const scanMode = target.options['scan'] ?? 'tokens';
  if (scanMode !== 'tokens' && scanMode !== 'tree') throw new UsageError('target option scan: expected tokens or tree');
  const scanParallelism = intOption(target, 'scanParallelism', 4, 1, 64);
  if (target.hosts.length === 0) throw new UsageError('target: cassandra:// needs at least one host');
  // A host without a port takes the port given on another host (`h1,h2:9043` → both 9043), else 9042.
  const givenPort = [...target.hosts].reverse().map((h) => /:(\d+)$/.exec(h)?.[1]).find(Boolean) ?? '9042';
  const contactPoints = target.hosts.map((h) => (/:\d+$/.test(h) ? h : `${h}:${givenPort}`));

  const metrics = new CountingMetrics();
  const stmts = statements(keyspace, table);
  // Every statement here is idempotent (fixed values, client-side timestamps), so retries and speculative
  // executions are safe when enabled; the driver refuses both for statements not marked idempotent.
  const readOptions: QueryOptions = { prepare: true, isIdempotent: true, consistency: CONSISTENCIES[readCL]! };
  const writeOptions: QueryOptions = { prepare: true, isIdempotent: true, consistency: CONSISTENCIES[writeCL]! };
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
      speculativeExecution: speculativeDelay > 0
        ? new policies.speculativeExecution.ConstantSpeculativeExecutionPolicy(speculativeDelay, speculativeMax)
        : new policies.speculativeExecution.NoSpeculativeExecutionPolicy(),
    },
    queryOptions: { prepare: true, isIdempotent: true },
    socketOptions: { readTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5000) },
  });

  let opened = false;
  let environment: Record<string, string | number | boolean> = {};
  let rf = replicationFactor;
  /** Directory entries this instance knows exist: a write skips re-inserting them (cleared by deletePrefix). */
  const knownDirs = new Map<string, Promise<unknown>>();

  function fail(e: unknown, op: Operation, key?: string): never {
    throw mapCassandraError(e, op, key, target.secrets);
  }
  async function run(cql: string, params: unknown[], options: QueryOptions, op: Operation, key?: string) {
    try {
      return await client.execute(cql, params, options);
    } catch (e) {
      fail(e, op, key);
    }
  }
  async function getMeta(key: string, op: Operation): Promise<Meta | undefined> {
    const { parent, name: n } = keyParts(key);
    const row = (await run(stmts.selectMeta, [parent, n], readOptions, op, key)).first();
    return row ? metaOf(row) : undefined;
  }
  async function mustMeta(key: string, op: Operation): Promise<Meta> {
    const meta = await getMeta(key, op);
    if (!meta) throw new StorageError('NotFound', name, op, 'no such object', { key });
    return meta;
  }
  function ensureDirs(key: string): Promise<unknown> {
    const pending: Promise<unknown>[] = [];
    for (const { parent, child } of ancestorEntries(key)) {
      const id = `${parent}\0${child}`;
      let p = knownDirs.get(id);
      if (!p) {
        if (knownDirs.size >= 100_000) knownDirs.clear();
        p = run(stmts.insertDir, [parent, child], writeOptions, 'write', key);
        p.catch(() => knownDirs.delete(id));
        knownDirs.set(id, p);
      }
      pending.push(p);
    }
    return Promise.all(pending);
  }
  /** Delete the chunk partitions of one version (a few statements, one per partition). */
  async function deleteChunks(key: string, version: cassandra.types.TimeUuid, chunks: number, perPart: number, op: Operation) {
    const parts = Math.ceil(chunks / perPart);
    const all: Promise<unknown>[] = [];
    for (let p = 0; p < parts; p++) all.push(run(stmts.deletePart, [key, version, p], writeOptions, op, key));
    await Promise.all(all);
  }
  /** Chunk `idx` of the version `meta` names; undefined when that version is gone (overwritten or deleted). */
  async function fetchChunk(key: string, meta: Meta, idx: number): Promise<Buffer | undefined> {
    const part = Math.floor(idx / meta.partChunks);
    const row = (await run(stmts.selectChunk, [key, meta.version, part, idx], readOptions, 'read', key)).first();
    return row ? (row['data'] as Buffer) : undefined;
  }
  function gone(key: string, meta: Meta, idx: number): StorageError {
    return new StorageError('NotFound', name, 'read',
      `chunk ${idx} of version ${meta.version} is gone (object overwritten or deleted during the read)`, { key, temporary: true });
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
  /** Objects directly in `dir` whose name starts with `namePrefix`, page by page (Cassandra paging). */
  async function* objectsIn(dir: string, namePrefix: string, fetchSize: number): AsyncIterable<Row[]> {
    let pageState: string | undefined;
    do {
      const rs = await run(stmts.listObjects, [dir, namePrefix, prefixEnd(namePrefix)],
        { ...readOptions, fetchSize, ...(pageState ? { pageState } : {}) }, 'list');
      if (rs.rows.length > 0) yield rs.rows;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
  async function* dirsIn(dir: string, childPrefix: string, fetchSize: number): AsyncIterable<string> {
    let pageState: string | undefined;
    do {
      const rs = await run(stmts.listDirs, [dir, childPrefix, prefixEnd(childPrefix)],
        { ...readOptions, fetchSize, ...(pageState ? { pageState } : {}) }, 'list');
      for (const r of rs.rows) yield r['child'] as string;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
  /** Every object under (dir, namePrefix), recursively: the directory's own objects, then each subdirectory. */
  async function* walk(dir: string, namePrefix: string, fetchSize: number): AsyncIterable<ObjectInfo[]> {
    for await (const rows of objectsIn(dir, namePrefix, fetchSize)) {
      yield rows.map((r) => ({
        key: keyOf(dir, r['name'] as string), size: Number(r['size']),
        modified: (r['modified'] as Date | null)?.getTime() ?? 0, etag: r['checksum'] as string,
      }));
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
  /** Run `fn` over `items` with at most `limit` in flight. */
  async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>) {
    let at = 0;
    const worker = async () => {
      while (at < items.length) await fn(items[at++]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  }

  /**
   * Every metadata row of the table read by token range, `scanParallelism` ranges at a time, each row once
   * (the ranges partition the ring). Rows outside `prefix` are skipped client-side.
   */
  async function* tokenScan(prefix: string, fetchSize: number): AsyncIterable<{ key: string; meta: Meta }> {
    const ranges = tokenRanges(scanParallelism * 4);
    const queue: { key: string; meta: Meta }[] = [];
    let wake: (() => void) | undefined;
    let space: (() => void)[] = [];
    let failure: unknown;
    let active = 0;
    let stopped = false;
    const notify = () => { const w = wake; wake = undefined; w?.(); };
    const makeSpace = () => { const all = space; space = []; for (const s of all) s(); };
    const reader = async () => {
      active++;
      try {
        while (!stopped && !failure && ranges.length > 0) {
          const range = ranges.shift()!;
          let pageState: string | undefined;
          do {
            const rs = await run(stmts.scanRange, [range.start, range.end],
              { ...readOptions, fetchSize, ...(pageState ? { pageState } : {}) }, 'scan');
            for (const r of rs.rows) {
              const key = keyOf(r['parent'] as string, r['name'] as string);
              if (key.startsWith(prefix)) queue.push({ key, meta: metaOf(r) });
            }
            notify();
            // Back-pressure: rows are small, but a huge table must not pile up in memory.
            while (!stopped && queue.length > fetchSize * 4) await new Promise<void>((r) => space.push(r));
            pageState = rs.pageState ?? undefined;
          } while (pageState && !stopped);
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

  const driver: CassandraDriver = {
    name,
    capabilities: CAPABILITIES,

    async open() {
      if (opened) return;
      try {
        await client.connect();
        if (create) {
          await client.execute(createKeyspaceCql(keyspace, dc, replicationFactor));
          for (const ddl of createTablesCql(keyspace, table)) await client.execute(ddl);
        }
        // Schema events refresh the metadata asynchronously: ask once more before calling the keyspace missing.
        if (!client.metadata.keyspaces[keyspace]) await client.metadata.refreshKeyspace(keyspace);
        const ks = client.metadata.keyspaces[keyspace] as { strategy?: string; strategyOptions?: Record<string, string> } | undefined;
        if (!ks) {
          throw new StorageError('NotFound', name, 'open', `keyspace "${keyspace}" does not exist (add create=true to the target URL to create it)`);
        }
        const opts = ks.strategyOptions ?? {};
        rf = Number(opts[dc] ?? opts['replication_factor'] ?? replicationFactor);
        const local = (await client.execute('SELECT release_version, cluster_name FROM system.local')).first();
        const hosts = client.getState().getConnectedHosts().length;
        environment = {
          cassandraVersion: String(local?.['release_version'] ?? 'unknown'),
          cluster: String(local?.['cluster_name'] ?? 'unknown'),
          hosts: client.hosts.length,
          connectedHosts: hosts,
          dataCenter: dc,
          keyspace,
          table,
          replicationStrategy: ks.strategy?.replace(/^.*\./, '') ?? 'unknown',
          connectionsPerHost: connections,
        };
        opened = true;
      } catch (e) {
        await client.shutdown().catch(() => undefined);
        fail(e, 'open');
      }
    },
    async close() {
      await client.shutdown();
    },
    system: () => `Apache Cassandra ${environment['cassandraVersion'] ?? ''}`.trim(),
    semantics(): Semantics {
      const r = replicasFor(readCL, rf);
      const w = replicasFor(writeCL, rf);
      return {
        writeDurability: `acknowledged by ${w} of ${rf} replicas (${writeCL}), each in its commit log ` +
          '(synced per the server\'s commitlog_sync; periodic 10 s on the test service)',
        readAfterWrite: r + w > rf ? `strong: ${readCL} reads overlap ${writeCL} writes (${r} + ${w} > RF ${rf})`
          : `eventual: ${readCL} reads may miss ${writeCL} writes (${r} + ${w} <= RF ${rf})`,
        listConsistency: `${readCL} reads of the directory tree and metadata partitions; recursive, ` +
          'in key order within a directory, subdirectories after their parent\'s objects',
        replication: rf,
        readConsistency: readCL,
        writeConsistency: writeCL,
        chunkSize,
        chunksPerPartition: partChunks,
        retries,
        speculativeDelayMs: speculativeDelay,
        scan: scanMode === 'tokens' ? `token ranges, ${scanParallelism} in parallel` : 'directory tree walk',
      };
    },
    environment: (): Environment => ({ ...environment, ...metrics.counts }),
    counters: () => ({ ...metrics.counts }),
    native: () => ({ client, statements: stmts, readOptions, writeOptions, chunkSize }),

    async write(key: string, data: Body, options: WriteOptions = {}) {
      checkKey(name, 'write', key);
      const { parent, name: n } = keyParts(key);
      const version = types.TimeUuid.now();
      // The old version is looked up alongside the chunk writes, and removed only after the new metadata row.
      const old = getMeta(key, 'write');
      old.catch(() => undefined);
      const dirs = ensureDirs(key);
      dirs.catch(() => undefined);
      const hash = createHash('md5');
      const inflight: Promise<unknown>[] = [];
      let chunks = 0;
      let size = 0;
      try {
        for await (const chunk of piecesOf(data, chunkSize, false)) {
          if (options.signal?.aborted) throw new StorageError('Unexpected', name, 'write', 'aborted', { key });
          hash.update(chunk);
          size += chunk.length;
          const idx = chunks++;
          inflight.push(run(stmts.insertChunk, [key, version, Math.floor(idx / partChunks), idx, chunk], writeOptions, 'write', key));
          // At most writeWindow chunks in flight: a 1 GiB stream holds about writeWindow × chunkSize bytes.
          if (inflight.length >= writeWindow) await inflight.shift();
        }
        await Promise.all(inflight);
        if (!(data instanceof Uint8Array) && options.size !== undefined && options.size !== size) {
          throw new StorageError('InvalidInput', name, 'write', `body had ${size} bytes, ${options.size} announced`, { key });
        }
        await dirs;
      } catch (e) {
        await Promise.allSettled(inflight);
        // Best effort: the unreferenced chunks of the failed version; the old object stays intact.
        await deleteChunks(key, version, chunks, partChunks, 'write').catch(() => undefined);
        fail(e, 'write', key);
      }
      const previous = await old;
      await run(stmts.insertMeta,
        [parent, n, BigInt(size), chunks, chunkSize, partChunks, hash.digest('hex'), version, new Date()], writeOptions, 'write', key);
      if (previous) await deleteChunks(key, previous.version, previous.chunks, previous.partChunks, 'write');
    },
    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      checkKey(name, 'read', key);
      // The first chunk is fetched before returning, so an overwrite that removed the version between the
      // metadata read and the chunk read is seen here, where reading the metadata again still gives one whole
      // object (the new one); once bytes are out, a vanished chunk can only be an error.
      for (let attempt = 1; ; attempt++) {
        const meta = await mustMeta(key, 'read');
        const start = Math.min(Math.max(0, options.offset ?? 0), meta.size);
        const end = options.length === undefined ? meta.size : Math.min(meta.size, start + Math.max(0, options.length));
        if (end <= start) return { size: 0, body: body(key, meta, start, end) };
        const idx = Math.floor(start / meta.chunkSize);
        const firstData = await fetchChunk(key, meta, idx);
        if (firstData) return { size: end - start, body: body(key, meta, start, end, firstData) };
        if (attempt === 3) throw gone(key, meta, idx);
      }
    },
    async stat(key: string) {
      checkKey(name, 'stat', key);
      const meta = await mustMeta(key, 'stat');
      return { key, size: meta.size, modified: meta.modified, etag: meta.checksum };
    },
    async delete(key: string) {
      checkKey(name, 'delete', key);
      const meta = await getMeta(key, 'delete');
      if (!meta) return;
      const { parent, name: n } = keyParts(key);
      // Metadata first: from then on no reader starts on the chunks being removed.
      await run(stmts.deleteMeta, [parent, n], writeOptions, 'delete', key);
      await deleteChunks(key, meta.version, meta.chunks, meta.partChunks, 'delete');
    },
    async *list(prefix: string, options: ListOptions = {}) {
      checkPrefix(name, 'list', prefix);
      const pageSize = options.pageSize ?? 1000;
      const { dir, namePrefix } = prefixParts(prefix);
      let page: ObjectInfo[] = [];
      for await (const infos of walk(dir, namePrefix, pageSize)) {
        for (const info of infos) {
          page.push(info);
          if (page.length >= pageSize) {
            yield page;
            page = [];
          }
        }
      }
      if (page.length > 0) yield page;
    },
    async *scan(prefix: string, options: ListOptions = {}): AsyncIterable<ScanEntry> {
      checkPrefix(name, 'scan', prefix);
      const fetchSize = options.pageSize ?? 1000;
      if (scanMode === 'tree') {
        for await (const page of driver.list(prefix, options)) {
          for (const info of page) {
            const meta = await getMeta(info.key, 'scan');
            if (meta) yield { info, body: body(info.key, meta, 0, meta.size) };
          }
        }
        return;
      }
      for await (const { key, meta } of tokenScan(prefix, fetchSize)) {
        yield { info: { key, size: meta.size, modified: meta.modified, etag: meta.checksum }, body: body(key, meta, 0, meta.size) };
      }
    },
    async deletePrefix(prefix: string) {
      checkPrefix(name, 'delete', prefix);
      const keys: string[] = [];
      for await (const page of driver.list(prefix)) for (const o of page) keys.push(o.key);
      await eachLimited(keys, 16, (k) => driver.delete(k));
      // Then the directory entries below the prefix, so later lists do not descend into empty directories.
      // A write racing with this under the same prefix can lose its directory entry (README: trade-offs).
      const { dir, namePrefix } = prefixParts(prefix);
      const entries: { parent: string; child: string }[] = [];
      if (namePrefix === '' && dir !== '/') {
        const { parent, name: child } = keyParts(dir.slice(1));
        entries.push({ parent, child });
        await dirEntriesUnder(dir, '', entries);
      } else {
        await dirEntriesUnder(dir, namePrefix, entries);
      }
      knownDirs.clear();
      await eachLimited(entries, 16, (e) => run(stmts.deleteDir, [e.parent, e.child], writeOptions, 'delete'));
      return keys.length;
    },
  };
  return driver;
}
