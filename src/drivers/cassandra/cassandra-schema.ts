/**
 * The CQL side of the cassandra:// driver: table layout, key ↔ (parent, name) mapping and every statement
 * the driver prepares. Kept apart from the driver so the benchmark's minimal loop issues exactly these.
 *
 * Three tables per `table=<t>` option (see README.md for the reasoning):
 * - `<t>`         object metadata, partitioned by parent directory: list of a directory is one partition.
 * - `<t>_chunks`  content, partitioned by (key, version, part): at most `chunksPerPartition` chunks per partition.
 * - `<t>_dirs`    the directory tree (parent → child directory names), so a recursive list can descend.
 */
import { splitPrefix } from '../kernel/mechanics.js';

/** Where a key lives in the metadata table. */
export interface KeyParts {
  /** `/` for a top-level key, `/a/b` for `a/b/c` (never empty: Cassandra rejects empty partition keys). */
  readonly parent: string;
  /** Last segment (the `name` column). */
  readonly leaf: string;
}

/** The metadata partition of a directory: `` (the root) → `/`, `a/b` → `/a/b`. */
function dirOf(folder: string): string {
  return folder === '' ? '/' : `/${folder}`;
}

/** Split a key into its parent directory and its last segment. */
export function keyParts(key: string): KeyParts {
  const { folder, leaf } = splitPrefix(key);
  return { parent: dirOf(folder), leaf };
}

/** The key of `leaf` in directory `parent` (inverse of {@link keyParts}). */
export function keyOf(parent: string, leaf: string): string {
  return parent === '/' ? leaf : `${parent.slice(1)}/${leaf}`;
}

/** The directory `child` inside `parent`. */
export function childDir(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** The (parent, child) directory entries that make `key` reachable from the root, top first. */
export function ancestorEntries(key: string): { parent: string; child: string }[] {
  const segments = key.split('/').slice(0, -1);
  const out: { parent: string; child: string }[] = [];
  let parent = '/';
  for (const s of segments) {
    out.push({ parent, child: s });
    parent = childDir(parent, s);
  }
  return out;
}

/**
 * A list/scan prefix as (directory, name prefix): `a/b/` → (`/a/b`, ``), `a/b` → (`/a`, `b`), `` → (`/`, ``).
 */
export function prefixParts(prefix: string): { dir: string; namePrefix: string } {
  const { folder, leaf } = splitPrefix(prefix);
  return { dir: dirOf(folder), namePrefix: leaf };
}

/**
 * Exclusive upper bound of the names starting with `p` in Cassandra's text order (UTF-8 bytes): U+10FFFF encodes
 * as F4 8F BF BF, above the first byte of any other character.
 */
export function prefixEnd(p: string): string {
  return `${p}\u{10FFFF}`;
}

/** Quote a CQL identifier (case kept). */
export function quoteId(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** DDL for the keyspace (NetworkTopologyStrategy with `rf` copies in data center `dc`). */
export function createKeyspaceCql(keyspace: string, dc: string, rf: number): string {
  return `CREATE KEYSPACE IF NOT EXISTS ${quoteId(keyspace)} WITH replication = ` + `{'class': 'NetworkTopologyStrategy', '${dc.replace(/'/g, "''")}': ${rf}}`;
}

/** DDL for the three tables. */
export function createTablesCql(keyspace: string, table: string): string[] {
  const t = `${quoteId(keyspace)}.${quoteId(table)}`;
  const c = `${quoteId(keyspace)}.${quoteId(`${table}_chunks`)}`;
  const d = `${quoteId(keyspace)}.${quoteId(`${table}_dirs`)}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (parent text, name text, size bigint, chunks int, chunk_size int, ` +
      `part_chunks int, checksum text, version timeuuid, modified timestamp, PRIMARY KEY ((parent), name))`,
    `CREATE TABLE IF NOT EXISTS ${c} (key text, version timeuuid, part int, idx int, data blob, ` + `PRIMARY KEY ((key, version, part), idx))`,
    `CREATE TABLE IF NOT EXISTS ${d} (parent text, child text, PRIMARY KEY ((parent), child))`,
  ];
}

/** Every statement the driver runs, all prepared. */
export interface Statements {
  readonly selectMeta: string;
  readonly insertMeta: string;
  readonly deleteMeta: string;
  readonly insertChunk: string;
  readonly selectChunk: string;
  readonly deletePart: string;
  readonly insertDir: string;
  readonly deleteDir: string;
  readonly listObjects: string;
  readonly listDirs: string;
  readonly scanRange: string;
}

/** The statements for `keyspace`.`table`. */
export function statements(keyspace: string, table: string): Statements {
  const t = `${quoteId(keyspace)}.${quoteId(table)}`;
  const c = `${quoteId(keyspace)}.${quoteId(`${table}_chunks`)}`;
  const d = `${quoteId(keyspace)}.${quoteId(`${table}_dirs`)}`;
  const meta = 'size, chunks, chunk_size, part_chunks, checksum, version, modified';
  return {
    selectMeta: `SELECT ${meta} FROM ${t} WHERE parent = ? AND name = ?`,
    insertMeta: `INSERT INTO ${t} (parent, name, ${meta}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    deleteMeta: `DELETE FROM ${t} WHERE parent = ? AND name = ?`,
    insertChunk: `INSERT INTO ${c} (key, version, part, idx, data) VALUES (?, ?, ?, ?, ?)`,
    selectChunk: `SELECT data FROM ${c} WHERE key = ? AND version = ? AND part = ? AND idx = ?`,
    deletePart: `DELETE FROM ${c} WHERE key = ? AND version = ? AND part = ?`,
    insertDir: `INSERT INTO ${d} (parent, child) VALUES (?, ?)`,
    deleteDir: `DELETE FROM ${d} WHERE parent = ? AND child = ?`,
    listObjects: `SELECT name, size, modified, checksum FROM ${t} WHERE parent = ? AND name >= ? AND name < ?`,
    listDirs: `SELECT child FROM ${d} WHERE parent = ? AND child >= ? AND child < ?`,
    scanRange: `SELECT parent, name, ${meta} FROM ${t} WHERE token(parent) > ? AND token(parent) <= ?`,
  };
}

const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;

/**
 * Split the Murmur3 ring into `n` contiguous ranges `(start, end]` covering every token exactly once.
 * The first range starts at −2^63 exclusive: Murmur3Partitioner never assigns that token (it maps it to 2^63−1).
 */
export function tokenRanges(n: number): { start: bigint; end: bigint }[] {
  const step = (MAX_TOKEN - MIN_TOKEN) / BigInt(n);
  const out: { start: bigint; end: bigint }[] = [];
  for (let i = 0; i < n; i++) {
    const start = MIN_TOKEN + step * BigInt(i);
    out.push({ start, end: i === n - 1 ? MAX_TOKEN : start + step });
  }
  return out;
}
