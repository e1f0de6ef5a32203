/**
 * Cache honesty between phases: a read served from the page cache measures memory, not the storage.
 * `dropCaches()` flushes dirty pages and asks the kernel to drop the page cache, dentries and inodes
 * (`echo 3 > /proc/sys/vm/drop_caches`), which only root may do. The runner calls it between prepare
 * and measure when `--drop-caches` is given, and records the outcome.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** What happened, for the run record: `dropped`, or why not. */
export interface CacheDrop {
  readonly dropped: boolean;
  readonly detail: string;
}

/**
 * Write back dirty pages (`sync`), then drop the page cache, dentries and inodes. Never throws.
 * On a network file system this empties only this client's cache; the servers keep theirs.
 */
export async function dropCaches(): Promise<CacheDrop> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { dropped: false, detail: 'not root: /proc/sys/vm/drop_caches needs root' };
  }
  try {
    // Dirty pages are not dropped, so write them back first (sync(1): Node has no sync(2)).
    await promisify(execFile)('sync', [], { timeout: 120_000 });
    await writeFile('/proc/sys/vm/drop_caches', '3\n');
    return { dropped: true, detail: 'sync; echo 3 > /proc/sys/vm/drop_caches' };
  } catch (e) {
    return { dropped: false, detail: `drop_caches failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
