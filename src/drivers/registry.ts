/**
 * URL scheme → driver factory. Each line loads its driver (and its SDK) only when a target uses it.
 * Adding a storage system is one folder under src/drivers/ and one line here.
 */
import { UsageError } from '../errors.js';
import type { Driver, DriverContext, DriverFactory } from './types.js';

const registry: Record<string, () => Promise<DriverFactory>> = {
  mem: async () => (await import('./mem/mem-driver.js')).createMemDriver,
  null: async () => (await import('./null/null-driver.js')).createNullDriver,
  file: async () => (await import('./file/file-driver.js')).createFileDriver,
  nfs: async () => (await import('./nfs/nfs-driver.js')).createNfsDriver,
  cassandra: async () => (await import('./cassandra/cassandra-driver.js')).createCassandraDriver,
  webhdfs: async () => (await import('./webhdfs/webhdfs-driver.js')).createWebHdfsDriver,
  swebhdfs: async () => (await import('./webhdfs/webhdfs-driver.js')).createWebHdfsDriver,
  s3: async () => (await import('./s3/s3-driver.js')).createS3Driver,
};

/** Schemes that have a driver. */
export function knownSchemes(): string[] {
  return Object.keys(registry).sort();
}

/** Create (but do not open) the driver for `context.target`. */
export async function createDriver(context: DriverContext): Promise<Driver> {
  const load = registry[context.target.scheme];
  if (!load) {
    throw new UsageError(
      `target: unknown scheme "${context.target.scheme}://" (known: ${knownSchemes().map((s) => `${s}://`).join(', ')})`,
      'STORBENCH_ERR_UNKNOWN_SCHEME',
    );
  }
  return (await load())(context);
}
