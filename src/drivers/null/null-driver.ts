/**
 * `null://` (or `null://?readSize=4KiB`): accepts every write and stores nothing; reads return
 * `readSize` zero bytes. It measures the harness itself: the ceiling every report shows next to real systems.
 * It validates no keys: with nothing stored there is no root to escape, and a key check (a scan of a freshly
 * built string, 60-130 ns) is a storing driver's cost, which the ceiling must not include. The runner only
 * generates valid keys; `check --target null://` skips the escaping-keys behavior (it needs `persistent`).
 */
import { defineCapabilities } from '../kernel/capabilities.js';
import { type DriverCore, defineDriver } from '../kernel/define-driver.js';
import type { Body, ObjectInfo, ReadResult, ScanEntry } from '../types.js';
import { NULL_OPTIONS } from './null-options.js';

export const nullDriver = defineDriver({
  name: 'null',
  options: NULL_OPTIONS,
  capabilities: defineCapabilities({ append: true, rename: true, unknownLengthWrite: true, persistent: false, positionalWrite: true }),
  uncheckedKeys: true,
  connect: async ({ options }) => connectNull(options.readSize),
});

function connectNull(readSize: number): DriverCore {
  const zeros = new Uint8Array(Math.min(readSize, 1024 * 1024));

  async function* zeroBody(length: number): AsyncIterable<Uint8Array> {
    for (let left = length; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
  }

  const done = Promise.resolve();
  async function drainStream(body: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const _ of body); // a real driver consumes the stream; so does the ceiling
  }
  // Not `async`: an in-memory body completes with one shared resolved promise instead of a new one per call.
  function drain(_key: string, body: Body): Promise<void> {
    return body instanceof Uint8Array ? done : drainStream(body);
  }

  return {
    async close() {},
    system: () => 'null (harness ceiling)',
    semantics: () => ({
      writeDurability: 'none: writes are discarded',
      readAfterWrite: `none: reads return ${readSize} zero bytes`,
      listConsistency: 'always empty',
    }),
    environment: () => ({ readSize }),
    write: drain,
    append: drain,
    writeAt: (key, _offset, body) => drain(key, body),
    async rename() {},
    async read(_key, options = {}): Promise<ReadResult> {
      const length = Math.max(0, Math.min(options.length ?? readSize, readSize - (options.offset ?? 0)));
      return { size: length, body: zeroBody(length) };
    },
    stat: (key): Promise<ObjectInfo> => Promise.resolve({ key, size: readSize }),
    delete: () => Promise.resolve(),
    async *list() {},
    async *scan(): AsyncIterable<ScanEntry> {},
    deletePrefix: () => Promise.resolve(0),
  };
}
