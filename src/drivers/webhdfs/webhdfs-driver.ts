/**
 * `webhdfs://nn1:9870[,nn2:9870]/root?user=NAME` (and `swebhdfs://` over TLS): HDFS through its REST API.
 * Keys are paths under the root; a "directory" appears wherever keys share a prefix up to a `/`, and `list`
 * walks directories recursively so that the key space behaves flat, like S3's. See README.md for the options.
 * The two schemes share this code and differ in their name (in errors and records) and in TLS.
 */
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { UsageError } from '../../errors.js';
import { defineCapabilities } from '../kernel/capabilities.js';
import { type ConnectContext, type DriverCore, defineDriver } from '../kernel/define-driver.js';
import { forEachLimited, paginate, splitPrefix } from '../kernel/mechanics.js';
import {
  type Body,
  type Environment,
  type ListOptions,
  type ObjectInfo,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../types.js';
import { type DataResponse, WebHdfsClient } from './webhdfs-client.js';
import { isNotFound, WebHdfsError, webhdfsErrorMapper } from './webhdfs-errors.js';
import { WEBHDFS_OPTIONS } from './webhdfs-options.js';

/** An HDFS file has one writer and only grows at its end; a file cannot hold children (`a` and `a/b`). */
const CAPABILITIES = defineCapabilities({ append: true, rename: true, unknownLengthWrite: true, keyAndPrefixCoexist: false });

type WebHdfsOptions = z.output<typeof WEBHDFS_OPTIONS>;

/** The definition of `scheme`: `webhdfs` (HTTP) or `swebhdfs` (TLS), the same driver under two names. */
export function webhdfsDefinition(scheme: 'webhdfs' | 'swebhdfs') {
  return defineDriver({
    name: scheme,
    options: WEBHDFS_OPTIONS,
    capabilities: CAPABILITIES,
    mapError: webhdfsErrorMapper(scheme),
    connect: (context) => connectWebHdfs(scheme, context),
  });
}

export const webhdfsDriver = webhdfsDefinition('webhdfs');
export const swebhdfsDriver = webhdfsDefinition('swebhdfs');

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

/** What the server says when the URL does not, found at connect. */
interface Found {
  replication?: number;
  blockSize?: number;
  version?: string;
  liveDataNodes?: number;
}

async function connectWebHdfs(name: 'webhdfs' | 'swebhdfs', context: ConnectContext<WebHdfsOptions>): Promise<DriverCore> {
  const { target, options: o } = context;
  if (target.hosts.length === 0) throw new UsageError(`target ${target.redacted}: no NameNode host:port`);
  const tls = name === 'swebhdfs';
  const root = target.path;
  // Simple authentication sends the user name; with a delegation token the token names the user.
  const user = o.delegationToken ? undefined : o.user || target.username || userInfo().username;
  const gateway = o.gateway === 'httpfs';
  const syncBlock = o.syncBlock ?? context.durable;
  // A scan keeps scanAhead + 1 objects open at once: the pools must allow that many connections.
  const connections = Math.max(1, context.concurrency, o.scanAhead + 1);
  const client = new WebHdfsClient({
    hosts: target.hosts,
    tls,
    insecure: o.insecure,
    connections,
    auth: o.delegationToken ? { delegation: o.delegationToken } : { 'user.name': user! },
    noredirect: o.noredirect,
    gateway,
    timeoutMs: o.timeoutMs,
  });

  const pathOf = (key: string): string => `${root}/${key}`;
  const rootPath = (): string => root || '/';
  const folderPath = (folder: string): string => (folder === '' ? rootPath() : pathOf(folder));
  const permission = o.permission ? { permission: o.permission } : {};
  const empty = (): ReadResult => ({ size: 0, body: (async function* () {})() });

  const found = await lookAround(client, rootPath(), permission, gateway, tls).catch(async (e: unknown) => {
    await client.close();
    throw e;
  });

  /** Cleared when the server rejects LISTSTATUS_BATCH (HttpFS before 2.8, old NameNodes). */
  let batchListing = true;

  /** The parent directory of a key, or undefined for a key directly under the root. */
  const parentOf = (key: string): string | undefined => {
    const slash = key.lastIndexOf('/');
    return slash > 0 ? key.slice(0, slash) : undefined;
  };

  /** Every entry of one directory, page by page; LISTSTATUS_BATCH keeps each answer bounded (dfs.ls.limit). */
  async function* listDirectory(path: string, signal?: AbortSignal): AsyncGenerator<FileStatus> {
    if (batchListing) {
      let startAfter: string | undefined;
      for (let page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
        let answer: DirectoryListing;
        try {
          answer = await client.json<DirectoryListing>('GET', path, 'LISTSTATUS_BATCH', { startAfter }, signal);
        } catch (e) {
          // A server without the op: "Invalid value for webhdfs parameter op" (IllegalArgumentException, the first
          // page has no other parameter that could be invalid) or UnsupportedOperationException.
          if (page === 0 && e instanceof WebHdfsError && (e.code === 'IllegalArgumentException' || e.code === 'UnsupportedOperationException')) {
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
    const all = await client.json<{ FileStatuses: { FileStatus: FileStatus[] } }>('GET', path, 'LISTSTATUS', {}, signal);
    yield* all.FileStatuses.FileStatus;
  }

  /**
   * Objects (files) under `folder` whose name starts with `leaf`, directories walked depth first.
   * A directory removed while walking, or missing, yields nothing.
   */
  async function* walk(folder: string, leaf: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
    const keyPrefix = folder === '' ? '' : `${folder}/`;
    try {
      for await (const st of listDirectory(folderPath(folder), signal)) {
        // LISTSTATUS of a file answers the file itself (empty pathSuffix): nothing lies *under* a file.
        if (st.pathSuffix === '' || !st.pathSuffix.startsWith(leaf)) continue;
        const key = `${keyPrefix}${st.pathSuffix}`;
        if (st.type === 'DIRECTORY') yield* walk(key, '', signal);
        else yield { key, size: st.length, modified: st.modificationTime };
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** A Body as undici sends it: bytes as they are, an async iterable as a Readable (backpressure, no buffering). */
  function requestBody(body: Body): Uint8Array | Readable {
    return body instanceof Uint8Array ? body : Readable.from(body, { objectMode: false });
  }

  function create(key: string, body: Body, size: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return client.upload(
      'PUT',
      pathOf(key),
      'CREATE',
      {
        // createflag replaces overwrite= on the DataNode; it is how SYNC_BLOCK (fsync on block close) is asked for.
        ...(syncBlock ? { createflag: o.overwrite ? 'CREATE,OVERWRITE,SYNC_BLOCK' : 'CREATE,SYNC_BLOCK' } : { overwrite: o.overwrite }),
        ...(o.replication ? { replication: o.replication } : {}),
        ...(o.blockSize ? { blocksize: o.blockSize } : {}),
        ...(o.bufferSize ? { buffersize: o.bufferSize } : {}),
        ...permission,
      },
      requestBody(body),
      size,
      signal,
    );
  }

  async function stat(key: string): Promise<ObjectInfo> {
    const { FileStatus: st } = await client.json<{ FileStatus: FileStatus }>('GET', pathOf(key), 'GETFILESTATUS');
    if (st.type === 'DIRECTORY') throw new StorageError('NotFound', name, 'stat', 'a directory (keys share this prefix), not an object', { key });
    return { key, size: st.length, modified: st.modificationTime };
  }

  function list(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    const { folder, leaf } = splitPrefix(prefix);
    return paginate(walk(folder, leaf, options.signal), options.pageSize ?? 1000);
  }

  return {
    async close() {
      await client.close();
    },
    system: () => (gateway ? 'HDFS (HttpFS gateway)' : 'HDFS'),
    semantics(): Semantics {
      const replication = o.replication ?? found.replication;
      return {
        writeDurability:
          `a completed CREATE has closed the file: every packet acknowledged by the whole pipeline of ` +
          `${replication ?? 'dfs.replication'} DataNodes (in their page cache${syncBlock ? ', and fsynced on block close (SYNC_BLOCK)' : '; no fsync'})`,
        readAfterWrite: 'strong: one NameNode namespace, a closed file is visible at once',
        listConsistency:
          'strong; recursive walk of directories with LISTSTATUS_BATCH pages, directory order (not global key order); directories are not objects',
        ...(replication !== undefined ? { replication } : {}),
        blockSize: o.blockSize ?? found.blockSize ?? 'server default',
        dataPath: gateway
          ? 'HttpFS gateway (no DataNode redirect)'
          : o.noredirect
            ? 'NameNode noredirect=true, then DataNode'
            : 'NameNode 307 redirect, then DataNode',
        syncBlock,
      };
    },
    environment(): Environment {
      return {
        namenodes: target.hosts.join(','),
        activeNameNode: client.activeHost,
        user: o.delegationToken ? '(delegation token)' : user!,
        connectionsPerHost: connections,
        ...(found.version ? { hadoopVersion: found.version } : {}),
        ...(found.liveDataNodes !== undefined ? { liveDataNodes: found.liveDataNodes } : {}),
      };
    },
    /** NameNode failovers so far: a refused connection or a StandbyException moved the client to the next NameNode. */
    counters: () => ({ failovers: client.failovers }),

    async write(key: string, body: Body, options: WriteOptions = {}) {
      const size = body instanceof Uint8Array ? body.byteLength : options.size;
      try {
        await create(key, body, size, options.signal);
      } catch (e) {
        // HDFS shows a file under construction: an aborted CREATE (cancelled, past opTimeout) would leave what reached
        // the DataNode visible as a shorter object. It is removed, so an aborted write leaves no part of itself.
        if (options.signal?.aborted) await client.json('DELETE', pathOf(key), 'DELETE', { recursive: false }).catch(() => undefined);
        throw e;
      }
    },
    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const offset = options.offset ?? 0;
      if (options.length === 0) {
        await stat(key);
        return empty();
      }
      try {
        const res = await client.download(
          pathOf(key),
          {
            ...(offset > 0 ? { offset } : {}),
            ...(options.length !== undefined ? { length: options.length } : {}),
            ...(o.bufferSize ? { buffersize: o.bufferSize } : {}),
          },
          options.signal,
          options.reuseChunks === true,
        );
        return { ...(res.size !== undefined ? { size: res.size } : {}), body: res.body };
      } catch (e) {
        // A range starting at or past the end is empty, not an error. The DataNode refuses it with a plain
        // IOException ("Offset=N out of the range [0, size)", HTTP 403): the file's size tells that case apart.
        if (offset > 0 && e instanceof WebHdfsError && e.code === 'IOException' && offset >= (await stat(key)).size) return empty();
        throw e;
      }
    },
    stat,
    async delete(key: string) {
      try {
        // {"boolean": false} for a missing path: deleting a missing key succeeds.
        await client.json('DELETE', pathOf(key), 'DELETE', { recursive: false });
      } catch (e) {
        // A non-empty directory is where other keys live, not an object: there is nothing to delete at this key.
        if (e instanceof WebHdfsError && e.code === 'PathIsNotEmptyDirectoryException') return;
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
        while (ahead.length <= o.scanAhead && !exhausted) {
          if (listed.length === 0) {
            const next = await pages.next();
            if (next.done) exhausted = true;
            else listed = [...next.value];
            continue;
          }
          const info = listed.shift()!;
          const response = client.download(pathOf(info.key), o.bufferSize ? { buffersize: o.bufferSize } : {}, options.signal).catch((e: unknown) => {
            if (isNotFound(e)) return undefined;
            throw e;
          }); // deleted since it was listed
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
          if (res) yield { info: next.info, body: res.body };
        }
      } finally {
        // Stopped early (or failed): release the connections of the objects opened ahead.
        for (const { response } of ahead)
          response.then(
            (res) => res?.destroy(),
            () => undefined,
          );
        await pages.return?.();
      }
    },
    async append(key: string, body: Body, options: WriteOptions = {}) {
      const size = body instanceof Uint8Array ? body.byteLength : options.size;
      await client.upload('POST', pathOf(key), 'APPEND', o.bufferSize ? { buffersize: o.bufferSize } : {}, requestBody(body), size, options.signal);
    },
    async rename(from: string, to: string) {
      // RENAME with renameoptions uses rename2, which replaces an existing destination and reports failures as
      // exceptions (plain RENAME answers {"boolean": false}). It needs the destination's parent: a
      // FileNotFoundException while the source exists means that parent is missing; create it and rename again.
      const rename2 = () => client.json('PUT', pathOf(from), 'RENAME', { destination: pathOf(to), renameoptions: 'OVERWRITE' });
      try {
        await rename2();
      } catch (e) {
        const parent = parentOf(to);
        if (!parent || !isNotFound(e) || !(await exists(from))) throw e;
        await client.json('PUT', pathOf(parent), 'MKDIRS', permission);
        await rename2();
      }
    },
    async deletePrefix(prefix: string) {
      const { folder, leaf } = splitPrefix(prefix);
      const keyPrefix = folder === '' ? '' : `${folder}/`;
      const entries: FileStatus[] = [];
      try {
        for await (const st of listDirectory(folderPath(folder))) {
          if (st.pathSuffix !== '' && st.pathSuffix.startsWith(leaf)) entries.push(st);
        }
      } catch (e) {
        if (isNotFound(e)) return 0;
        throw e;
      }
      let removed = 0;
      await forEachLimited(entries, connections, async (st) => {
        const key = `${keyPrefix}${st.pathSuffix}`;
        // Count the objects first (the return value), then remove the whole subtree in one recursive DELETE.
        if (st.type === 'DIRECTORY') for await (const _ of walk(key, '')) removed++;
        else removed++;
        await client.json('DELETE', pathOf(key), 'DELETE', { recursive: true });
      });
      return removed;
    },
  };

  /** The key is a file or a directory (GETFILESTATUS answers). */
  async function exists(key: string): Promise<boolean> {
    try {
      await client.json('GET', pathOf(key), 'GETFILESTATUS');
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

/**
 * Create the root (LISTSTATUS of an empty run needs it; MKDIRS is idempotent), then read the replication and block
 * size (GETSERVERDEFAULTS) and, from a NameNode, its version and live DataNodes.
 */
async function lookAround(client: WebHdfsClient, rootPath: string, permission: { permission?: string }, gateway: boolean, tls: boolean): Promise<Found> {
  await client.json('PUT', rootPath, 'MKDIRS', permission);
  const found: Found = {};
  try {
    const d = await client.json<{ FsServerDefaults: { replication: number; blockSize: number } }>('GET', '/', 'GETSERVERDEFAULTS');
    found.replication = d.FsServerDefaults.replication;
    found.blockSize = d.FsServerDefaults.blockSize;
  } catch {
    /* HttpFS and NameNodes before 3.0 lack GETSERVERDEFAULTS: the semantics then say "server default" */
  }
  if (!gateway) await readNameNodeInfo(client.activeHost, tls, found);
  return found;
}

/** Best effort: the Hadoop version and live DataNodes from the NameNode's JMX servlet (absent behind a gateway). */
async function readNameNodeInfo(host: string, tls: boolean, found: Found): Promise<void> {
  try {
    const res = await fetch(`${tls ? 'https' : 'http'}://${host}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`, { signal: AbortSignal.timeout(3000) });
    const bean = ((await res.json()) as { beans: { SoftwareVersion?: string; LiveNodes?: string }[] }).beans[0];
    if (bean?.SoftwareVersion) found.version = bean.SoftwareVersion;
    if (bean?.LiveNodes) found.liveDataNodes = Object.keys(JSON.parse(bean.LiveNodes) as object).length;
  } catch {
    /* not a NameNode we can see: fine */
  }
}
