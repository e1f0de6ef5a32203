/**
 * ONC RPC v2 (RFC 5531) over TCP with record marking, on node:net: nothing here ever blocks the event loop.
 *
 * Many calls are in flight on one connection at once; replies are matched to calls by xid, in whatever
 * order the server sends them. A pool spreads calls over a few connections (servers such as Ganesha
 * serve one connection with several threads, but one TCP stream still serializes the bytes).
 */

import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { XdrReader, XdrWriter } from './xdr.js';

/** Why a call failed below the NFS layer; `nfs-errors.ts` turns these into StorageError kinds. */
export type RpcFailure =
  | 'timeout' // no reply in time
  | 'connect' // the TCP connection could not be made
  | 'closed' // the connection broke while the call was in flight
  | 'prog-unavail' // the server does not run this program/version/procedure
  | 'auth' // credentials rejected (AUTH_ERROR)
  | 'garbage' // the server could not decode the arguments, or we could not decode the reply
  | 'system'; // SYSTEM_ERR, RPC_MISMATCH

export class RpcError extends Error {
  constructor(
    readonly failure: RpcFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcError';
  }
}

/** AUTH_SYS credentials (RFC 5531 appendix A): who the server believes we are. */
export interface AuthSys {
  readonly uid: number;
  readonly gid: number;
  readonly gids?: readonly number[];
  readonly machine?: string;
}

const CALL = 0;
const REPLY = 1;
const MSG_ACCEPTED = 0;
const AUTH_NONE = 0;
const AUTH_SYS = 1;
const ACCEPT_STAT = ['success', 'program unavailable', 'program version mismatch', 'procedure unavailable', 'garbage arguments', 'system error'];
const LAST_FRAGMENT = 0x80000000;
const PADDING = [Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(2), Buffer.alloc(3)];

/** The credential + verifier part of every call header, encoded once. */
function encodeAuth(auth: AuthSys | undefined): Buffer {
  const w = new XdrWriter(128);
  if (!auth) {
    w.u32(AUTH_NONE).u32(0);
  } else {
    const body = new XdrWriter(128)
      .u32(0) // stamp: arbitrary
      .string((auth.machine ?? hostname()).slice(0, 255))
      .u32(auth.uid)
      .u32(auth.gid);
    const gids = (auth.gids ?? []).slice(0, 16);
    body.u32(gids.length);
    for (const g of gids) body.u32(g);
    w.u32(AUTH_SYS).opaque(body.bytes());
  }
  w.u32(AUTH_NONE).u32(0); // verifier
  return Buffer.from(w.bytes());
}

let privilegedPort = 1023;
/** Ports 665-1023, round robin (below 665 sit well-known services). */
function nextPrivilegedPort(): number {
  const p = privilegedPort;
  privilegedPort = p <= 665 ? 1023 : p - 1;
  return p;
}

/** Bytes in front of the arguments: record mark (4), xid, CALL, rpcvers, prog, vers, proc (24), auth. */
const FIXED_HEADER = 28;

interface Pending {
  resolve(r: XdrReader): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One TCP connection carrying many concurrent calls. */
export class RpcConnection {
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextXid = (Math.random() * 0x7fffffff) >>> 0;
  private broken: Error | undefined;
  private corked = false;
  // record-marking parser state
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private lastFragment = false;
  private fragments: Buffer[] = [];

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly auth: Buffer,
    private readonly timeoutMs: number,
    private readonly privileged = false,
  ) {}

  /** Calls waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** False once the connection broke; the pool then replaces it. */
  get usable(): boolean {
    return this.broken === undefined;
  }

  /** Local port of the connection (below 1024 when privileged), once connected. */
  get localPort(): number | undefined {
    return this.socket?.localPort;
  }

  connect(): Promise<void> {
    if (this.socket && !this.connecting) return Promise.resolve();
    this.connecting ??= this.open().then(
      (socket) => {
        this.connecting = undefined;
        socket.setKeepAlive(true, 10_000);
        socket.on('error', (e) => this.fail(new RpcError('closed', `connection to ${this.host}:${this.port} failed: ${e.message}`, { cause: e })));
        socket.on('close', () => this.fail(new RpcError('closed', `connection to ${this.host}:${this.port} closed`)));
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        this.socket = socket;
        if (this.broken) socket.destroy(); // closed while connecting
      },
      (e: unknown) => {
        this.broken ??= e instanceof RpcError ? e : new RpcError('connect', String(e));
        throw this.broken;
      },
    );
    return this.connecting;
  }

  /**
   * Open the TCP connection. Privileged: from a local port below 1024, which servers exporting with
   * `secure` (the Linux default) demand; binding one needs root (or CAP_NET_BIND_SERVICE).
   */
  private async open(): Promise<Socket> {
    const attempts = this.privileged ? 64 : 1;
    for (let attempt = 1; ; attempt++) {
      const localPort = this.privileged ? nextPrivilegedPort() : undefined;
      try {
        return await new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: this.host, port: this.port, noDelay: true, ...(localPort ? { localPort } : {}) });
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new RpcError('timeout', `connect to ${this.host}:${this.port} timed out after ${this.timeoutMs} ms`));
          }, this.timeoutMs);
          socket.once('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
          socket.once('connect', () => {
            clearTimeout(timer);
            socket.removeAllListeners('error');
            resolve(socket);
          });
        });
      } catch (e) {
        if (e instanceof RpcError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (attempt < attempts && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL')) continue; // that port is taken: next one
        const message = e instanceof Error ? e.message : String(e);
        throw new RpcError('connect', `cannot connect to ${this.host}:${this.port}${localPort ? ` from port ${localPort}` : ''}: ${message}`, { cause: e });
      }
    }
  }

  /**
   * Call `prog`/`vers`/`proc`. `args` writes the procedure's arguments; `payload` (WRITE data) is sent
   * after them without being copied, followed by its XDR padding. Resolves with a reader positioned at
   * the procedure's results.
   */
  async call(prog: number, vers: number, proc: number, args: ((w: XdrWriter) => void) | undefined, payload?: Uint8Array): Promise<XdrReader> {
    if (this.broken) throw this.broken;
    if (!this.socket || this.connecting) await this.connect();
    if (this.broken) throw this.broken;
    const socket = this.socket!;
    const xid = (this.nextXid = (this.nextXid + 1) >>> 0);
    const w = new XdrWriter(FIXED_HEADER + this.auth.length + 160 + (payload ? 8 : 0), FIXED_HEADER);
    w.fixed(this.auth);
    args?.(w);
    let padding = 0;
    if (payload) {
      w.u32(payload.length);
      padding = (4 - (payload.length % 4)) % 4;
    }
    const head = w.bytes();
    const recordLength = head.length - 4 + (payload ? payload.length + padding : 0);
    head.writeUInt32BE((LAST_FRAGMENT | recordLength) >>> 0, 0);
    head.writeUInt32BE(xid, 4);
    head.writeUInt32BE(CALL, 8);
    head.writeUInt32BE(2, 12);
    head.writeUInt32BE(prog, 16);
    head.writeUInt32BE(vers, 20);
    head.writeUInt32BE(proc, 24);
    const reply = new Promise<XdrReader>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(xid);
        reject(new RpcError('timeout', `no reply from ${this.host}:${this.port} in ${this.timeoutMs} ms (program ${prog} procedure ${proc})`));
      }, this.timeoutMs);
      this.pending.set(xid, { resolve, reject, timer });
    });
    // calls made in the same tick leave in one write(2): fewer syscalls when many are issued at once
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(head);
    if (payload && payload.length > 0) {
      socket.write(payload);
      if (padding) socket.write(PADDING[padding]!);
    }
    return reply;
  }

  close(): void {
    this.fail(new RpcError('closed', 'connection closed by the client'));
  }

  private fail(e: RpcError): void {
    this.broken ??= e;
    for (const [xid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(xid);
    }
    this.socket?.destroy();
  }

  /** Takes `n` buffered bytes, copying only when they span socket chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const m = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, m);
      filled += m;
      if (m === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(m);
    }
    return out;
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) return;
        const mark = this.take(4).readUInt32BE(0);
        this.lastFragment = (mark & LAST_FRAGMENT) !== 0;
        this.need = mark & 0x7fffffff;
      }
      if (this.buffered < this.need) return;
      const fragment = this.take(this.need);
      this.need = -1;
      if (!this.lastFragment) {
        this.fragments.push(fragment);
        continue;
      }
      const record = this.fragments.length ? Buffer.concat([...this.fragments, fragment]) : fragment;
      this.fragments = [];
      this.dispatch(record);
    }
  }

  private dispatch(record: Buffer): void {
    if (record.length < 8) return;
    const r = new XdrReader(record);
    const xid = r.u32();
    const p = this.pending.get(xid);
    if (!p) return; // timed out already, or not ours
    this.pending.delete(xid);
    clearTimeout(p.timer);
    try {
      if (r.u32() !== REPLY) throw new RpcError('garbage', `xid ${xid}: not a reply`);
      if (r.u32() !== MSG_ACCEPTED) {
        // MSG_DENIED: 0 RPC_MISMATCH (low, high) or 1 AUTH_ERROR (auth_stat)
        const reject = r.u32();
        if (reject === 1) throw new RpcError('auth', `credentials rejected by the server (auth_stat ${r.u32()})`);
        throw new RpcError('system', 'RPC version mismatch');
      }
      r.u32(); // verifier flavor
      r.opaque(400);
      const stat = r.u32();
      if (stat !== 0) {
        const failure: RpcFailure = stat === 4 ? 'garbage' : stat === 5 ? 'system' : 'prog-unavail';
        throw new RpcError(failure, `server answered: ${ACCEPT_STAT[stat] ?? `accept_stat ${stat}`}`);
      }
      p.resolve(r);
    } catch (e) {
      p.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

export interface RpcPoolOptions {
  readonly host: string;
  readonly port: number;
  readonly auth?: AuthSys;
  /** Connections opened at most (lazily, as calls pile up). @default 1 */
  readonly connections?: number;
  /** Time a call may wait for its reply. @default 30000 */
  readonly timeoutMs?: number;
  /** Connect from a local port below 1024 (servers exporting with `secure`). @default false */
  readonly privileged?: boolean;
}

/**
 * A few connections to one server port. A call goes to the connection with the fewest calls in flight;
 * a new connection is opened only when every open one is busy, up to the limit. A broken connection is
 * dropped and replaced on the next call; calls in flight on it fail (never silently retried: WRITE and
 * RENAME are not idempotent in general, so the caller decides).
 */
export class RpcPool {
  private readonly conns: RpcConnection[] = [];
  private readonly auth: Buffer;
  private readonly max: number;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(private readonly options: RpcPoolOptions) {
    this.auth = encodeAuth(options.auth);
    this.max = Math.max(1, options.connections ?? 1);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private pick(): RpcConnection {
    for (let i = this.conns.length - 1; i >= 0; i--) if (!this.conns[i]!.usable) this.conns.splice(i, 1);
    let best: RpcConnection | undefined;
    for (const c of this.conns) if (!best || c.inFlight < best.inFlight) best = c;
    if (!best || (best.inFlight > 0 && this.conns.length < this.max)) {
      best = new RpcConnection(this.options.host, this.options.port, this.auth, this.timeoutMs, this.options.privileged);
      this.conns.push(best);
    }
    return best;
  }

  call(prog: number, vers: number, proc: number, args?: (w: XdrWriter) => void, payload?: Uint8Array): Promise<XdrReader> {
    if (this.closed) return Promise.reject(new RpcError('closed', 'client is closed'));
    return this.pick().call(prog, vers, proc, args, payload);
  }

  /** Connections currently open. */
  get size(): number {
    return this.conns.length;
  }

  close(): void {
    this.closed = true;
    for (const c of this.conns) c.close();
    this.conns.length = 0;
  }
}
