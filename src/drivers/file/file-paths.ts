/**
 * The root of a file:// target and how a key gets there: its layout location (./layout.ts) made absolute, after
 * the check that no directory on the way is a symlink leading out of the root.
 */
import type { Stats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { type Operation, StorageError } from '../types.js';
import { errnoOf, isMissing } from './file-errors.js';
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
   * As `place`, for a write: the key's directory (buckets included) is made to exist as well. A directory made
   * or checked before costs no system call; a missing one costs one `mkdir` (created real, so nothing to check),
   * and one that exists without being known, a `mkdir` that fails with EEXIST and the symlink check of `guard`.
   * So the first write into a new bucket makes it, and later writes go straight to `open`.
   */
  async placeForWrite(key: string): Promise<Placed & { readonly rel: string }> {
    const loc = locate(key, this.layout);
    if (loc.dir !== '' && !this.#checked.has(loc.dir)) await this.#ensure(key, loc.dir);
    return { dir: this.abs(loc.dir), file: this.abs(loc.file), rel: loc.dir };
  }

  /**
   * Forget every directory known to exist: one of them was found missing (a deleted prefix prunes its
   * directories; another process may too), so each is made or checked again on its next use.
   */
  forget(): void {
    this.#checked.clear();
  }

  async #ensure(key: string, dirRel: string): Promise<void> {
    const checked = this.#checked;
    if (checked.size > MAX_CHECKED_DIRS) checked.clear();
    for (const rel of ancestorsOf(dirRel)) {
      if (checked.has(rel)) continue;
      const path = this.abs(rel);
      // Look before making: other threads and processes write into the same directories, and a failed mkdir
      // (EEXIST) costs an exception where a missing entry costs none.
      let st = await this.io.lstatIfAny(path);
      if (st === undefined) {
        try {
          await this.io.mkdir(path);
          checked.add(rel); // made here: a real directory
          continue;
        } catch (e) {
          if (errnoOf(e) !== 'EEXIST') throw e; // made by another writer meanwhile
          st = await this.io.lstat(path);
        }
      }
      // there already: a symlink leading out is refused, and a file is no directory
      if (!(await this.#admit('write', key, rel, st))) throw Object.assign(new Error(`not a directory: ${rel}`), { code: 'ENOTDIR' });
    }
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
    for (const rel of ancestorsOf(dirRel)) {
      if (checked.has(rel)) continue;
      let st;
      try {
        st = await this.io.lstat(this.abs(rel));
      } catch (e) {
        if (isMissing(e)) return; // the rest does not exist yet: created real
        throw e;
      }
      if (!(await this.#admit(op, key, rel, st))) return; // a file where a directory should be: the operation fails with ENOTDIR (NotFound)
    }
  }

  /** Remember `rel` (whose lstat is `st`) as checked if it is a directory, or a symlink to one inside the root. */
  async #admit(op: Operation, key: string, rel: string, st: Stats): Promise<boolean> {
    if (st.isSymbolicLink()) {
      const real = await realpath(this.abs(rel));
      if (real !== this.root && !real.startsWith(`${this.root}/`)) {
        throw new StorageError('InvalidInput', 'file', op, `directory "${rel}" is a symlink pointing outside the root`, { key });
      }
    } else if (!st.isDirectory()) {
      return false;
    }
    this.#checked.add(rel);
    return true;
  }
}

/** `a`, `a/b`, `a/b/c` for `a/b/c`: each directory from the root's child down to `dirRel` itself. */
function* ancestorsOf(dirRel: string): Iterable<string> {
  for (let at = dirRel.indexOf('/', 1); ; at = dirRel.indexOf('/', at + 1)) {
    if (at < 0) {
      yield dirRel;
      return;
    }
    yield dirRel.slice(0, at);
  }
}
