/**
 * `file:///path`: any POSIX mount (local disk, tmpfs, NFS, GlusterFS, Lustre, GPFS, CephFS...) through
 * node:fs. Keys are laid out under the root by ./layout.ts (hash fan-out, reversible); writes go to a
 * temporary name and are renamed into place, so a reader never sees a partial object. At connect the file
 * system is detected, its profile (./profiles.ts) fills in the options the URL leaves out, and O_DIRECT and
 * Lustre striping are set up; ./file-core.ts is the connected driver. See README.md for the URL options.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { UsageError } from '../../errors.js';
import { defineCapabilities } from '../kernel/capabilities.js';
import { defineDriver } from '../kernel/define-driver.js';
import type { Target } from '../target.js';
import { StorageError } from '../types.js';
import { ALIGN, AlignedPool } from './direct-io.js';
import { fileCore } from './file-core.js';
import { mapFileError } from './file-errors.js';
import { FILE_OPTIONS, type FileOptions } from './file-options.js';
import { RootPaths } from './file-paths.js';
import { detectFileSystem, type FileSystemInfo } from './fs-type.js';
import { asyncIo, chooseEngine, type IoEngine, syncIo } from './io-engine.js';
import { type DirectMode, detectProfile, PROFILES, type Profile } from './profiles.js';

/** Where the O_DIRECT probe is made: the directory of every key a run writes (`storbench/<run>/...`). */
const PROBE_DIR = 'storbench';

/**
 * What file:// can do. Key `a` and key `a/b` coexist only with fan-out: then `a` is a file in its parent's
 * buckets and `a/b` lives in directory `a` (./layout.ts); with `fanout=0` both would be the path `a`. Every
 * profile has fan-out, so only `fanout=0` in the URL turns it off.
 */
function capabilities(options: FileOptions) {
  return defineCapabilities({
    append: true,
    rename: true,
    unknownLengthWrite: true,
    positionalWrite: true,
    keyAndPrefixCoexist: options.fanout !== 0,
  });
}

/** file:// takes an absolute path and no host (`localhost` is allowed, as in file://localhost/path). */
function checkTarget(target: Target): void {
  if (target.hosts.length > 0 && !(target.hosts.length === 1 && target.hosts[0] === 'localhost')) {
    throw new UsageError(`target: file:// takes no host ("${target.hosts.join(',')}"); write file:///absolute/path`);
  }
  if (target.path === '') throw new UsageError('target: file:// needs an absolute path, e.g. file:///data/bench');
}

export const fileDriver = defineDriver({
  name: 'file',
  options: FILE_OPTIONS,
  capabilities,
  blocking: (o, { concurrency, threads }) => chooseEngine(o.io, { concurrency, threads, cores: availableParallelism() }).engine === 'sync',
  checkTarget,
  mapError: mapFileError,
  async connect({ target, options, concurrency, durable, threads }) {
    await mkdir(target.path, { recursive: true });
    const root = await realpath(target.path);
    const fs = await detectFileSystem(root);
    const profile = PROFILES[options.profile ?? detectProfile(fs)];
    // the same choice as `blocking` above, which the runner placed the workers by
    const engine = chooseEngine(options.io, { concurrency, threads, cores: availableParallelism() });
    const io = engine.engine === 'sync' ? syncIo : asyncIo;
    const paths = new RootPaths(root, { levels: options.fanout ?? profile.fanout, width: options.fanoutWidth ?? profile.fanoutWidth }, io);
    // Unique per driver instance: worker threads share a pid, and NFS clients on many hosts share a directory.
    const tmpPrefix = `#tmp.${randomBytes(6).toString('hex')}.`;
    const direct = await openDirect(paths, io, options.direct ?? profile.direct, `${tmpPrefix}direct-probe`, options.readChunk);
    return fileCore({
      paths,
      io,
      fs,
      profile,
      profileGiven: options.profile !== undefined,
      fsync: (options.fsync ?? profile.fsync) || durable,
      writeMode: options.writeMode ?? profile.writeMode,
      writeModeSource: options.writeMode === undefined ? 'profile' : 'given',
      ioWhy: engine.why,
      direct: direct.pool,
      directNote: direct.note,
      stripe: await setStripe(root, fs, options, profile),
      readChunk: options.readChunk,
      concurrency,
      tmpPrefix,
    });
  },
});

/**
 * Turn O_DIRECT on when asked (`on`: or fail) or when the file system takes it (`auto`). The probe goes
 * where runs write, under `storbench/` (same file system, symlink-checked like a key's directory), never
 * beside the user's files at the root; AlignedPool unlinks it as soon as it is open.
 */
async function openDirect(
  paths: RootPaths,
  io: IoEngine,
  mode: DirectMode,
  probeName: string,
  readChunk: number,
): Promise<{ pool?: AlignedPool; note: string }> {
  if (mode === 'off') return { note: 'off' };
  await paths.guard('open', PROBE_DIR, PROBE_DIR);
  const pool = await io
    .mkdir(paths.abs(PROBE_DIR), { recursive: true })
    .then(() => AlignedPool.create(`${paths.abs(PROBE_DIR)}/${probeName}`, readChunk + 2 * ALIGN))
    .catch((e: unknown) => ({ unsupported: String(e) }));
  if (pool instanceof AlignedPool) return { pool, note: `on (${mode === 'auto' ? 'auto: the probe passed' : 'asked for'})` };
  if (mode === 'on') throw new StorageError('Unsupported', 'file', 'open', `direct=true but O_DIRECT does not work here: ${pool.unsupported}`);
  return { note: `off (auto: ${pool.unsupported})` };
}

/** Lustre: give the root a default striping that its new directories and files inherit. */
async function setStripe(root: string, fs: FileSystemInfo, options: FileOptions, profile: Profile): Promise<string> {
  const count = options.stripeCount ?? profile.stripeCount;
  const size = options.stripeSize ?? profile.stripeSize;
  if (count === undefined || fs.type !== 'lustre') return 'not applicable';
  const args = ['setstripe', '-c', String(count), ...(size ? ['-S', size] : []), root];
  try {
    await promisify(execFile)('lfs', args, { timeout: 30_000 });
    return `lfs ${args.join(' ')}`;
  } catch (e) {
    return (e as { code?: string }).code === 'ENOENT' ? 'not set: lfs is not installed' : `lfs setstripe failed: ${String(e)}`;
  }
}
