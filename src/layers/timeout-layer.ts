/**
 * `opTimeout`: a deadline for every operation. Operations that take a signal are aborted at the deadline; every
 * operation (with a signal or not) fails at the deadline with a temporary `Timeout`, and what it still does in the
 * background is ignored (an aborted operation gets up to a second to settle first, so it can undo a partial write).
 * A read's deadline covers its body. Cleanup (`deletePrefix`) has none: it may take long.
 */

import type { Driver } from '../drivers/types.js';
import {
  type Body,
  type ListOptions,
  type ObjectInfo,
  type Operation,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../drivers/types.js';
import { ForwardingDriver } from './forwarding-driver.js';

/** How long an operation aborted at its deadline may take to settle before the Timeout is reported anyway. */
const ABORT_GRACE_MS = 1000;

/** Resolves when `pending` settles or after `ms`, whichever comes first. */
function settledWithin(pending: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    pending.then(done, done);
  });
}

interface Deadline {
  readonly signal: AbortSignal;
  /** Rejects with the Timeout when the deadline passes. */
  readonly expired: Promise<never>;
  readonly fired: () => boolean;
  readonly clear: () => void;
}

export class TimeoutLayer extends ForwardingDriver {
  readonly #ms: number;

  constructor(inner: Driver, ms: number) {
    super(inner);
    this.#ms = ms;
  }

  override semantics(): Semantics {
    return { ...this.inner.semantics(), opTimeoutMs: this.#ms };
  }

  override write(key: string, body: Body, options?: WriteOptions): Promise<void> {
    return this.#bounded('write', key, options?.signal, (signal) => this.inner.write(key, body, { ...options, signal }));
  }

  override async read(key: string, options?: ReadOptions): Promise<ReadResult> {
    const deadline = this.#deadline('read', key, options?.signal);
    try {
      const result = await Promise.race([this.inner.read(key, { ...options, signal: deadline.signal }), deadline.expired]);
      return { ...result, body: this.#bodyWithin(result.body, deadline, key) };
    } catch (e) {
      deadline.clear();
      throw e;
    }
  }

  override stat(key: string): Promise<ObjectInfo> {
    return this.#bounded('stat', key, undefined, () => this.inner.stat(key));
  }

  override delete(key: string): Promise<void> {
    return this.#bounded('delete', key, undefined, () => this.inner.delete(key));
  }

  override list(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]> {
    return this.#iterateWithin('list', prefix, options, (o) => this.inner.list(prefix, o));
  }

  override scan(prefix: string, options?: ListOptions): AsyncIterable<ScanEntry> {
    return this.#iterateWithin('scan', prefix, options, (o) => this.inner.scan(prefix, o));
  }

  protected override forwardAppend(key: string, body: Body, options?: WriteOptions): Promise<void> {
    return this.#bounded('append', key, options?.signal, (signal) => super.forwardAppend(key, body, { ...options, signal }));
  }

  protected override forwardRename(from: string, to: string): Promise<void> {
    return this.#bounded('rename', from, undefined, () => super.forwardRename(from, to));
  }

  protected override forwardWriteAt(key: string, offset: number, body: Body, options?: WriteOptions): Promise<void> {
    return this.#bounded('write', key, options?.signal, (signal) => super.forwardWriteAt(key, offset, body, { ...options, signal }));
  }

  async #bounded<T>(operation: Operation, key: string, caller: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = this.#deadline(operation, key, caller);
    const pending = run(deadline.signal);
    pending.catch(() => undefined); // past the deadline its outcome is nobody's
    try {
      return await Promise.race([pending, deadline.expired]);
    } catch (e) {
      if (!deadline.fired()) throw e;
      // Aborted at the deadline: the operation gets a moment to undo what it started (a partial file), so what the
      // caller sees next is settled.
      await settledWithin(pending, ABORT_GRACE_MS);
      throw this.#timeout(operation, key, e);
    } finally {
      deadline.clear();
    }
  }

  /** A listing or scan whose every step must come before the one deadline of the whole call. */
  async *#iterateWithin<T>(
    operation: Operation,
    prefix: string,
    options: ListOptions | undefined,
    start: (options: ListOptions) => AsyncIterable<T>,
  ): AsyncIterable<T> {
    const deadline = this.#deadline(operation, prefix, options?.signal);
    try {
      const steps = start({ ...options, signal: deadline.signal })[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([steps.next(), deadline.expired]);
        if (next.done) return;
        yield next.value;
      }
    } finally {
      deadline.clear();
    }
  }

  #deadline(operation: Operation, key: string, caller: AbortSignal | undefined): Deadline {
    const controller = new AbortController();
    let fired = false;
    let expire: (e: StorageError) => void = () => undefined;
    const expired = new Promise<never>((_, reject) => {
      expire = reject;
    });
    expired.catch(() => undefined);
    const timer = setTimeout(() => {
      fired = true;
      controller.abort();
      expire(this.#timeout(operation, key));
    }, this.#ms);
    const forward = (): void => controller.abort(caller?.reason);
    if (caller?.aborted) forward();
    else caller?.addEventListener('abort', forward, { once: true });
    return {
      signal: controller.signal,
      expired,
      fired: () => fired,
      clear: () => {
        clearTimeout(timer);
        caller?.removeEventListener('abort', forward);
      },
    };
  }

  async *#bodyWithin(body: AsyncIterable<Uint8Array>, deadline: Deadline, key: string): AsyncIterable<Uint8Array> {
    try {
      const chunks = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await Promise.race([chunks.next(), deadline.expired]);
          if (next.done) return;
          yield next.value;
        }
      } finally {
        if (deadline.fired()) void chunks.return?.()?.catch(() => undefined);
      }
    } catch (e) {
      throw deadline.fired() ? this.#timeout('read', key, e) : e;
    } finally {
      deadline.clear();
    }
  }

  #timeout(operation: Operation, key: string, cause?: unknown): StorageError {
    return new StorageError('Timeout', this.name, operation, `no answer within opTimeout (${this.#ms} ms)`, { key, temporary: true, cause });
  }
}
