/**
 * The one storage interface every system sits behind.
 *
 * Keys are relative to the driver's root (the path part of the target URL) and use `/` as separator.
 * A key never starts with `/`, never contains `.` or `..` segments and is never empty.
 *
 * Drivers throw only {@link StorageError}. They do no timing: the runner measures every operation,
 * and time to first byte is the moment the first chunk of a read body arrives.
 */

/** What went wrong, independent of the system (OpenDAL's ErrorKind). */
export type ErrorKind =
  | 'NotFound'
  | 'PermissionDenied'
  | 'Timeout'
  | 'Unavailable'
  | 'RateLimited'
  | 'InvalidInput'
  | 'Unsupported'
  | 'Corrupt'
  /** The caller aborted the operation (its signal fired: Ctrl-C past the drain, a layer's deadline). */
  | 'Cancelled'
  | 'Unexpected';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'NotFound',
  'PermissionDenied',
  'Timeout',
  'Unavailable',
  'RateLimited',
  'InvalidInput',
  'Unsupported',
  'Corrupt',
  'Cancelled',
  'Unexpected',
];

/** The operations of the interface, as errors name them (the runner records its own mix operations). */
export type Operation = 'write' | 'read' | 'stat' | 'delete' | 'list' | 'scan' | 'append' | 'rename' | 'open';

export interface StorageErrorOptions {
  /** Whether retrying the same call may succeed (a timeout, a standby NameNode, a throttled request). */
  temporary?: boolean;
  key?: string;
  /**
   * The system's own name for the failure, when it has one: the S3 error code (`NoSuchKey`), the HDFS
   * RemoteException class (`FileNotFoundException`), the errno (`ENOENT`), the NFS status (`NFS3ERR_NOENT`), the
   * Cassandra error code. Code branches on it, never on message text.
   */
  code?: string;
  cause?: unknown;
}

/** The only error a driver throws. */
export class StorageError extends Error {
  readonly kind: ErrorKind;
  readonly temporary: boolean;
  readonly operation: Operation;
  readonly driver: string;
  readonly key: string | undefined;
  readonly code: string | undefined;

  constructor(kind: ErrorKind, driver: string, operation: Operation, message: string, options: StorageErrorOptions = {}) {
    super(`${driver} ${operation}${options.key !== undefined ? ` ${options.key}` : ''}: ${message}`, { cause: options.cause });
    this.name = 'StorageError';
    this.kind = kind;
    this.driver = driver;
    this.operation = operation;
    this.key = options.key;
    this.code = options.code;
    this.temporary = options.temporary ?? (kind === 'Timeout' || kind === 'RateLimited' || kind === 'Unavailable');
  }
}

/** True when `e` is a StorageError of the given kind. */
export function isStorageError(e: unknown, kind?: ErrorKind): e is StorageError {
  return e instanceof StorageError && (kind === undefined || e.kind === kind);
}

/**
 * What a driver can do. Flags are flat and `readonly`; the runner refuses a workload that needs a
 * capability the driver lacks before anything is written, and the conformance suite is gated by them.
 */
export interface Capabilities {
  /** `read` honors `offset`/`length`. */
  readonly rangeRead: boolean;
  /** `append` is implemented. */
  readonly append: boolean;
  /** `rename` is implemented. */
  readonly rename: boolean;
  /** `list` is implemented (every driver but `null://`, whose list is always empty, can list). */
  readonly list: boolean;
  /** `scan` is implemented. */
  readonly scan: boolean;
  /** `write` accepts a body whose length is not known up front. */
  readonly unknownLengthWrite: boolean;
  /** Large writes are split into parts uploaded separately (S3 multipart, Cassandra chunks). */
  readonly multipart: boolean;
  /** Largest object the driver accepts, in bytes (`Number.MAX_SAFE_INTEGER` when unbounded). */
  readonly maxObjectSize: number;
  /** Objects written are stored and read back (false only for `null://`). */
  readonly persistent: boolean;
  /**
   * `writeAt` is implemented: bytes written in place at an offset of an object, so many workers can fill
   * disjoint ranges of one object (IOR's shared-file mode). False where objects are immutable (S3) or
   * append-only (HDFS).
   */
  readonly positionalWrite: boolean;
  /**
   * Key `a` and key `a/b` can both exist (object stores, Cassandra, file:// with fan-out). False where a key is a
   * file and a key below it would need that file to be a directory (NFS, HDFS, plain file trees): writing the
   * second one then fails with InvalidInput, and the first is untouched.
   */
  readonly keyAndPrefixCoexist: boolean;
}

/**
 * What the operations mean on this system, stored with every run so results compare honestly
 * (YCSB's lesson: bindings whose semantics silently differ).
 */
export interface Semantics {
  /** What a completed write guarantees, in words: "fsync before rename", "acknowledged by 3 DataNodes", ... */
  readonly writeDurability: string;
  /** Consistency seen by a read after a completed write. */
  readonly readAfterWrite: string;
  /** What `list` sees. */
  readonly listConsistency: string;
  /** Copies kept by the system, when known. */
  readonly replication?: number;
  /** Anything else that changes what a figure means (consistency level, multipart threshold, fs type...). */
  readonly [detail: string]: string | number | boolean | undefined;
}

/** Metadata of one stored object. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Last modification, ms since the epoch, when the system reports it. */
  readonly modified?: number;
  readonly etag?: string;
}

/** A write body: bytes in memory, or a stream of chunks (length given separately, or unknown). */
export type Body = Uint8Array | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  /** Length of a streamed body, when known. Ignored for a Uint8Array body. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

export interface ReadOptions {
  /** First byte to read. @default 0 */
  readonly offset?: number;
  /** Bytes to read from `offset`; the whole rest when omitted. A range past the end is cut at the end. */
  readonly length?: number;
  /**
   * The caller drops each chunk before asking for the next one (the runner's measuring loop does), so a
   * driver may read every chunk into the same buffer instead of allocating one per chunk. @default false
   */
  readonly reuseChunks?: boolean;
  /**
   * The bytes the caller expects to read, when it knows (the runner: the workload's object size): a driver may
   * choose its read path by it (s3:// reads more than 1 MiB on a connection of its own). Not a limit.
   */
  readonly expectedBytes?: number;
  readonly signal?: AbortSignal;
}

export interface ReadResult {
  /** Bytes the body will yield, when the system says so before the body. */
  readonly size?: number;
  /** The content. It must be consumed (or `return()`-ed) before the connection is reused. */
  readonly body: AsyncIterable<Uint8Array>;
}

export interface ListOptions {
  /** Entries asked for in one round trip. @default driver's natural page (1000 for S3) */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface ScanEntry {
  readonly info: ObjectInfo;
  /** The object's content; consume it before asking for the next entry. */
  readonly body: AsyncIterable<Uint8Array>;
}

/** IOR's two modes for large sequential work: each worker its own objects, or all workers in one shared object. */
export type LargeFileMode = 'file-per-worker' | 'shared-file';

/** Facts found when the driver connected: file system type, server version, cluster size... */
export type Environment = Readonly<Record<string, string | number | boolean>>;

/**
 * A caveat about what a run's figures mean on this target (reads served by a client cache, a file system that
 * ignores a requested mode), as data: reports switch on `code` and show `text`.
 */
export interface Warning {
  /** Stable identifier, e.g. `page-cache`, `threadpool-bound`. */
  readonly code: string;
  /** One sentence for people. */
  readonly text: string;
}

/**
 * Counters a driver keeps while running (requests retried by its client, NameNode failovers, speculative
 * executions), by name. The runner stores them with the run under the environment key `counters.<name>`.
 */
export type Counters = Readonly<Record<string, number>>;

/**
 * The driver contract. Behavior (each line is a conformance test):
 * - write then read returns exactly the bytes written; an empty object is an object.
 * - overwrite replaces the whole object (no stale tail when the new one is shorter).
 * - a range read returns exactly the range, cut at the object's end.
 * - read or stat of a missing key throws NotFound.
 * - deleting a missing key succeeds.
 * - list of a prefix yields every object whose key starts with it, in pages, each once; a missing prefix is empty.
 * - scan yields every object under a prefix with its content, each once.
 * - keys escaping the root are rejected with InvalidInput before anything is touched.
 * - writeAt (when offered) writes exactly its range: it creates a missing object, never truncates, and
 *   concurrent writeAt calls to disjoint ranges of one object all land.
 */
export interface Driver {
  /** Short name of the driver (the URL scheme): `mem`, `file`, `s3`, ... */
  readonly name: string;
  readonly capabilities: Capabilities;
  /**
   * Its objects live in this thread's memory (`mem://`): a worker thread opening the same target would see
   * none of them, so the runner never fans such a run out to threads on its own.
   */
  readonly processLocal?: boolean;
  /**
   * Its calls block the calling thread (`file://...?io=sync`): one operation in flight per thread, so the
   * runner runs such a driver with one worker per thread.
   */
  readonly blocking?: boolean;

  /** Connect and look around (file system type, cluster). Called once before any operation. */
  open(): Promise<void>;
  /** Release connections. Idempotent. */
  close(): Promise<void>;

  /** The system's name for reports ("HDFS", "Ceph RGW", "ext4"...). Valid after `open`. */
  system(): string;
  semantics(): Semantics;
  environment(): Environment;
  /** Caveats about what this target's figures mean. Valid after `open`. @default none */
  warnings?(): readonly Warning[];
  /** What the driver counted so far (retries, failovers); read at the end of a run. @default none */
  counters?(): Counters;

  write(key: string, body: Body, options?: WriteOptions): Promise<void>;
  read(key: string, options?: ReadOptions): Promise<ReadResult>;
  stat(key: string): Promise<ObjectInfo>;
  delete(key: string): Promise<void>;
  list(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]>;
  scan(prefix: string, options?: ListOptions): AsyncIterable<ScanEntry>;
  /** Only when `capabilities.append`. */
  append?(key: string, body: Body, options?: WriteOptions): Promise<void>;
  /** Only when `capabilities.rename`. */
  rename?(from: string, to: string): Promise<void>;
  /**
   * Only when `capabilities.positionalWrite`. Write `body` at byte `offset` of `key` in place: the object is
   * created (empty) when missing, bytes outside `[offset, offset + length)` are left as they are (a gap
   * past the old end reads as zeros), and the object is never truncated. Not atomic: a reader may see part
   * of it, and a failed call may leave part of its range written. Concurrent calls to disjoint ranges of
   * one key all land; mixing them with `write` of the same key (which replaces the object) does not.
   * A negative or fractional `offset` is InvalidInput.
   */
  writeAt?(key: string, offset: number, body: Body, options?: WriteOptions): Promise<void>;
  /**
   * How this target lays out large sequential work when the workload does not say (IOR's two modes):
   * file:// takes it from its profile. Valid after `open`. Without it: a file per worker.
   */
  largeFileMode?(): LargeFileMode;
  /** Delete everything under a prefix (cleanup); drivers may batch. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Drivers whose reads may be served by a client-side cache (file://) empty it when asked, so reads
   * measure the storage. Called by the runner between prepare and measure (`--drop-caches`). Never throws.
   */
  dropCaches?(): Promise<{ readonly dropped: boolean; readonly detail: string }>;
}

/** What a driver factory gets: the parsed target and what the run asks of it. */
export interface DriverContext {
  readonly target: import('./target.js').Target;
  /** In-flight operations the run will keep; pools are sized to it. @default 1 */
  readonly concurrency: number;
  /** The run wants durable writes (fsync, sync replication) when the system offers a choice. */
  readonly durable?: boolean;
  /**
   * The threads the run places this driver's workers on: the workload's `threads` (a number, or `auto`) for the
   * run's own driver, `1` for a worker thread's. A driver that may make blocking calls (file:// `io=auto`) does so
   * only where each worker gets a thread of its own. @default undefined (not a run: no placement known)
   */
  readonly threads?: number | 'auto';
}
