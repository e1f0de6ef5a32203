/** A driver that hands every call to the driver it wraps: the base of the optional layers, which override a few. */
import type {
  Body,
  Capabilities,
  Counters,
  Driver,
  Environment,
  LargeFileMode,
  ListOptions,
  ObjectInfo,
  ReadOptions,
  ReadResult,
  ScanEntry,
  Semantics,
  Warning,
  WriteOptions,
} from '../drivers/types.js';

export class ForwardingDriver implements Driver {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly processLocal: boolean;
  readonly blocking: boolean;
  readonly append?: (key: string, body: Body, options?: WriteOptions) => Promise<void>;
  readonly rename?: (from: string, to: string) => Promise<void>;
  readonly writeAt?: (key: string, offset: number, body: Body, options?: WriteOptions) => Promise<void>;
  /** The driver this layer wraps. */
  readonly inner: Driver;

  constructor(inner: Driver) {
    this.inner = inner;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
    this.processLocal = inner.processLocal ?? false;
    this.blocking = inner.blocking ?? false;
    const { append, rename, writeAt } = inner;
    if (append) this.append = (key, body, options) => this.forwardAppend(key, body, options);
    if (rename) this.rename = (from, to) => this.forwardRename(from, to);
    if (writeAt) this.writeAt = (key, offset, body, options) => this.forwardWriteAt(key, offset, body, options);
  }

  open(): Promise<void> {
    return this.inner.open();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  system(): string {
    return this.inner.system();
  }
  semantics(): Semantics {
    return this.inner.semantics();
  }
  environment(): Environment {
    return this.inner.environment();
  }
  warnings(): readonly Warning[] {
    return this.inner.warnings?.() ?? [];
  }
  counters(): Counters {
    return this.inner.counters?.() ?? {};
  }
  largeFileMode(): LargeFileMode {
    return this.inner.largeFileMode?.() ?? 'file-per-worker';
  }
  dropCaches(): Promise<{ readonly dropped: boolean; readonly detail: string }> {
    return this.inner.dropCaches?.() ?? Promise.resolve({ dropped: false, detail: `${this.name}:// has no client cache to drop` });
  }
  write(key: string, body: Body, options?: WriteOptions): Promise<void> {
    return this.inner.write(key, body, options);
  }
  read(key: string, options?: ReadOptions): Promise<ReadResult> {
    return this.inner.read(key, options);
  }
  stat(key: string): Promise<ObjectInfo> {
    return this.inner.stat(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]> {
    return this.inner.list(prefix, options);
  }
  scan(prefix: string, options?: ListOptions): AsyncIterable<ScanEntry> {
    return this.inner.scan(prefix, options);
  }
  deletePrefix(prefix: string): Promise<number> {
    return this.inner.deletePrefix(prefix);
  }

  protected forwardAppend(key: string, body: Body, options?: WriteOptions): Promise<void> {
    return this.inner.append!(key, body, options);
  }
  protected forwardRename(from: string, to: string): Promise<void> {
    return this.inner.rename!(from, to);
  }
  protected forwardWriteAt(key: string, offset: number, body: Body, options?: WriteOptions): Promise<void> {
    return this.inner.writeAt!(key, offset, body, options);
  }
}
