/**
 * The compiled peer of `npm run bench:s3`: builds bench/s3-peer/ (a warp-style Go loop on minio-go) on first use
 * and runs one phase of it. Settings and credentials reach it through its environment only (argv shows in ps).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./s3-peer/', import.meta.url));

/**
 * How the peer sends a PUT: `signed` puts the body's SHA-256 in x-amz-content-sha256 (what the SDK does for a
 * buffer body over http), `unsigned` sends UNSIGNED-PAYLOAD (the SDK's choice for a stream body), `streaming`
 * is minio-go's own default over http (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, every 64 KiB chunk signed).
 */
export type PeerPayload = 'signed' | 'unsigned' | 'streaming';

export interface PeerOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix of the phase's objects (the peer deletes what it wrote). */
  readonly prefix: string;
  readonly op: 'put' | 'get';
  readonly size: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Objects that `get` reads (written first, not timed). */
  readonly objects: number;
  readonly payload: PeerPayload;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined };
}

/** The peer's JSON line (bench/s3-peer/main.go `result`). */
export interface PeerResult {
  readonly client: string;
  readonly go: string;
  readonly payload: PeerPayload;
  /** Operations that ended inside the window. */
  readonly count: number;
  /** Operations that succeeded, drained ones too (what CPU is divided by). */
  readonly finished: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  readonly bytes: number;
  readonly cpuUs: number;
  readonly cpuUsPerOp: number;
  /** HDR histogram of latency in µs, compressed base64 (mergeable with storbench's). */
  readonly histogram: string;
}

/**
 * The peer's binary, built with the machine's `go` (its GOFLAGS and GOPROXY) into a cache keyed by the source's
 * hash, so it is rebuilt when main.go, go.mod or go.sum change and nothing lands in the repo tree.
 */
export async function peerBinary(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(SOURCE, f)));
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'storbench', 's3-peer', hash.digest('hex').slice(0, 16));
  const binary = join(dir, 's3-peer');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  console.log(`building the compiled peer (bench/s3-peer: Go, minio-go) into ${dir} (first use; go fetches its modules)...`);
  const partial = `${binary}.${process.pid}`;
  try {
    await run('go', ['build', '-o', partial, '.'], { cwd: SOURCE, timeout: 600_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('the compiled peer needs Go (`go` is not on PATH): install Go 1.26 or newer');
    throw new Error(`building bench/s3-peer failed:\n${err.stderr ?? String(e)}`);
  }
  renameSync(partial, binary); // whole or absent: a build killed half-way is not taken for a binary next time
  return binary;
}

/** Run one phase of the peer and return its JSON line. */
export async function runPeer(binary: string, o: PeerOptions): Promise<PeerResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    S3PEER_ENDPOINT: o.endpoint,
    S3PEER_REGION: o.region,
    S3PEER_BUCKET: o.bucket,
    S3PEER_PREFIX: o.prefix,
    S3PEER_OP: o.op,
    S3PEER_SIZE: String(o.size),
    S3PEER_CONCURRENCY: String(o.concurrency),
    S3PEER_DURATION_MS: String(o.durationMs),
    S3PEER_OBJECTS: String(o.objects),
    S3PEER_PAYLOAD: o.payload,
    AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
  };
  if (o.credentials.sessionToken) env.AWS_SESSION_TOKEN = o.credentials.sessionToken;
  else delete env.AWS_SESSION_TOKEN;
  try {
    // Bounded: the window, writing the objects to read and deleting what it wrote, with room for a slow OSD.
    const { stdout } = await run(binary, [], { env, timeout: o.durationMs + 300_000, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as PeerResult;
  } catch (e) {
    const err = e as { stderr?: string; code?: unknown };
    throw new Error(`the compiled peer failed (exit ${String(err.code)}): ${err.stderr?.trim() || String(e)}`);
  }
}
