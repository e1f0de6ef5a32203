/**
 * The root of a file:// target and how a key gets there: its layout location (./layout.ts) made absolute, after
 * the check that no directory on the way is a symlink leading out of the root.
 */
import { realpath } from 'node:fs/promises';
import { type Operation, StorageError } from '../types.js';
import { isMissing } from './file-errors.js';
import type { IoEngine } from './io-engine.js';
import { type Layout, locate } from './layout.js';

/** Directories whose symlink check passed are remembered; past this many the memory is dropped. */
const MAX_CHECKED_DIRS = 100_000;

/** A key's absolute directory (buckets included) and file. */
export interface Placed {
  readonly dir: string;
  readonly file: string;
}

export class RootPaths {
  readonly #checked = new Set<string>();

  /** `root`: the real path (realpath) of the target's directory. */
  constructor(
    readonly root: string,
    readonly layout: Layout,
    private readonly io: IoEngine,
  ) {}

  /** The absolute path of a path relative to the root (`''`: the root). */
  abs(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /** Check symlinks, and give the absolute directory and file of an (already checked) key. */
  async place(op: Operation, key: string): Promise<Placed> {
    const loc = locate(key, this.layout);
    await this.guard(op, key, loc.dir);
    return { dir: this.abs(loc.dir), file: this.abs(loc.file) };
  }

  /**
   * Refuse a key whose directories pass through a symlink pointing outside the root. Each directory is
   * checked once (lstat, realpath for a symlink) and remembered; directories the driver creates are real.
   * node:fs errors are thrown as they are (the driver's mapError names them).
   */
  async guard(op: Operation, key: string, dirRel: string): Promise<void> {
    const checked = this.#checked;
    if (dirRel === '' || checked.has(dirRel)) return;
    if (checked.size > MAX_CHECKED_DIRS) checked.clear();
    let at = 0;
    while (at >= 0) {
      at = dirRel.indexOf('/', at + 1);
      const rel = at < 0 ? dirRel : dirRel.slice(0, at);
      if (checked.has(rel)) continue;
      let st;
      try {
        st = await this.io.lstat(this.abs(rel));
      } catch (e) {
        if (isMissing(e)) return; // the rest does not exist yet: created real
        throw e;
      }
      if (st.isSymbolicLink()) {
        const real = await realpath(this.abs(rel));
        if (real !== this.root && !real.startsWith(`${this.root}/`)) {
          throw new StorageError('InvalidInput', 'file', op, `directory "${rel}" is a symlink pointing outside the root`, { key });
        }
      } else if (!st.isDirectory()) {
        return; // a file where a directory should be: the operation fails with ENOTDIR (NotFound)
      }
      checked.add(rel);
    }
  }
}
