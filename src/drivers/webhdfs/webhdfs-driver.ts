/**
 * `webhdfs://nn1:9870[,nn2:9870]/root?user=NAME` (and `swebhdfs://` over TLS): HDFS through its REST API.
 * Keys are paths under the root; a "directory" appears wherever keys share a prefix up to a `/`, and `list`
 * walks directories recursively so that the key space behaves flat, like S3's. See README.md for the options.
 */
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { UsageError } from '../../errors.js';
import { checkKey, checkPrefix } from '../keys.js';
import { boolOption, intOption, sizeOption } from '../target.js';
import {
  StorageError, type Body, type Capabilities, type Driver, type DriverContext, type Environment, type ListOptions,
  type ObjectInfo, type Operation, type ReadOptions, type ReadResult, type ScanEntry, type Semantics, type WriteOptions,
} from '../types.js';
import { WebHdfsClient, type DataResponse } from './webhdfs-client.js';
import { transportError, type ErrorScope } from './webhdfs-errors.js';

const CAPABILITIES: Capabilities = {
  rangeRead: true, append: true, rename: true, list: true, scan: true,
  unknownLengthWrite: true, multipart: false, maxObjectSize: Number.MAX_SAFE_INTEGER, persistent: true, positionalWrite: false, keyAndPrefixCoexist: false,
};

/** One entry of a LISTSTATUS / GETFILESTATUS answer (the fields used here). */
interface FileStatus {
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  readonly modificationTime: number;
  readonly replication?: number;
  readonly blockSize?: number;
}
interface DirectoryListing {
  readonly DirectoryListing: { readonly partialListing: { readonly FileStatuses: { readonly FileStatus: FileStatus[] } }; readonly remainingEntries: number };
}

/** The webhdfs driver: the Driver contract plus the NameNode failover counter. */
export interface WebHdfsDriver extends Driver {
  append(key: string, body: Body, options?: WriteOptions): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** NameNode failovers so far (refused connection or StandbyException); also `failovers` in environment(). */
  failovers(): number;
}

/** Settings read from the target URL, validated once. */
interface Settings {
  readonly root: string;
  readonly user: string | undefined;
  readonly delegationToken: string | undefined;
  readonly replication: number | undefined;
  readonly blockSize: number | undefined;
  readonly bufferSize: number | undefined;
  readonly overwrite: boolean;
  readonly permission: string | undefined;
  readonly noredirect: boolean;
  readonly gateway: boolean;
  readonly syncBlock: boolean;
  readonly timeoutMs: number;
  readonly insecure: boolean;
  readonly scanAhead: number;
}

function readSettings(context: DriverContext): Settings {
  const t = context.target;
  const problems: string[] = [];
  if (t.hosts.length === 0) problems.push('no NameNode host:port');
  const permission = t.options.permission || undefined;
  if (permission !== undefined && !/^[0-1]?[0-7]{3}$/.test(permission)) problems.push(`permission "${permission}" is not octal like 755`);
  const gateway = t.options.gateway ?? 'none';
  if (gateway !== 'none' && gateway !== 'httpfs') problems.push(`gateway "${gateway}" is not httpfs or none`);
  if (problems.length) throw new UsageError(`target ${t.redacted}: ${problems.join('; ')}`);
  const delegationToken = t.options.delegationToken || undefined;
  return {
    root: t.path === '' ? '' : t.path,
    // Simple authentication sends the user name; with a delegation token the token names the user.
    user: delegationToken ? undefined : (t.options.user || t.username || userInfo().username),
    delegationToken,
    replication: t.options.replication ? intOption(t, 'replication', 0, 1, 512) : undefined,
    blockSize: t.options.blockSize ? sizeOption(t, 'blockSize', 0) : undefined,
    bufferSize: t.options.bufferSize ? sizeOption(t, 'bufferSize', 0) : undefined,
    overwrite: boolOption(t, 'overwrite', true),
    permission,
    noredirect: boolOption(t, 'noredirect', false),
    gateway: gateway === 'httpfs',
    syncBlock: boolOption(t, 'syncBlock', context.durable ?? false),
    timeoutMs: intOption(t, 'timeoutMs', 120_000, 1000),
    insecure: boolOption(t, 'insecure', false),
    scanAhead: intOption(t, 'scanAhead', 4, 0, 64),
  };
}

/** Create a webhdfs:// or swebhdfs:// driver. */
export function createWebHdfsDriver(context: DriverContext): WebHdfsDriver {
  const target = context.target;
  const name = target.scheme;
  const s = readSettings(context);
  const client = new WebHdfsClient({
    hosts: target.hosts,
    tls: target.scheme === 'swebhdfs',
    insecure: s.insecure,
    // A scan keeps scanAhead + 1 objects open at once: the pools must allow that many connections.
    connections: Math.max(1, context.concurrency, s.scanAhead + 1),
    auth: s.delegationToken ? { delegation: s.delegationToken } : { 'user.name': s.user! },
    noredirect: s.noredirect,
    gateway: s.gateway,
    timeoutMs: s.timeoutMs,
  }, { driver: name, secrets: target.secrets });

  /** Set by open(): what the server says when the URL does not. */
  const found: { replication?: number; blockSize?: number; version?: string; liveDataNodes?: number } = {};
  /** Cleared when the server rejects LISTSTATUS_BATCH (HttpFS before 2.8, old NameNodes). */
  let batchListing = true;

  const scope = (operation: Operation, key?: string): ErrorScope =>
    ({ driver: name, operation, secrets: target.secrets, ...(key !== undefined ? { key } : {}) });
  const pathOf = (key: string): string => `${s.root}/${key}`;
  const rootPath = (): string => s.root || '/';
  const isNotFound = (e: unknown): boolean => e instanceof StorageError && e.kind === 'NotFound';

  /** The parent directory of a key, or undefined for a key directly under the root. */
  const parentOf = (key: string): string | undefined => {
    const slash = key.lastIndexOf('/');
    return slash > 0 ? key.slice(0, slash) : undefined;
  };

  /** Every entry of one directory, page by page; LISTSTATUS_BATCH keeps each answer bounded (dfs.ls.limit). */
  async function* listDirectory(path: string, operation: Operation, signal?: AbortSignal): AsyncGenerator<FileStatus> {
    if (batchListing) {
      let startAfter: string | undefined;
      for (let page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
        let answer: DirectoryListing;
        try {
          answer = await client.json<DirectoryListing>(scope(operation), 'GET', path, 'LISTSTATUS_BATCH', { startAfter }, signal);
        } catch (e) {
          // "Invalid value for webhdfs parameter op" (IllegalArgumentException) or UnsupportedOperationException.
          if (page === 0 && e instanceof StorageError && (e.kind === 'Unsupported' || (e.kind === 'InvalidInput' && /LISTSTATUS_BATCH|op/.test(e.message)))) {
            batchListing = false;
            break;
          }
          throw e;
        }
        const entries = answer.DirectoryListing.partialListing.FileStatuses.FileStatus;
        yield* entries;
        if (answer.DirectoryListing.remainingEntries <= 0 || entries.length === 0) return;
        startAfter = entries[entries.length - 1]!.pathSuffix;
      }
    }
    const all = await client.json<{ FileStatuses: { FileStatus: FileStatus[] } }>(scope(operation), 'GET', path, 'LISTSTATUS', {}, signal);
    yield* all.FileStatuses.FileStatus;
  }

  /**
   * Objects (files) under `dir` whose name starts with `namePrefix`, directories walked depth first.
   * A directory removed while walking, or missing, yields nothing.
   */
  async function* walk(dir: string, keyPrefix: string, namePrefix: string, operation: Operation, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
    const path = dir === '' ? rootPath() : pathOf(dir);
    try {
      for await (const st of listDirectory(path, operation, signal)) {
        // LISTSTATUS of a file answers the file itself (empty pathSuffix): nothing lies *under* a file.
        if (st.pathSuffix === '' || !st.pathSuffix.startsWith(namePrefix)) continue;
        const key = `${keyPrefix}${st.pathSuffix}`;
        if (st.type === 'DIRECTORY') yield* walk(key, `${key}/`, '', operation, signal);
        else yield { key, size: st.length, modified: st.modificationTime };
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Split a list prefix into the directory to list and the start of the names wanted in it. */
  function splitPrefix(prefix: string): { dir: string; keyPrefix: string; namePrefix: string } {
    const slash = prefix.lastIndexOf('/');
    return slash < 0
      ? { dir: '', keyPrefix: '', namePrefix: prefix }
      : { dir: prefix.slice(0, slash), keyPrefix: prefix.slice(0, slash + 1), namePrefix: prefix.slice(slash + 1) };
  }

  /** A Body as undici sends it: bytes as they are, an async iterable as a Readable (backpressure, no buffering). */
  function requestBody(body: Body): Uint8Array | Readable {
    return body instanceof Uint8Array ? body : Readable.from(body, { objectMode: false });
  }

  /** A response body whose socket failures surface as StorageError. */
  async function* guarded(body: AsyncIterable<Uint8Array>, key: string, operation: Operation = 'read'): AsyncIterable<Uint8Array> {
    try {
      yield* body;
    } catch (e) {
      throw transportError(scope(operation, key), e);
    }
  }

  async function read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    checkKey(name, 'read', key);
    const offset = options.offset ?? 0;
    if (options.length === 0) {
      await stat(key);
      return { size: 0, body: (async function* () {})() };
    }
    try {
      const res = await client.download(scope('read', key), pathOf(key), {
        ...(offset > 0 ? { offset } : {}),
        ...(options.length !== undefined ? { length: options.length } : {}),
        ...(s.bufferSize ? { buffersize: s.bufferSize } : {}),
      }, options.signal);
      return { ...(res.size !== undefined ? { size: res.size } : {}), body: guarded(res.body, key) };
    } catch (e) {
      // "Offset=N out of the range [0, size)": a range starting at or past the end is empty, not an error.
      if (e instanceof StorageError && /Offset=\d+ out of the range/.test(e.message)) {
        return { size: 0, body: (async function* () {})() };
      }
      throw e;
    }
  }

  async function stat(key: string): Promise<ObjectInfo> {
    checkKey(name, 'stat', key);
    const { FileStatus: st } = await client.json<{ FileStatus: FileStatus }>(scope('stat', key), 'GET', pathOf(key), 'GETFILESTATUS');
    if (st.type === 'DIRECTORY') throw new StorageError('NotFound', name, 'stat', 'a directory (keys share this prefix), not an object', { key });
    return { key, size: st.length, modified: st.modificationTime };
  }

  async function* list(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    checkPrefix(name, 'list', prefix);
    const pageSize = Math.max(1, options.pageSize ?? 1000);
    const { dir, keyPrefix, namePrefix } = splitPrefix(prefix);
    let page: ObjectInfo[] = [];
    for await (const info of walk(dir, keyPrefix, namePrefix, 'list', options.signal)) {
      page.push(info);
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  return {
    name,
    capabilities: CAPABILITIES,
    failovers: () => client.failovers,

    async open() {
      // The root must exist for LISTSTATUS of an empty run; MKDIRS is idempotent.
      await client.json(scope('write'), 'PUT', rootPath(), 'MKDIRS', s.permission ? { permission: s.permission } : {});
      try {
        const d = await client.json<{ FsServerDefaults: { replication: number; blockSize: number } }>(scope('stat'), 'GET', '/', 'GETSERVERDEFAULTS');
        found.replication = d.FsServerDefaults.replication;
        found.blockSize = d.FsServerDefaults.blockSize;
      } catch { /* HttpFS and NameNodes before 3.0 lack GETSERVERDEFAULTS: the semantics then say "server default" */ }
      if (!s.gateway) await readNameNodeInfo(client.activeHost, target.scheme === 'swebhdfs', found);
    },
    async close() {
      await client.close();
    },
    system: () => (s.gateway ? 'HDFS (HttpFS gateway)' : 'HDFS'),
    semantics(): Semantics {
      const replication = s.replication ?? found.replication;
      return {
        writeDurability: `a completed CREATE has closed the file: every packet acknowledged by the whole pipeline of ` +
          `${replication ?? 'dfs.replication'} DataNodes (in their page cache${s.syncBlock ? ', and fsynced on block close (SYNC_BLOCK)' : '; no fsync'})`,
        readAfterWrite: 'strong: one NameNode namespace, a closed file is visible at once',
        listConsistency: 'strong; recursive walk of directories with LISTSTATUS_BATCH pages, directory order (not global key order); directories are not objects',
        ...(replication !== undefined ? { replication } : {}),
        blockSize: s.blockSize ?? found.blockSize ?? 'server default',
        dataPath: s.gateway ? 'HttpFS gateway (no DataNode redirect)' : s.noredirect ? 'NameNode noredirect=true, then DataNode' : 'NameNode 307 redirect, then DataNode',
        syncBlock: s.syncBlock,
      };
    },
    environment(): Environment {
      return {
        namenodes: target.hosts.join(','),
        activeNameNode: client.activeHost,
        failovers: client.failovers,
        user: s.delegationToken ? '(delegation token)' : s.user!,
        connectionsPerHost: Math.max(1, context.concurrency, s.scanAhead + 1),
        ...(found.version ? { hadoopVersion: found.version } : {}),
        ...(found.liveDataNodes !== undefined ? { liveDataNodes: found.liveDataNodes } : {}),
      };
    },

    async write(key: string, body: Body, options: WriteOptions = {}) {
      checkKey(name, 'write', key);
      const size = body instanceof Uint8Array ? body.byteLength : options.size;
      await client.upload(scope('write', key), 'PUT', pathOf(key), 'CREATE', {
        // createflag replaces overwrite= on the DataNode; it is how SYNC_BLOCK (fsync on block close) is asked for.
        ...(s.syncBlock ? { createflag: s.overwrite ? 'CREATE,OVERWRITE,SYNC_BLOCK' : 'CREATE,SYNC_BLOCK' } : { overwrite: s.overwrite }),
        ...(s.replication ? { replication: s.replication } : {}),
        ...(s.blockSize ? { blocksize: s.blockSize } : {}),
        ...(s.bufferSize ? { buffersize: s.bufferSize } : {}),
        ...(s.permission ? { permission: s.permission } : {}),
      }, requestBody(body), size, options.signal);
    },
    read,
    stat,
    async delete(key: string) {
      checkKey(name, 'delete', key);
      try {
        // {"boolean": false} for a missing path: deleting a missing key succeeds.
        await client.json(scope('delete', key), 'DELETE', pathOf(key), 'DELETE', { recursive: false });
      } catch (e) {
        // A non-empty directory is where other keys live, not an object: there is nothing to delete at this key.
        if (e instanceof StorageError && /PathIsNotEmptyDirectoryException/.test(e.message)) return;
        throw e;
      }
    },
    list,
    async *scan(prefix: string, options: ListOptions = {}): AsyncIterable<ScanEntry> {
      // Each object costs a NameNode round trip and a DataNode one before its first byte: the next `scanAhead`
      // objects are opened while the caller consumes the current one, as a Hadoop job reads files in parallel.
      const pages = list(prefix, options)[Symbol.asyncIterator]();
      const ahead: { info: ObjectInfo; response: Promise<DataResponse | undefined> }[] = [];
      let listed: ObjectInfo[] = [];
      let exhausted = false;
      const refill = async (): Promise<void> => {
        while (ahead.length <= s.scanAhead && !exhausted) {
          if (listed.length === 0) {
            const next = await pages.next();
            if (next.done) exhausted = true;
            else listed = [...next.value];
            continue;
          }
          const info = listed.shift()!;
          const response = client.download(scope('scan', info.key), pathOf(info.key), s.bufferSize ? { buffersize: s.bufferSize } : {}, options.signal)
            .catch((e: unknown) => { if (isNotFound(e)) return undefined; throw e; }); // deleted since it was listed
          response.catch(() => undefined); // awaited in turn below; not an unhandled rejection meanwhile
          ahead.push({ info, response });
        }
      };
      try {
        for (;;) {
          await refill();
          const next = ahead.shift();
          if (!next) return;
          const res = await next.response;
          if (res) yield { info: next.info, body: guarded(res.body, next.info.key, 'scan') };
        }
      } finally {
        // Stopped early (or failed): release the connections of the objects opened ahead.
        for (const { response } of ahead) response.then((res) => res?.destroy(), () => undefined);
        await pages.return?.();
      }
    },
    async append(key: string, body: Body, options: WriteOptions = {}) {
      checkKey(name, 'append', key);
      const size = body instanceof Uint8Array ? body.byteLength : options.size;
      await client.upload(scope('append', key), 'POST', pathOf(key), 'APPEND',
        s.bufferSize ? { buffersize: s.bufferSize } : {}, requestBody(body), size, options.signal);
    },
    async rename(from: string, to: string) {
      checkKey(name, 'rename', from);
      checkKey(name, 'rename', to);
      // RENAME with renameoptions uses rename2, which replaces an existing destination and reports failures as
      // exceptions (plain RENAME answers {"boolean": false}). It needs the destination's parent: when that is
      // missing ("rename destination parent ... not found"), create it and rename again.
      const rename2 = () => client.json(scope('rename', from), 'PUT', pathOf(from), 'RENAME', { destination: pathOf(to), renameoptions: 'OVERWRITE' });
      try {
        await rename2();
      } catch (e) {
        const parent = parentOf(to);
        if (!parent || !isNotFound(e) || !/destination parent/.test((e as Error).message)) throw e;
        await client.json(scope('rename', to), 'PUT', pathOf(parent), 'MKDIRS', s.permission ? { permission: s.permission } : {});
        await rename2();
      }
    },
    async deletePrefix(prefix: string) {
      checkPrefix(name, 'delete', prefix);
      const { dir, keyPrefix, namePrefix } = splitPrefix(prefix);
      let removed = 0;
      let entries: FileStatus[] = [];
      try {
        for await (const st of listDirectory(dir === '' ? rootPath() : pathOf(dir), 'delete')) entries.push(st);
      } catch (e) {
        if (isNotFound(e)) return 0;
        throw e;
      }
      entries = entries.filter((st) => st.pathSuffix !== '' && st.pathSuffix.startsWith(namePrefix));
      for (const st of entries) {
        const key = `${keyPrefix}${st.pathSuffix}`;
        // Count the objects first (the return value), then remove the whole subtree in one recursive DELETE.
        if (st.type === 'DIRECTORY') for await (const _ of walk(key, `${key}/`, '', 'delete')) removed++;
        else removed++;
        await client.json(scope('delete', key), 'DELETE', pathOf(key), 'DELETE', { recursive: true });
      }
      return removed;
    },
  };
}

/** Best effort: the Hadoop version and live DataNodes from the NameNode's JMX servlet (absent behind a gateway). */
async function readNameNodeInfo(host: string, tls: boolean, found: { version?: string; liveDataNodes?: number }): Promise<void> {
  try {
    const res = await fetch(`${tls ? 'https' : 'http'}://${host}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`, { signal: AbortSignal.timeout(3000) });
    const bean = ((await res.json()) as { beans: { SoftwareVersion?: string; LiveNodes?: string }[] }).beans[0];
    if (bean?.SoftwareVersion) found.version = bean.SoftwareVersion;
    if (bean?.LiveNodes) found.liveDataNodes = Object.keys(JSON.parse(bean.LiveNodes) as object).length;
  } catch { /* not a NameNode we can see: fine */ }
}
