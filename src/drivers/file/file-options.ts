/**
 * `file://` options (README.md has the table). Options whose default is `undefined` are decided at connect by the
 * profile (./profiles.ts) of the mount, unless the URL gives them.
 */
import { z } from 'zod';
import { defineOptions, type OptionSchema, option } from '../kernel/options.js';
import { IO_CHOICES } from './io-engine.js';
import { type DirectMode, PROFILE_NAMES, WRITE_MODES } from './profiles.js';

const MiB = 1024 * 1024;
/** The smallest and largest `readChunk`. */
const READ_CHUNK_MIN = 4096;
const READ_CHUNK_MAX = 64 * MiB;

const asBoolean = option.boolean(undefined);

/** `auto`, or a boolean word (`true`: `on`, `false`: `off`). */
function directMode(): OptionSchema<DirectMode | undefined> {
  return option.text().transform((text, ctx): DirectMode | undefined => {
    if (text === undefined) return undefined;
    if (text.toLowerCase() === 'auto') return 'auto';
    const parsed = asBoolean.safeParse(text);
    if (parsed.success) return parsed.data === undefined ? undefined : parsed.data ? 'on' : 'off';
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
}

export const FILE_OPTIONS = defineOptions({
  /**
   * The profile whose defaults apply: `local`, `nfs`, `mapr-nfs`, `isilon`, `lustre`, `gpfs`, `glusterfs` or `cephfs`.
   * @default detected from the mount (./profiles.ts detectProfile)
   */
  profile: option.choice(PROFILE_NAMES, undefined),
  /**
   * Levels of hash buckets between a key's directory and its file, 0–4; `0`: keys are plain paths.
   * @default the profile's (1)
   */
  fanout: option.integer(undefined, 0, 4),
  /**
   * Buckets per fan-out level, 2–256.
   * @default the profile's (64)
   */
  fanoutWidth: option.integer(undefined, 2, 256),
  /**
   * fsync each file before its rename, and its directory after. Always on when the run asks for durable writes.
   * @default the profile's
   */
  fsync: asBoolean,
  /**
   * O_DIRECT for object reads and writes: `true` (open fails with Unsupported if it does not work), `auto` (when
   * the probe at open passes) or `false` (through the page cache).
   * @default the profile's
   */
  direct: directMode(),
  /**
   * What a write does: `atomic` (a temporary file renamed over the key's: a reader never sees part of an object)
   * or `in-place` (the key's file created or truncated and written, then closed: mdtest's and fio's
   * create-write-close; a reader may see part of a write, and a failed one removes the file).
   * @default the profile's (atomic; lustre and gpfs: in-place)
   */
  writeMode: option.choice(WRITE_MODES, undefined),
  /**
   * The engine of object calls: `async` (node:fs/promises, libuv's threadpool), `sync` (blocking calls, one
   * thread per worker, like fio's `psync`), or `auto`: `sync` where the run gives each worker a thread of its own
   * (threads `auto` or at least the concurrency) and they fit the cores (concurrency at most twice the cores, and
   * 64), else `async` (./io-engine.ts chooseEngine).
   * @default auto
   */
  io: option.choice(IO_CHOICES, 'auto'),
  /**
   * The largest single read(2) of a streamed body, 4KiB–64MiB.
   * @default 1MiB
   */
  readChunk: option.size(MiB).refine((n) => n >= READ_CHUNK_MIN && n <= READ_CHUNK_MAX, { message: 'expected 4KiB to 64MiB' }),
  /**
   * Lustre: the stripe count `lfs setstripe -c` gives the root at open (-1: every OST), 1–65535.
   * @default the profile's (lustre: 1)
   */
  stripeCount: option.integer(undefined, -1, 65535),
  /**
   * Lustre: the stripe size `lfs setstripe -S` gives the root at open, in lfs's form (`1M`, `4M`, `65536`).
   * @default the profile's (lustre: 1M)
   */
  stripeSize: option.text().refine((v) => v === undefined || /^[0-9]+[KMG]?$/i.test(v), {
    error: (issue) => `expected lfs's form (1M, 4M, 65536), got "${String(issue.input)}"`,
  }),
});

/** The parsed `file://` options. */
export type FileOptions = z.output<typeof FILE_OPTIONS>;
