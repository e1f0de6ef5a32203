/**
 * `mem://name`: objects in this process's memory. The reference implementation of the driver contract:
 * the conformance suite must pass here first. Drivers of the same name in one process share their store,
 * so a run and a later run (or `check`) see the same data.
 */
import { defineCapabilities } from '../kernel/capabilities.js';
import { type DriverCore, defineDriver } from '../kernel/define-driver.js';
import { paginate } from '../kernel/mechanics.js';
import { clampRange, collect } from '../keys.js';
import { type Body, type ListOptions, type ObjectInfo, type ReadOptions, type ReadResult, type ScanEntry, type Semantics, StorageError } from '../types.js';
import { MEM_OPTIONS } from './mem-options.js';

interface Stored {
  data: Buffer;
  modified: number;
  /** Room for positional writes to grow into: `data` is its start (capacity doubles, so filling is linear). */
  room?: Buffer;
}

const stores = new Map<string, Map<string, Stored>>();

/** Reads are copied out in chunks of this size; at most MAX_SPARES chunk buffers wait for reuse. */
const READ_CHUNK = 1 << 20;
const MAX_SPARES = 64;

const CAPABILITIES = defineCapabilities({
  append: true,
  rename: true,
  unknownLengthWrite: true,
  maxObjectSize: 2 ** 31 - 1,
  positionalWrite: true,
});

export const memDriver = defineDriver({
  name: 'mem',
  options: MEM_OPTIONS,
  capabilities: CAPABILITIES,
  processLocal: true,
  connect: async ({ target }) => connectMem([...target.hosts, target.path].join('') || 'default'),
});

function connectMem(storeName: string): DriverCore {
  let objects = stores.get(storeName);
  if (!objects) stores.set(storeName, (objects = new Map()));
  const store = objects;
  const name = 'mem';

  function get(key: string, op: 'read' | 'stat' | 'append' | 'rename'): Stored {
    const o = store.get(key);
    if (!o) throw new StorageError('NotFound', name, op, 'no such object', { key });
    return o;
  }
  function info(key: string, o: Stored): ObjectInfo {
    return { key, size: o.data.length, modified: o.modified };
  }
  function sortedUnder(prefix: string): string[] {
    return [...store.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  /** The objects of `keys` still stored (a listing may race a delete). */
  function* present(keys: readonly string[]): Iterable<ObjectInfo> {
    for (const k of keys) {
      const o = store.get(k);
      if (o) yield info(k, o);
    }
  }
  /** Chunk buffers of finished reads that let the next ones reuse them (ReadOptions.reuseChunks). */
  const spares: Buffer[] = [];
  /**
   * A read's body: the stored bytes copied out in 1 MiB chunks, as real storage copies them (socket, page
   * cache, NVMe); with `reuse` (the caller drops each chunk before asking for the next) into one buffer,
   * as the file:// driver reads. Handing out a view of the stored buffer moved nothing: get-large then
   * "read" 3,060,748 MiB/s.
   */
  async function* copied(data: Buffer, reuse = false): AsyncIterable<Uint8Array> {
    if (data.length === 0) return;
    const spare = reuse ? (spares.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK)) : undefined;
    try {
      for (let at = 0; at < data.length; at += READ_CHUNK) {
        const part = data.subarray(at, at + READ_CHUNK);
        const out = spare ? spare.subarray(0, part.length) : Buffer.allocUnsafe(part.length);
        part.copy(out);
        yield out;
      }
    } finally {
      if (spare && spares.length < MAX_SPARES) spares.push(spare);
    }
  }

  return {
    async close() {},
    system: () => 'memory',
    semantics: (): Semantics => ({
      writeDurability: 'none: process memory, lost at exit',
      readAfterWrite: 'strong',
      listConsistency: 'strong, sorted by key',
    }),
    environment: () => ({ store: storeName }),

    async write(key: string, body: Body) {
      store.set(key, { data: Buffer.from(await collect(body)), modified: Date.now() });
    },
    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const { data } = get(key, 'read');
      const { start, end } = clampRange(data.length, options.offset, options.length);
      return { size: end - start, body: copied(data.subarray(start, end), options.reuseChunks === true) };
    },
    async stat(key: string) {
      return info(key, get(key, 'stat'));
    },
    async delete(key: string) {
      store.delete(key);
    },
    list(prefix: string, options: ListOptions = {}) {
      return paginate(present(sortedUnder(prefix)), options.pageSize ?? 1000);
    },
    async *scan(prefix: string): AsyncIterable<ScanEntry> {
      for (const k of sortedUnder(prefix)) {
        const o = store.get(k);
        if (o) yield { info: info(k, o), body: copied(o.data) };
      }
    },
    async writeAt(key: string, offset: number, body: Body) {
      const data = await collect(body);
      const end = offset + data.length;
      if (end > CAPABILITIES.maxObjectSize) {
        throw new StorageError('InvalidInput', name, 'write', `would grow the object past ${CAPABILITIES.maxObjectSize} bytes`, { key });
      }
      // Looked up after the body arrived: concurrent writers of other ranges may have grown it meanwhile.
      let o = store.get(key);
      if (!o) store.set(key, (o = { data: Buffer.alloc(0), modified: 0 }));
      if (end > o.data.length && data.length > 0) {
        // as pwrite(2): writing nothing extends nothing
        const room = o.room;
        if (room && room.buffer === o.data.buffer && room.byteOffset === o.data.byteOffset && room.length >= end) {
          o.data = room.subarray(0, end);
        } else {
          o.room = Buffer.alloc(Math.min(Math.max(end, 2 * o.data.length), CAPABILITIES.maxObjectSize));
          o.data.copy(o.room);
          o.data = o.room.subarray(0, end);
        }
      }
      data.copy(o.data, offset);
      o.modified = Date.now();
    },
    async append(key: string, body: Body) {
      const o = get(key, 'append');
      o.data = Buffer.concat([o.data, await collect(body)]);
      o.modified = Date.now();
    },
    async rename(from: string, to: string) {
      const o = get(from, 'rename');
      store.set(to, o);
      store.delete(from);
    },
    async deletePrefix(prefix: string) {
      const keys = sortedUnder(prefix);
      for (const k of keys) store.delete(k);
      return keys.length;
    },
  };
}
