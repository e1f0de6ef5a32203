/**
 * The baseline of `npm run bench:s3`: a minimal closed loop issuing the same S3 requests as storbench's
 * workload, with the same SDK client (createS3Client: same agents, retries and checksum settings) and none of
 * storbench's machinery (no driver, no workers, no recorder): PutObject with the same body shape (a buffer up
 * to one block, else a stream of block slices with Content-Length), GetObject drained to the end.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Histogram, newHistogram, summarize } from '../src/runner/histogram.js';

export interface MinimalOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of this loop's objects (ends with `/`). */
  readonly prefix: string;
  readonly op: 'put' | 'get';
  readonly size: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Objects read by `get` (written first, not timed). */
  readonly objects: number;
  /** Chunk size of streamed bodies, as storbench's `blockSize`. */
  readonly blockSize: number;
}

export interface MinimalResult {
  readonly count: number;
  readonly errors: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly latencyUs: ReturnType<typeof summarize>;
  /** Latency in µs, as storbench's recorder keeps it. */
  readonly histogram: Histogram;
  /** CPU time of this process (user + system, all threads) per finished operation (drained ones too), in µs. */
  readonly cpuUsPerOp: number;
}

function bodyOf(block: Buffer, size: number): Buffer | Readable {
  if (size <= block.length) return block.subarray(0, size);
  return Readable.from(
    (function* () {
      for (let at = 0; at < size; at += block.length) yield block.subarray(0, Math.min(block.length, size - at));
    })(),
    { objectMode: false },
  );
}

async function put(o: MinimalOptions, block: Buffer, key: string): Promise<void> {
  await o.client.send(new PutObjectCommand({ Bucket: o.bucket, Key: key, Body: bodyOf(block, o.size), ContentLength: o.size }));
}

/** Write the objects `get` reads (untimed), `concurrency` at a time. */
async function prepare(o: MinimalOptions, block: Buffer): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, o.objects) }, async () => {
      while (next < o.objects) await put(o, block, `${o.prefix}${next++}`);
    }),
  );
}

/** Run the loop for `durationMs`; the objects it wrote stay (the caller removes its prefix). */
export async function runMinimal(o: MinimalOptions): Promise<MinimalResult> {
  const block = Buffer.alloc(Math.min(o.blockSize, Math.max(o.size, 1)), 0x5a);
  if (o.op === 'get') await prepare(o, block);
  const histogram = newHistogram();
  let count = 0;
  let finished = 0;
  let errors = 0;
  let created = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stop = t0 + o.durationMs;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < stop) {
        const start = performance.now();
        try {
          if (o.op === 'put') {
            await put(o, block, `${o.prefix}${created++}`); // a new object each time, as storbench's `writes: create`
          } else {
            const out = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: `${o.prefix}${Math.floor(Math.random() * o.objects)}` }));
            for await (const _ of out.Body as AsyncIterable<Uint8Array>) {
              /* drain */
            }
          }
          const end = performance.now();
          finished++;
          // Only operations that end inside the window count (warp's rule); the rest are awaited, not counted.
          if (end <= stop) {
            count++;
            histogram.recordValue(Math.max(1, Math.round((end - start) * 1000)));
          }
        } catch {
          errors++;
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const seconds = o.durationMs / 1000;
  return {
    count,
    errors,
    seconds,
    opsPerSec: count / seconds,
    mibPerSec: (count * o.size) / (1024 * 1024) / seconds,
    latencyUs: summarize(histogram),
    histogram,
    cpuUsPerOp: finished > 0 ? (cpu.user + cpu.system) / finished : 0,
  };
}
