/**
 * URL scheme → driver. Each line names the driver's options schema (small, loaded at once: parsing a target needs
 * it to validate the options and to know which values are secrets) and loads the driver itself (and its SDK) only
 * when a target uses it. Adding a storage system is one folder under src/drivers/ and one line here.
 */
import { UsageError } from '../errors.js';
import { layerStack } from '../layers/layer-stack.js';
import { CASSANDRA_OPTIONS } from './cassandra/cassandra-options.js';
import { FILE_OPTIONS } from './file/file-options.js';
import type { AnyDriverDefinition } from './kernel/define-driver.js';
import { describeOptions, type OptionsSchema } from './kernel/options.js';
import { MEM_OPTIONS } from './mem/mem-options.js';
import { NFS_OPTIONS } from './nfs/nfs-options.js';
import { NULL_OPTIONS } from './null/null-options.js';
import { S3_OPTIONS } from './s3/s3-options.js';
import type { Driver, DriverContext } from './types.js';
import { WEBHDFS_OPTIONS } from './webhdfs/webhdfs-options.js';

export interface DriverEntry {
  /** Every option the driver accepts; any other is refused. */
  readonly options: OptionsSchema;
  readonly load: () => Promise<AnyDriverDefinition>;
}

const registry: Record<string, DriverEntry> = {
  mem: { options: MEM_OPTIONS, load: async () => (await import('./mem/mem-driver.js')).memDriver },
  null: { options: NULL_OPTIONS, load: async () => (await import('./null/null-driver.js')).nullDriver },
  file: { options: FILE_OPTIONS, load: async () => (await import('./file/file-driver.js')).fileDriver },
  nfs: { options: NFS_OPTIONS, load: async () => (await import('./nfs/nfs-driver.js')).nfsDriver },
  cassandra: { options: CASSANDRA_OPTIONS, load: async () => (await import('./cassandra/cassandra-driver.js')).cassandraDriver },
  webhdfs: { options: WEBHDFS_OPTIONS, load: async () => (await import('./webhdfs/webhdfs-driver.js')).webhdfsDriver },
  swebhdfs: { options: WEBHDFS_OPTIONS, load: async () => (await import('./webhdfs/webhdfs-driver.js')).swebhdfsDriver },
  s3: { options: S3_OPTIONS, load: async () => (await import('./s3/s3-driver.js')).s3Driver },
};

/**
 * Add a driver for `scheme` outside this file (a test's example driver, a plugin): the same entry as a line above.
 * @throws Error when the scheme already has a driver (no entry is replaced).
 */
export function registerDriver(scheme: string, entry: DriverEntry): void {
  if (Object.hasOwn(registry, scheme)) throw new Error(`scheme ${scheme}:// already has a driver`);
  registry[scheme] = entry;
}

/** Schemes that have a driver. */
export function knownSchemes(): string[] {
  return Object.keys(registry).sort();
}

/** What a scheme's driver declares about its options: their names and which are secret. */
export interface DeclaredOptions {
  readonly names: readonly string[];
  readonly secret: ReadonlySet<string>;
  /** The schema that parses their values. */
  readonly schema: OptionsSchema;
}

/** The options the driver of `scheme` declares, or undefined for a scheme without a driver. */
export function declaredOptions(scheme: string): DeclaredOptions | undefined {
  if (!Object.hasOwn(registry, scheme)) return undefined;
  const { options } = registry[scheme]!;
  return { ...describeOptions(options), schema: options };
}

/** Create (but do not open) the driver for `context.target`, in its layer stack (src/layers/layer-stack.ts). */
export async function createDriver(context: DriverContext): Promise<Driver> {
  const entry = Object.hasOwn(registry, context.target.scheme) ? registry[context.target.scheme] : undefined;
  if (!entry) {
    throw new UsageError(
      `target: unknown scheme "${context.target.scheme}://" (known: ${knownSchemes()
        .map((s) => `${s}://`)
        .join(', ')})`,
      'STORBENCH_ERR_UNKNOWN_SCHEME',
    );
  }
  return layerStack(await entry.load(), context);
}
