/**
 * The contract every driver keeps, kept once (kysely's RuntimeDriver: a wrapper that implements the interface it
 * wraps). Around a driver's {@link DriverCore} it owns:
 * - options: parsed by the driver's schema, every problem reported together (the core gets typed values);
 * - keys and prefixes: checked before the core sees them (src/drivers/keys.ts), writeAt offsets too;
 * - open and close once: concurrent opens share one connect, a failed open can be tried again, close is idempotent;
 * - errors: every failure is a StorageError. An aborted operation is `Cancelled` (one whose signal is aborted
 *   before the call never reaches the core); anything else the core throws
 *   goes through the definition's `mapError` (which keeps the native code in `StorageError.code`); secret values
 *   of the target are scrubbed from every message;
 * - fallbacks: scan as list + read, deletePrefix as list + bounded deletes, no warnings, no counters.
 */

import type { AnyDriverDefinition, DriverCore } from '../drivers/kernel/define-driver.js';
import { forEachLimited } from '../drivers/kernel/mechanics.js';
import { type LayerOptions, parseOptions } from '../drivers/kernel/options.js';
import { checkKey, checkOffset, checkPrefix } from '../drivers/keys.js';
import { redactString } from '../drivers/target.js';
import {
  type Body,
  type Capabilities,
  type Counters,
  type Driver,
  type DriverContext,
  type Environment,
  type LargeFileMode,
  type ListOptions,
  type ObjectInfo,
  type Operation,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type Warning,
  type WriteOptions,
} from '../drivers/types.js';
import { UsageError } from '../errors.js';

/** Deletes in flight at once when a driver has no batch delete of its own. */
const DELETE_CONCURRENCY = 16;

type Mapper = (error: unknown, operation: Operation, key: string | undefined) => StorageError;

export class ContractLayer implements Driver {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly processLocal: boolean;
  readonly blocking: boolean;
  /** The parsed options, layer options included. */
  readonly options: Readonly<Record<string, unknown>> & LayerOptions;
  readonly append?: (key: string, body: Body, options?: WriteOptions) => Promise<void>;
  readonly rename?: (from: string, to: string) => Promise<void>;
  readonly writeAt?: (key: string, offset: number, body: Body, options?: WriteOptions) => Promise<void>;

  readonly #definition: AnyDriverDefinition;
  readonly #context: DriverContext;
  readonly #mapError: Mapper | undefined;
  readonly #checkKeys: boolean;
  #core: DriverCore | undefined;
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(definition: AnyDriverDefinition, context: DriverContext) {
    const { target } = context;
    this.options = parseOptions(definition.options, target.options, target) as ContractLayer['options'];
    definition.checkTarget?.(target, this.options);
    this.name = definition.name;
    this.capabilities = typeof definition.capabilities === 'function' ? definition.capabilities(this.options) : definition.capabilities;
    this.processLocal = definition.processLocal ?? false;
    this.blocking = definition.blocking?.(this.options, context) ?? false;
    this.#definition = definition;
    this.#context = context;
    this.#checkKeys = !definition.uncheckedKeys;
    const map = definition.mapError;
    this.#mapError = map && ((e, operation, key) => redacted(map(e, operation, key), target.secrets));
    if (this.capabilities.append) {
      this.append = (key, body, options) => {
        try {
          const core = this.#ready('append', key, options?.signal);
          if (!core.append) throw this.#unsupported('append', key);
          return this.#settled(core.append(key, body, options), 'append', key, options?.signal);
        } catch (e) {
          return this.#rejected(e, 'append', key, options?.signal);
        }
      };
    }
    if (this.capabilities.rename) {
      this.rename = (from, to) => {
        try {
          const core = this.#ready('rename', from, undefined);
          if (this.#checkKeys) checkKey(this.name, 'rename', to);
          if (!core.rename) throw this.#unsupported('rename', from);
          return this.#settled(core.rename(from, to), 'rename', from, undefined);
        } catch (e) {
          return this.#rejected(e, 'rename', from, undefined);
        }
      };
    }
    if (this.capabilities.positionalWrite) {
      this.writeAt = (key, offset, body, options) => {
        try {
          const core = this.#ready('write', key, options?.signal);
          checkOffset(this.name, key, offset);
          if (!core.writeAt) throw this.#unsupported('write', key);
          return this.#settled(core.writeAt(key, offset, body, options), 'write', key, options?.signal);
        } catch (e) {
          return this.#rejected(e, 'write', key, options?.signal);
        }
      };
    }
  }

  open(): Promise<void> {
    if (this.#closing) return Promise.reject(this.#closed('open'));
    this.#opening ??= this.#connect().catch((e: unknown) => {
      this.#opening = undefined; // a failed open may be tried again
      throw e;
    });
    return this.#opening;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#opening?.catch(() => undefined);
      await this.#core?.close();
    })();
    return this.#closing;
  }

  /** The connected core, for a driver's own tests and tools (its type is the driver's to know). */
  core<T extends DriverCore = DriverCore>(): T {
    return this.#opened('open') as T;
  }

  system(): string {
    return this.#opened('open').system();
  }

  semantics(): Semantics {
    return this.#opened('open').semantics();
  }

  environment(): Environment {
    return this.#opened('open').environment();
  }

  warnings(): readonly Warning[] {
    return this.#core?.warnings?.() ?? [];
  }

  counters(): Counters {
    return this.#core?.counters?.() ?? {};
  }

  largeFileMode(): LargeFileMode {
    return this.#opened('open').largeFileMode?.() ?? 'file-per-worker';
  }

  async dropCaches(): Promise<{ readonly dropped: boolean; readonly detail: string }> {
    const core = this.#opened('open');
    if (!core.dropCaches) return { dropped: false, detail: `${this.name}:// has no client cache to drop` };
    return core.dropCaches().catch((e: unknown) => ({ dropped: false, detail: `could not drop caches: ${messageOf(e)}` }));
  }

  write(key: string, body: Body, options?: WriteOptions): Promise<void> {
    try {
      return this.#settled(this.#ready('write', key, options?.signal).write(key, body, options), 'write', key, options?.signal);
    } catch (e) {
      return this.#rejected(e, 'write', key, options?.signal);
    }
  }

  read(key: string, options?: ReadOptions): Promise<ReadResult> {
    let result: Promise<ReadResult>;
    try {
      result = this.#settled(this.#ready('read', key, options?.signal).read(key, options), 'read', key, options?.signal);
    } catch (e) {
      return this.#rejected(e, 'read', key, options?.signal);
    }
    const map = this.#mapError;
    if (!map) return result;
    return result.then((r) => ({ ...r, body: mappedBody(r.body, (e) => this.#normalize(e, 'read', key, options?.signal, map)) }));
  }

  stat(key: string): Promise<ObjectInfo> {
    try {
      return this.#settled(this.#ready('stat', key, undefined).stat(key), 'stat', key, undefined);
    } catch (e) {
      return this.#rejected(e, 'stat', key, undefined);
    }
  }

  delete(key: string): Promise<void> {
    try {
      return this.#settled(this.#ready('delete', key, undefined).delete(key), 'delete', key, undefined);
    } catch (e) {
      return this.#rejected(e, 'delete', key, undefined);
    }
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]> {
    const core = this.#opened('list');
    checkPrefix(this.name, 'list', prefix);
    try {
      yield* core.list(prefix, options);
    } catch (e) {
      throw this.#normalize(e, 'list', prefix, options?.signal, this.#mapError);
    }
  }

  async *scan(prefix: string, options?: ListOptions): AsyncIterable<ScanEntry> {
    const core = this.#opened('scan');
    checkPrefix(this.name, 'scan', prefix);
    if (!core.scan) {
      yield* this.#scanByReading(prefix, options);
      return;
    }
    try {
      const map = this.#mapError;
      for await (const entry of core.scan(prefix, options)) {
        yield map ? { info: entry.info, body: mappedBody(entry.body, (e) => this.#normalize(e, 'scan', entry.info.key, options?.signal, map)) } : entry;
      }
    } catch (e) {
      throw this.#normalize(e, 'scan', prefix, options?.signal, this.#mapError);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    const core = this.#opened('delete');
    checkPrefix(this.name, 'delete', prefix);
    try {
      if (core.deletePrefix) return await core.deletePrefix(prefix);
    } catch (e) {
      throw this.#normalize(e, 'delete', prefix, undefined, this.#mapError);
    }
    let removed = 0;
    for await (const page of this.list(prefix)) {
      await forEachLimited(page, DELETE_CONCURRENCY, async (info) => {
        await this.delete(info.key);
        removed++;
      });
    }
    return removed;
  }

  async *#scanByReading(prefix: string, options?: ListOptions): AsyncIterable<ScanEntry> {
    for await (const page of this.list(prefix, options)) {
      for (const info of page) {
        let body: AsyncIterable<Uint8Array>;
        try {
          body = (await this.read(info.key, options?.signal ? { signal: options.signal } : {})).body;
        } catch (e) {
          if (e instanceof StorageError && e.kind === 'NotFound') continue; // deleted since the listing
          throw e;
        }
        yield { info, body };
      }
    }
  }

  async #connect(): Promise<void> {
    const { target, concurrency, durable, threads } = this.#context;
    try {
      this.#core = await this.#definition.connect({ target, options: this.options, concurrency, durable: durable ?? false, threads });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw this.#normalize(e, 'open', undefined, undefined, this.#mapError);
    }
  }

  /**
   * The open core, once `key` is checked and the call is not already aborted (Cancelled for every driver,
   * mapError or not). Each operation calls the core itself: no closure per call on the measuring path.
   * @throws what `#rejected` turns into the call's rejection
   */
  #ready(operation: Operation, key: string, signal: AbortSignal | undefined): DriverCore {
    const core = this.#opened(operation);
    if (this.#checkKeys) checkKey(this.name, operation, key);
    signal?.throwIfAborted();
    return core;
  }

  /** An optional method the capabilities promised but the core lacks. */
  #unsupported(operation: Operation, key: string): StorageError {
    return new StorageError('Unsupported', this.name, operation, `${this.name}:// does not implement ${operation}`, { key });
  }

  /** The core's promise, its failure normalized; only drivers that map errors pay for a rejection handler. */
  #settled<T>(pending: Promise<T>, operation: Operation, key: string, signal: AbortSignal | undefined): Promise<T> {
    const map = this.#mapError;
    return map
      ? pending.then(undefined, (e: unknown) => {
          throw this.#normalize(e, operation, key, signal, map);
        })
      : pending;
  }

  /** A failure thrown before the core answered, as the call's rejection. */
  #rejected(e: unknown, operation: Operation, key: string, signal: AbortSignal | undefined): Promise<never> {
    return Promise.reject(this.#normalize(e, operation, key, signal, this.#mapError));
  }

  #normalize(e: unknown, operation: Operation, key: string | undefined, signal: AbortSignal | undefined, map: Mapper | undefined): StorageError {
    const secrets = this.#context.target.secrets;
    if (e instanceof StorageError && e.kind === 'Cancelled') return e;
    const at = key !== undefined ? { key } : {};
    if (signal?.aborted || isAbort(e))
      return new StorageError('Cancelled', this.name, operation, 'aborted by the caller', { ...at, cause: e, temporary: false });
    if (e instanceof StorageError) return redacted(e, secrets);
    if (map) return map(e, operation, key);
    return redacted(new StorageError('Unexpected', this.name, operation, messageOf(e), { ...at, cause: e }), secrets);
  }

  #opened(operation: Operation): DriverCore {
    const core = this.#core;
    if (core && !this.#closing) return core;
    throw this.#closing ? this.#closed(operation) : new StorageError('Unexpected', this.name, operation, 'the driver is not open: call open() first');
  }

  #closed(operation: Operation): StorageError {
    return new StorageError('Unavailable', this.name, operation, 'the driver is closed', { temporary: false });
  }
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || (e as { code?: unknown }).code === 'ABORT_ERR');
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The same error with the target's secret values scrubbed from its message. */
function redacted(e: StorageError, secrets: readonly string[]): StorageError {
  if (secrets.length === 0) return e;
  const clean = redactString(e.message, secrets);
  if (clean !== e.message) e.message = clean;
  return e;
}

/** A body whose failures are normalized like the call's. */
async function* mappedBody(body: AsyncIterable<Uint8Array>, normalize: (e: unknown) => StorageError): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (e) {
    throw normalize(e);
  }
}
