/**
 * The driver kernel's one entry point (kysely's Dialect/Driver split, OpenDAL's service + layers):
 * a driver folder exports `defineDriver({ name, options, capabilities, connect })`, and the registry wraps it in the
 * layer stack (src/layers/) that owns every rule shared by all drivers: option validation and redaction, key and
 * prefix checks, open/close once, error normalization (Cancelled, StorageError.code), timeouts and retries.
 * What a driver writes is only its protocol: a {@link DriverCore}.
 */
import type { Target } from '../target.js';
import type { Capabilities, Driver, DriverContext, Operation, StorageError } from '../types.js';
import type { LayerOptions, OptionsSchema } from './options.js';

/** What `connect` gets: the target, its options parsed by the driver's schema, and what the run asks of it. */
export interface ConnectContext<O> {
  readonly target: Target;
  readonly options: O & LayerOptions;
  /** In-flight operations the run will keep; pools are sized to it. @default 1 */
  readonly concurrency: number;
  /** The run wants durable writes (fsync, sync replication) when the system offers a choice. */
  readonly durable: boolean;
  /** The threads the run places the driver's workers on (DriverContext.threads). @default undefined (not a run) */
  readonly threads?: number | 'auto';
}

/**
 * A connected system, as the driver speaks to it. Keys and prefixes it gets are already checked (see
 * src/drivers/keys.ts); errors it throws are mapped by the definition's `mapError` (or must already be
 * StorageErrors when it has none); `close` is called once. Optional members fall back to the kernel's:
 * `scan` is list + read, `deletePrefix` is list + delete, warnings and counters are empty.
 */
export type DriverCore = Pick<Driver, 'system' | 'semantics' | 'environment' | 'write' | 'read' | 'stat' | 'delete' | 'list' | 'close'> &
  Partial<Pick<Driver, 'warnings' | 'counters' | 'scan' | 'append' | 'rename' | 'writeAt' | 'largeFileMode' | 'deletePrefix' | 'dropCaches'>>;

/** A driver, declared. */
export interface DriverDefinition<O extends Record<string, unknown> = Record<string, unknown>> {
  /** The driver's name in errors and records; the URL scheme unless several schemes share it. */
  readonly name: string;
  /** The options its target URLs may carry (src/drivers/kernel/options.ts). */
  readonly options: OptionsSchema<O>;
  /** What it can do (`defineCapabilities({...})`), or a function of its options when they change it. */
  readonly capabilities: Capabilities | ((options: O) => Capabilities);
  /** Its objects live in this thread's memory: the runner never fans such a run out to threads. @default false */
  readonly processLocal?: boolean;
  /**
   * Its calls block the calling thread (one operation in flight per thread), given these options and the run's
   * concurrency and thread placement (DriverContext). @default false
   */
  readonly blocking?: (options: O, context: DriverContext) => boolean;
  /**
   * Keys need no check: the driver stores nothing, so there is no root to escape (`null://`, the harness ceiling,
   * where a key check would be a storing driver's cost). @default false
   */
  readonly uncheckedKeys?: boolean;
  /**
   * Map what the protocol or SDK threw to a StorageError (kind, temporary, native `code`). Called only for errors
   * that are not StorageErrors already and not aborts (the kernel maps those to Cancelled). Without it, the core
   * must throw only StorageErrors, and its calls are not wrapped (the ceiling's hot path stays bare).
   */
  readonly mapError?: (error: unknown, operation: Operation, key: string | undefined) => StorageError;
  /**
   * Refuse a target whose hosts or path this driver cannot use (an S3 bucket name, a file:// host): throws a
   * UsageError when the driver is created, before any I/O, so a suite's targets are all checked before any runs.
   * Options alone are checked by the schema. @default none
   */
  readonly checkTarget?: (target: Target, options: O) => void;
  /** Connect and look around (file system type, cluster); called once, by the first `open()`. */
  connect(context: ConnectContext<O>): Promise<DriverCore>;
}

/** A definition of any driver, as the registry and the layers hold it. */
// biome-ignore lint/suspicious/noExplicitAny: a definition's options type is its own; callers only pass parsed options back to it
export type AnyDriverDefinition = DriverDefinition<any>;

/** Declare a driver (an identity function that gives `connect` its options' types). */
export function defineDriver<O extends Record<string, unknown>>(definition: DriverDefinition<O>): DriverDefinition<O> {
  return Object.freeze(definition);
}
