/**
 * `mem://name`: objects in this process's memory. The reference implementation of the driver contract:
 * the conformance suite must pass here first. Drivers of the same name in one process share their store,
 * so a run and a later run (or `check`) see the same data.
 */
import { checkKey, checkOffset, checkPrefix, clampRange, collect } from '../keys.js';
import {
  StorageError, type Body, type Capabilities, type Driver, type DriverContext, type ListOptions,
  type ObjectInfo, type ReadOptions, type ReadResult, type ScanEntry, type Semantics,
} from '../types.js';

interface Stored {
  data: Buffer;
  modified: number;
  /** Room for positional writes to grow into: `data` is its start (capacity doubles, so filling is linear). */
  room?: Buffer;
}

const stores = new Map<string, Map<string, Stored>>();

const CAPABILITIES: Capabilities = {
  rangeRead: true, append: true, rename: true, list: true, scan: true,
  unknownLengthWrite: true, multipart: false, maxObjectSize: 2 ** 31 - 1, persistent: true, positionalWrite: true,
};

export function createMemDriver(context: DriverContext): Driver {
  const storeName = [...context.target.hosts, context.target.path].join('') || 'default';
  let objects = stores.get(storeName);
  if (!objects) stores.set(storeName, (objects = new Map()));
  const store = objects;
  const name = 'mem';

  function get(key: string, op: 'read' | 'stat' | 'append' | 'rename'): Stored {
    const o = store.get(checkKey(name, op, key));
    if (!o) throw new StorageError('NotFound', name, op, 'no such object', { key });
    return o;
  }
  function info(key: string, o: Stored): ObjectInfo {
    return { key, size: o.data.length, modified: o.modified };
  }
  function sortedUnder(prefix: string): string[] {
    return [...store.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async function* once(data: Buffer): AsyncIterable<Uint8Array> {
    if (data.length > 0) yield data;
  }

  return {
    name,
    capabilities: CAPABILITIES,
    processLocal: true,
    async open() {},
    async close() {},
    system: () => 'memory',
    semantics: (): Semantics => ({
      writeDurability: 'none: process memory, lost at exit',
      readAfterWrite: 'strong',
      listConsistency: 'strong, sorted by key',
    }),
    environment: () => ({ store: storeName }),

    async write(key: string, body: Body) {
      checkKey(name, 'write', key);
      store.set(key, { data: Buffer.from(await collect(body)), modified: Date.now() });
    },
    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const { data } = get(key, 'read');
      const { start, end } = clampRange(data.length, options.offset, options.length);
      return { size: end - start, body: once(data.subarray(start, end)) };
    },
    async stat(key: string) {
      return info(key, get(key, 'stat'));
    },
    async delete(key: string) {
      store.delete(checkKey(name, 'delete', key));
    },
    async *list(prefix: string, options: ListOptions = {}) {
      checkPrefix(name, 'list', prefix);
      const keys = sortedUnder(prefix);
      const pageSize = options.pageSize ?? 1000;
      for (let i = 0; i < keys.length; i += pageSize) {
        const page: ObjectInfo[] = [];
        for (const k of keys.slice(i, i + pageSize)) {
          const o = store.get(k);
          if (o) page.push(info(k, o));
        }
        yield page;
      }
    },
    async *scan(prefix: string): AsyncIterable<ScanEntry> {
      checkPrefix(name, 'scan', prefix);
      for (const k of sortedUnder(prefix)) {
        const o = store.get(k);
        if (o) yield { info: info(k, o), body: once(o.data) };
      }
    },
    async writeAt(key: string, offset: number, body: Body) {
      checkKey(name, 'write', key);
      checkOffset(name, key, offset);
      const data = await collect(body);
      const end = offset + data.length;
      if (end > CAPABILITIES.maxObjectSize) {
        throw new StorageError('InvalidInput', name, 'write', `would grow the object past ${CAPABILITIES.maxObjectSize} bytes`, { key });
      }
      // Looked up after the body arrived: concurrent writers of other ranges may have grown it meanwhile.
      let o = store.get(key);
      if (!o) store.set(key, (o = { data: Buffer.alloc(0), modified: 0 }));
      if (end > o.data.length && data.length > 0) { // as pwrite(2): writing nothing extends nothing
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
      checkKey(name, 'rename', to);
      store.set(to, o);
      store.delete(from);
    },
    async deletePrefix(prefix: string) {
      checkPrefix(name, 'delete', prefix);
      const keys = sortedUnder(prefix);
      for (const k of keys) store.delete(k);
      return keys.length;
    },
  };
}
