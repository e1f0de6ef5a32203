/**
 * `kv:///dir`: the README's walkthrough, followed line by line. Each object is one JSON file in `dir`, named by its
 * key (URL-encoded, so `a` and `a/b` are two files side by side), written to a temporary name and renamed into place.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import { defineDriver } from '../../src/drivers/kernel/define-driver.js';
import { paginate } from '../../src/drivers/kernel/mechanics.js';
import { clampRange, collect } from '../../src/drivers/keys.js';
import { type ObjectInfo, StorageError } from '../../src/drivers/types.js';
import { UsageError } from '../../src/errors.js';
import { kvError } from './kv-errors.js';
import { KV_OPTIONS } from './kv-options.js';

interface Stored {
  readonly key: string;
  readonly modified: number;
  readonly data: string;
}

export const kvDriver = defineDriver({
  name: 'kv',
  options: KV_OPTIONS,
  capabilities: defineCapabilities({ unknownLengthWrite: true, maxObjectSize: 64 * 1024 * 1024 }),
  mapError: kvError,
  async connect({ target, options }) {
    const dir = target.path;
    if (!dir) throw new UsageError('target kv://: give the store directory, as kv:///path/to/dir');
    await mkdir(dir, { recursive: true });
    const expected = await readFile(`${dir}/.kv-token`, 'utf8').catch(() => undefined);
    if (expected !== undefined && expected.trim() !== options.token) {
      throw new StorageError('PermissionDenied', 'kv', 'open', "the token does not match the store's .kv-token", { code: 'EKVTOKEN' });
    }
    const file = (key: string) => `${dir}/${encodeURIComponent(key)}.json`;
    const load = async (key: string): Promise<Stored> => JSON.parse(await readFile(file(key), 'utf8')) as Stored;
    const info = (r: Stored): ObjectInfo => ({ key: r.key, size: Buffer.byteLength(r.data, 'base64'), modified: r.modified });
    async function* under(prefix: string): AsyncIterable<ObjectInfo> {
      const keys = (await readdir(dir)).filter((n) => n.endsWith('.json')).map((n) => decodeURIComponent(n.slice(0, -5)));
      for (const key of keys.filter((k) => k.startsWith(prefix)).sort()) {
        const r = await load(key).catch((e: unknown) => ((e as { code?: unknown }).code === 'ENOENT' ? undefined : Promise.reject(e)));
        if (r) yield info(r); // gone since readdir: not listed
      }
    }
    return {
      system: () => `directory of JSON files at ${dir}`,
      semantics: () => ({ writeDurability: 'page cache, renamed into place', readAfterWrite: 'strong', listConsistency: 'readdir, sorted' }),
      environment: () => ({ pretty: options.pretty }),
      async write(key, body) {
        const record: Stored = { key, modified: Date.now(), data: (await collect(body)).toString('base64') };
        const tmp = `${dir}/.tmp-${randomBytes(6).toString('hex')}`;
        await writeFile(tmp, JSON.stringify(record, null, options.pretty ? 2 : undefined));
        await rename(tmp, file(key));
      },
      async read(key, { offset, length } = {}) {
        const data = Buffer.from((await load(key)).data, 'base64');
        const { start, end } = clampRange(data.length, offset, length);
        return {
          size: end - start,
          body: (async function* () {
            if (end > start) yield data.subarray(start, end);
          })(),
        };
      },
      stat: async (key) => info(await load(key)),
      delete: (key) =>
        unlink(file(key)).catch((e: unknown) => {
          if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
        }),
      list: (prefix, { pageSize } = {}) => paginate(under(prefix), pageSize ?? 1000),
      async close() {},
    };
  },
});
