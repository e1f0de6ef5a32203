/**
 * XDR (RFC 4506), the encoding of every ONC RPC message: big-endian 32-bit units, variable-length
 * opaques and strings prefixed with their length and padded to a multiple of 4 bytes.
 * Only what MOUNT v3, NFS v3 and the portmapper need.
 */

const TWO_32 = 2 ** 32;

/** Builds one message in a growing buffer; `reserve` leaves room at the front for the RPC header. */
export class XdrWriter {
  private buf: Buffer;
  private pos: number;

  constructor(capacity = 256, reserve = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, reserve + 64));
    this.pos = reserve;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  bool(v: boolean): this {
    return this.u32(v ? 1 : 0);
  }

  /** An unsigned 64-bit integer given as a JS number (sizes and offsets stay below 2^53). */
  u64(v: number): this {
    return this.u32(Math.floor(v / TWO_32)).u32(v % TWO_32);
  }

  /** Fixed-length opaque (cookie verifiers, write verifiers, raw 64-bit cookies). */
  fixed(data: Uint8Array): this {
    this.ensure(data.length + 3);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    this.pad(data.length);
    return this;
  }

  /** Variable-length opaque: length, bytes, padding. */
  opaque(data: Uint8Array): this {
    this.u32(data.length);
    return this.fixed(data);
  }

  string(s: string): this {
    return this.opaque(Buffer.from(s, 'utf8'));
  }

  private pad(length: number): void {
    const p = (4 - (length % 4)) % 4;
    for (let i = 0; i < p; i++) this.buf[this.pos++] = 0;
  }

  /** Bytes written so far (including the reserved front). */
  get length(): number {
    return this.pos;
  }

  /** The underlying buffer up to the current position (no copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Thrown when a reply is shorter or otherwise different from what the protocol says. */
export class XdrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XdrError';
  }
}

/** Reads one message; opaques are returned as views into the message (no copy). */
export class XdrReader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new XdrError(`XDR: need ${n} bytes at ${this.pos}, message has ${this.buf.length}`);
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bool(): boolean {
    return this.u32() !== 0;
  }

  /** Unsigned 64-bit as a number; exact below 2^53, which covers sizes and offsets. */
  u64(): number {
    return this.u32() * TWO_32 + this.u32();
  }

  fixed(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n + ((4 - (n % 4)) % 4);
    return v;
  }

  opaque(max = Number.MAX_SAFE_INTEGER): Buffer {
    const n = this.u32();
    if (n > max) throw new XdrError(`XDR: opaque of ${n} bytes exceeds its limit of ${max}`);
    return this.fixed(n);
  }

  string(max?: number): string {
    return this.opaque(max).toString('utf8');
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}
