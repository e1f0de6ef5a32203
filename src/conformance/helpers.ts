/**
 * Helpers the conformance behaviors use, exported once: driver tests import them through test/support/drivers.ts.
 */
import assert from 'node:assert/strict';
import { collect } from '../drivers/keys.js';
import { type Driver, type ErrorKind, isStorageError, type ObjectInfo, type StorageError } from '../drivers/types.js';

/** The whole content of `key` (or of a range of it). */
export async function readAll(driver: Driver, key: string, offset?: number, length?: number): Promise<Buffer> {
  const r = await driver.read(key, { ...(offset !== undefined ? { offset } : {}), ...(length !== undefined ? { length } : {}) });
  return collect(r.body);
}

/** Every object listed under `prefix`, pages joined. */
export async function listAll(driver: Driver, prefix: string, pageSize?: number): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const page of driver.list(prefix, pageSize ? { pageSize } : {})) all.push(...page);
  return all;
}

/** The keys listed under `prefix`, sorted. */
export async function listKeys(driver: Driver, prefix: string): Promise<string[]> {
  return (await listAll(driver, prefix)).map((o) => o.key).sort();
}

/** Assert that `fn` fails with a StorageError of `kind`; returns it for more checks. */
export async function expectKind(kind: ErrorKind, fn: () => Promise<unknown>): Promise<StorageError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(isStorageError(e), `expected a StorageError ${kind}, got ${String(e)}`);
    assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a StorageError ${kind}, but the call succeeded`);
}
