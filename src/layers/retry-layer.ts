/**
 * `opRetries`: an operation that failed with a temporary error (a timeout, a throttled or unavailable server) is
 * tried again, up to N times, after a jittered exponential backoff (50 ms, 100 ms, ... at most 2 s). Only operations
 * that can be repeated whole are retried: writes of an in-memory body (a stream cannot be replayed), reads (the call
 * that starts the body, not a body that failed half-way), stat and delete. Appends and renames are not: a repeat
 * could apply twice. Each retry is counted (`counters()`: `layerRetries`) and the run's latency includes the waits,
 * because the user's operation took that long.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Body,
  type Counters,
  type Driver,
  type ObjectInfo,
  type ReadOptions,
  type ReadResult,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../drivers/types.js';
import { ForwardingDriver } from './forwarding-driver.js';

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2000;

export class RetryLayer extends ForwardingDriver {
  readonly #retries: number;
  #retried = 0;

  constructor(inner: Driver, retries: number) {
    super(inner);
    this.#retries = retries;
  }

  override semantics(): Semantics {
    return { ...this.inner.semantics(), opRetries: this.#retries };
  }

  override counters(): Counters {
    return { ...this.inner.counters?.(), layerRetries: this.#retried };
  }

  override write(key: string, body: Body, options?: WriteOptions): Promise<void> {
    if (!(body instanceof Uint8Array)) return this.inner.write(key, body, options);
    return this.#again(options?.signal, () => this.inner.write(key, body, options));
  }

  override read(key: string, options?: ReadOptions): Promise<ReadResult> {
    return this.#again(options?.signal, () => this.inner.read(key, options));
  }

  override stat(key: string): Promise<ObjectInfo> {
    return this.#again(undefined, () => this.inner.stat(key));
  }

  override delete(key: string): Promise<void> {
    return this.#again(undefined, () => this.inner.delete(key));
  }

  async #again<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (attempt >= this.#retries || !(e instanceof StorageError) || !e.temporary || e.kind === 'Cancelled' || signal?.aborted) throw e;
      }
      this.#retried++;
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
      await sleep(backoff * (0.5 + Math.random() / 2), undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}
