/**
 * Walking a prefix: the object files under it in directory order (the natural order of a POSIX scan), and the
 * clean-up of what a deleted prefix leaves (empty directories, temporary files of killed writes).
 */
import { lstat, opendir, rmdir, unlink } from 'node:fs/promises';
import { splitPrefix } from '../kernel/mechanics.js';
import type { Operation } from '../types.js';
import { isMissing } from './file-errors.js';
import type { RootPaths } from './file-paths.js';
import { decodeName, encodePath, isBucket, type Layout } from './layout.js';

/** A write's temporary file: `#tmp.<token of its driver instance>.<sequence>` (see file-core.ts). */
const TEMPORARY = /^#tmp\.[0-9a-f]{12}\.\d+$/;

/** An object file found by a walk, and its key. */
export interface Walked {
  readonly key: string;
  readonly path: string;
}

interface Entry {
  readonly name: string;
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'other';
}

/** Where a prefix starts: the key directory it names (`a/b/`), the start of the names in it, and its directory. */
function startOf(prefix: string): { readonly keyDir: string; readonly leaf: string; readonly dirRel: string } {
  const { folder, leaf } = splitPrefix(prefix);
  return { keyDir: prefix.slice(0, prefix.length - leaf.length), leaf, dirRel: encodePath(folder) };
}

/** Entries of a directory with their type; a missing directory is empty. lstat when d_type is unknown. */
async function* entries(dir: string): AsyncGenerator<Entry> {
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  for await (const ent of handle) {
    const path = `${dir}/${ent.name}`;
    let kind: Entry['kind'] = ent.isFile() ? 'file' : ent.isDirectory() ? 'dir' : 'other';
    // Some network file systems return DT_UNKNOWN for every entry; symlinks stay 'other' (never followed).
    if (kind === 'other' && !ent.isSymbolicLink()) {
      const st = await lstat(path).catch(() => undefined);
      if (st) kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
    }
    yield { name: ent.name, path, kind };
  }
}

/** Files of the keys under `keyDir` whose leaf starts with `leaf`, in directory order. */
async function* walkDir(layout: Layout, dir: string, keyDir: string, leaf: string): AsyncGenerator<Walked> {
  for await (const e of entries(dir)) {
    if (e.kind === 'dir' && layout.levels > 0 && isBucket(e.name, layout)) {
      yield* walkBuckets(layout, e.path, layout.levels - 1, keyDir, leaf);
      continue;
    }
    const name = decodeName(e.name);
    if (name === undefined || !name.startsWith(leaf)) continue;
    if (e.kind === 'dir') yield* walkDir(layout, e.path, `${keyDir}${name}/`, '');
    else if (e.kind === 'file' && layout.levels === 0) yield { key: keyDir + name, path: e.path };
    // With fan-out, a file outside the buckets is not one of ours: its key would not map back to it.
  }
}

async function* walkBuckets(layout: Layout, dir: string, levelsLeft: number, keyDir: string, leaf: string): AsyncGenerator<Walked> {
  for await (const e of entries(dir)) {
    if (levelsLeft > 0) {
      if (e.kind === 'dir' && isBucket(e.name, layout)) yield* walkBuckets(layout, e.path, levelsLeft - 1, keyDir, leaf);
      continue;
    }
    const name = e.kind === 'file' ? decodeName(e.name) : undefined; // temporary files decode to undefined
    if (name?.startsWith(leaf)) yield { key: keyDir + name, path: e.path };
  }
}

/** Every object file under an (already checked) prefix, in directory order. */
export async function* walk(paths: RootPaths, op: Operation, prefix: string): AsyncGenerator<Walked> {
  const { keyDir, leaf, dirRel } = startOf(prefix);
  await paths.guard(op, prefix, dirRel);
  yield* walkDir(paths.layout, paths.abs(dirRel), keyDir, leaf);
}

/**
 * Remove the directories left under a deleted prefix (never the root, never non-empty ones), and the
 * temporary files in what wholly belongs to the prefix: a write in flight when its process was killed
 * leaves one that no key maps to, which would otherwise keep its directories forever.
 */
export async function prune(paths: RootPaths, prefix: string): Promise<void> {
  const { layout } = paths;
  const { leaf, dirRel } = startOf(prefix);
  const whole = leaf === ''; // the prefix is a directory: its buckets hold only its keys
  const removeTree = async (dir: string, temporaries: boolean): Promise<void> => {
    for await (const e of entries(dir)) {
      if (e.kind === 'dir') await removeTree(e.path, temporaries);
      else if (temporaries && e.kind === 'file' && TEMPORARY.test(e.name)) await unlink(e.path).catch(() => undefined);
    }
    await rmdir(dir).catch(() => undefined); // ENOTEMPTY: a concurrent writer, or someone else's file
  };
  for await (const e of entries(paths.abs(dirRel))) {
    const name = decodeName(e.name);
    if (e.kind === 'dir' && isBucket(e.name, layout)) await removeTree(e.path, whole);
    else if (e.kind === 'dir' && name !== undefined && name.startsWith(leaf)) await removeTree(e.path, true);
    else if (whole && dirRel !== '' && e.kind === 'file' && TEMPORARY.test(e.name)) await unlink(e.path).catch(() => undefined);
  }
  if (whole && dirRel !== '') await rmdir(paths.abs(dirRel)).catch(() => undefined);
}
