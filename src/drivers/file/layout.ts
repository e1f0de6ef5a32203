/**
 * Where a key lives under the root, and back. The mapping is reversible, so `list` returns the keys
 * that were written.
 *
 * - Every `/`-separated segment of a key but the last is a directory of the same name.
 * - The last segment (the leaf) is a file inside `levels` levels of hash buckets under that directory:
 *   key `runs/r1/obj-42` → `runs/r1/#1c/#07/obj-42`. A bucket is `#` + two hex digits; which one is
 *   FNV-1a(leaf) taken `width` ways per level, so a directory holding N keys spreads them over
 *   `width ** levels` buckets (4,096 by default) and no directory grows past about N / 4,096 files.
 * - Names beginning with `#` belong to the driver (buckets, temporary files `#tmp.*`); a key segment
 *   that itself begins with `#` is stored with one more `#` in front (`#x` → `##x`), so the two never mix.
 * - With `levels = 0` keys are plain paths (the layout other tools write and read).
 * Buckets also keep files and directories apart: key `a` (a file in `a`'s parent's buckets) and key
 * `a/b` (inside directory `a`) can both exist, as on an object store.
 */

/** The fan-out of a root. Part of the dataset's layout: read a dataset with the settings that wrote it. */
export interface Layout {
  /** Bucket levels between a key's directory and its file. @default 2 */
  readonly levels: number;
  /** Buckets per level, 2–256. @default 64 */
  readonly width: number;
}

const BUCKET = /^#[0-9a-f]{2}$/;

/** The on-disk name of one key segment. */
export function encodeSegment(segment: string): string {
  return segment.charCodeAt(0) === 35 /* # */ ? `#${segment}` : segment;
}

/** The key segment an on-disk name stands for, or `undefined` for the driver's own names. */
export function decodeName(name: string): string | undefined {
  if (name.charCodeAt(0) !== 35) return name;
  return name.charCodeAt(1) === 35 ? name.slice(1) : undefined;
}

/** True for a bucket directory name of this layout. */
export function isBucket(name: string, layout: Layout): boolean {
  return BUCKET.test(name) && Number.parseInt(name.slice(1), 16) < layout.width;
}

/** FNV-1a over UTF-16 code units: cheap, stable across runs and hosts, spreads similar names well. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The bucket directories of a leaf name, joined with `/` (`#1c/#07`), `''` when levels is 0. */
export function bucketOf(leaf: string, layout: Layout): string {
  if (layout.levels === 0) return '';
  let h = fnv1a(leaf);
  let out = '';
  for (let i = 0; i < layout.levels; i++) {
    const b = h % layout.width;
    h = Math.floor(h / layout.width);
    out += `${i > 0 ? '/' : ''}#${b < 16 ? '0' : ''}${b.toString(16)}`;
  }
  return out;
}

/** Relative locations of an already validated key: its directory (buckets included) and its file. */
export interface Location {
  /** Directory of the file relative to the root, `''` for the root itself. */
  readonly dir: string;
  /** The file, relative to the root. */
  readonly file: string;
}

/** Map a validated key to its relative directory and file. */
export function locate(key: string, layout: Layout): Location {
  const cut = key.lastIndexOf('/');
  const leaf = key.slice(cut + 1);
  let dir = cut < 0 ? '' : encodePath(key.slice(0, cut));
  const buckets = bucketOf(leaf, layout);
  if (buckets) dir = dir ? `${dir}/${buckets}` : buckets;
  const name = encodeSegment(leaf);
  return { dir, file: dir ? `${dir}/${name}` : name };
}

/** Encode every segment of a `/`-separated key directory (no leading or trailing `/`). */
export function encodePath(path: string): string {
  if (path === '') return '';
  return path.indexOf('#') < 0 ? path : path.split('/').map(encodeSegment).join('/');
}
