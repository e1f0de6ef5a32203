/**
 * URL scheme → driver. Each line declares the driver's options (a small table, loaded at once: parsing a target
 * needs it to know which values are secrets) and loads the driver itself (and its SDK) only when a target uses it.
 * Adding a storage system is one folder under src/drivers/ and one line here.
 */
import { UsageError } from '../errors.js';
import { CASSANDRA_OPTIONS } from './cassandra/cassandra-options.js';
import { FILE_OPTIONS } from './file/file-options.js';
import { MEM_OPTIONS } from './mem/mem-options.js';
import { NFS_OPTIONS } from './nfs/nfs-options.js';
import { NULL_OPTIONS } from './null/null-options.js';
import type { OptionSpecs } from './options.js';
import { S3_OPTIONS } from './s3/s3-options.js';
import type { Driver, DriverContext, DriverFactory } from './types.js';
import { WEBHDFS_OPTIONS } from './webhdfs/webhdfs-options.js';

interface DriverEntry {
  /** Every option the driver accepts; any other is refused. */
  readonly options: OptionSpecs;
  readonly load: () => Promise<DriverFactory>;
}

const registry: Record<string, DriverEntry> = {
  mem: { options: MEM_OPTIONS, load: async () => (await import('./mem/mem-driver.js')).createMemDriver },
  null: { options: NULL_OPTIONS, load: async () => (await import('./null/null-driver.js')).createNullDriver },
  file: { options: FILE_OPTIONS, load: async () => (await import('./file/file-driver.js')).createFileDriver },
  nfs: { options: NFS_OPTIONS, load: async () => (await import('./nfs/nfs-driver.js')).createNfsDriver },
  cassandra: { options: CASSANDRA_OPTIONS, load: async () => (await import('./cassandra/cassandra-driver.js')).createCassandraDriver },
  webhdfs: { options: WEBHDFS_OPTIONS, load: async () => (await import('./webhdfs/webhdfs-driver.js')).createWebHdfsDriver },
  swebhdfs: { options: WEBHDFS_OPTIONS, load: async () => (await import('./webhdfs/webhdfs-driver.js')).createWebHdfsDriver },
  s3: { options: S3_OPTIONS, load: async () => (await import('./s3/s3-driver.js')).createS3Driver },
};

/** Schemes that have a driver. */
export function knownSchemes(): string[] {
  return Object.keys(registry).sort();
}

/** The options the driver of `scheme` declares, or undefined for a scheme without a driver. */
export function declaredOptions(scheme: string): OptionSpecs | undefined {
  return Object.hasOwn(registry, scheme) ? registry[scheme]!.options : undefined;
}

/** Create (but do not open) the driver for `context.target`. */
export async function createDriver(context: DriverContext): Promise<Driver> {
  const entry = Object.hasOwn(registry, context.target.scheme) ? registry[context.target.scheme] : undefined;
  if (!entry) {
    throw new UsageError(
      `target: unknown scheme "${context.target.scheme}://" (known: ${knownSchemes().map((s) => `${s}://`).join(', ')})`,
      'STORBENCH_ERR_UNKNOWN_SCHEME',
    );
  }
  return (await entry.load())(context);
}
