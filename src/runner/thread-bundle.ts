/**
 * The code a worker thread runs, as plain JavaScript. storbench runs from its TypeScript sources through tsx, and a
 * thread started on a .ts entry has to register tsx again: on Node 20 that starts a loader thread of its own
 * beside it (module.register), and the two then transpile every module the thread imports. Measured on a 2-core
 * VM with a put-large run of 2 x 1 GiB on two threads: 3.25-3.6 s of user CPU and 223-229 MB peak RSS from the
 * sources, 1.8-2.2 s and 163-172 MB from a bundle (about 0.7 s of CPU and 30 MB per thread). So the first threaded run of a process bundles
 * the thread entry with esbuild (the transpiler tsx itself uses; about 250 ms) and starts threads on the bundle.
 *
 * The bundle keeps packages external (imported from node_modules as usual) and splits at each dynamic import, so
 * a thread loads only its own driver. It is written under the package's `node_modules/.cache/storbench/`, so the
 * packages resolve from there as they do from the sources, in a folder named by a hash of its contents: a changed
 * source makes a new folder, an unchanged one reuses the folder, and processes that build at once write the same
 * files. `import.meta.url` (and dirname, filename) in a bundled module are replaced by its source file's, so files
 * found relative to a module (package.json, threadpool-size.cjs) are found as from the sources.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'storbench');
const ENTRY = fileURLToPath(new URL('./thread-entry.ts', import.meta.url));
/** Bundles of older sources kept beside the newest (other checkouts' processes may still be using them). */
const KEEP = 4;

/** `import.meta.url`, `.dirname` and `.filename` of the module at `path`, as literals. */
function withOwnImportMeta(source: string, path: string): string {
  return source
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
    .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
    .replaceAll('import.meta.filename', JSON.stringify(path));
}

/** Bundle the thread entry into a folder of `cacheDir` named by a hash of the bundle; the URL of its entry file. */
export async function bundleThreadEntry(cacheDir = CACHE_DIR): Promise<URL> {
  const esbuild = await import('esbuild');
  const out = join(cacheDir, 'threads-build');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'own-import-meta',
        setup(build) {
          build.onLoad({ filter: /\.[cm]?ts$/ }, async ({ path }) => ({ contents: withOwnImportMeta(await readFile(path, 'utf8'), path), loader: 'ts' }));
        },
      },
    ],
  });
  const files = result.outputFiles.map((f) => ({ name: relative(out, f.path), contents: f.contents }));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.name).update('\0').update(f.contents);
  const dir = join(cacheDir, `threads-${hash.digest('hex').slice(0, 16)}`);
  const entry = pathToFileURL(join(dir, 'thread-entry.mjs'));
  if (existsSync(fileURLToPath(entry))) return entry;
  // written whole under a temporary name, then renamed: a thread never sees half a bundle
  const partial = `${dir}.${process.pid}-${Date.now()}.partial`;
  await mkdir(partial, { recursive: true });
  await Promise.all(files.map((f) => writeFile(join(partial, f.name), f.contents)));
  try {
    await rename(partial, dir);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(fileURLToPath(entry))) throw e; // not another process's identical bundle
  }
  await prune(cacheDir, dir);
  return entry;
}

/** Remove bundles past the newest KEEP besides `current`, and partial ones a killed build left over an hour ago. */
async function prune(cacheDir: string, current: string): Promise<void> {
  const names = (await readdir(cacheDir)).filter((n) => n.startsWith('threads-') && join(cacheDir, n) !== current);
  const dated = await Promise.all(names.map(async (n) => ({ n, mtime: (await stat(join(cacheDir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  const newestFirst = dated.sort((a, b) => b.mtime - a.mtime);
  const hourAgo = Date.now() - 3600_000;
  const stale = [
    ...newestFirst.filter((x) => x.n.endsWith('.partial') && x.mtime < hourAgo),
    ...newestFirst.filter((x) => !x.n.endsWith('.partial')).slice(KEEP),
  ];
  await Promise.all(stale.map((x) => rm(join(cacheDir, x.n), { recursive: true, force: true })));
}

/** tsx registered again in the thread, then the entry from source: where a bundle cannot be written. */
const FROM_SOURCE = new URL('./thread-bootstrap.mjs', import.meta.url);
let entryOnce: Promise<URL> | undefined;

/**
 * The module a worker thread starts on: the bundle, built at the first call of the process; the sources through
 * tsx if it cannot be built or written (a read-only install), said once on stderr.
 */
export function threadEntryUrl(): Promise<URL> {
  entryOnce ??= bundleThreadEntry().catch((e: unknown) => {
    process.stderr.write(
      `storbench: worker threads load from the TypeScript sources (slower to start, more memory): could not bundle them into ${CACHE_DIR}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return FROM_SOURCE;
  });
  return entryOnce;
}
