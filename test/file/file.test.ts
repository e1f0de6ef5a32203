/**
 * file:// specifics the conformance suite cannot see: the on-disk layout, symlink escapes, temporary
 * files, file-system detection and the threadpool record. Runs on a scratch directory under the OS temp
 * dir, and on /dev/shm (tmpfs) when the host has it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { behaviors, runBehavior } from '../../src/conformance/behaviors.js';
import { type FileSystemInfo, mountOf, parseMountinfo } from '../../src/drivers/file/fs-type.js';
import { bucketOf, decodeName, encodeSegment, locate } from '../../src/drivers/file/layout.js';
import { detectProfile } from '../../src/drivers/file/profiles.js';
import { collect } from '../../src/drivers/keys.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import { type Driver, isStorageError } from '../../src/drivers/types.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { configureThreadpool } from '../../src/threadpool/threadpool.js';
import { decideThreadpool } from '../../src/threadpool/threadpool-size.cjs';
import { loadWorkload } from '../../src/workloads/spec.js';
import { expectKind, listKeys, openDriver, readAll } from '../support/drivers.js';

const scratch = mkdtempSync(join(tmpdir(), 'storbench-file-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The driver of `url`, opened, for 8 operations in flight. */
const driverAt = (url: string): Promise<Driver> => openDriver(url, 8);

/** The warning codes the driver gives now. */
const warningCodes = (d: Driver): string[] => (d.warnings?.() ?? []).map((w) => w.code);

describe('file:// layout', () => {
  test('segments starting with # are escaped and decode back; driver names decode to nothing', () => {
    assert.equal(encodeSegment('#x'), '##x');
    assert.equal(decodeName('##x'), '#x');
    assert.equal(decodeName('#0a'), undefined);
    assert.equal(decodeName('#tmp.abc.1'), undefined);
    assert.equal(decodeName('plain'), 'plain');
  });

  test('a key lands in its directory, inside hash buckets, and the bucket depends only on the leaf', () => {
    const layout = { levels: 2, width: 64 };
    const loc = locate('runs/r1/obj-42', layout);
    assert.match(loc.file, /^runs\/r1\/#[0-3][0-9a-f]\/#[0-3][0-9a-f]\/obj-42$/);
    assert.equal(bucketOf('obj-42', layout), locate('other/obj-42', layout).dir.slice('other/'.length));
    assert.equal(locate('a/b', { levels: 0, width: 64 }).file, 'a/b');
  });

  test('10,000 flat keys spread over the buckets: no bucket holds more than 3x its share', () => {
    const layout = { levels: 2, width: 64 };
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const b = bucketOf(`obj-${i}`, layout);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    assert.ok(counts.size > 3000, `only ${counts.size} buckets used`);
    assert.ok(Math.max(...counts.values()) <= 3 * Math.ceil(10_000 / 4096) + 3);
  });
});

describe('file:// driver', () => {
  test('files sit in buckets on disk, and list returns the keys written (# keys, key and key/child together)', async () => {
    const root = join(scratch, 'layout');
    const d = await driverAt(`file://${root}`);
    const keys = ['flat/a', 'flat/#hash', 'flat/##double', 'flat/#0a', 'flat/dir#/x', 'both', 'both/child'];
    for (const k of keys) await d.write(k, Buffer.from(k));
    assert.deepEqual(await listKeys(d, ''), [...keys].sort());
    for (const k of keys) assert.equal((await readAll(d, k)).toString(), k);
    // Only bucket directories and key directories at the top: files never sit next to user directories.
    assert.ok(readdirSync(join(root, 'flat')).every((n) => /^#[0-3][0-9a-f]$/.test(n) || n === 'dir#'));
    assert.equal(await d.deletePrefix(''), keys.length);
    assert.deepEqual(readdirSync(root), []);
  });

  test('deletePrefix also removes the temporary files of writes killed in flight, under the prefix only', async () => {
    for (const fanout of ['', '?fanout=0']) {
      const root = join(scratch, `killed-writes${fanout ? '-flat' : ''}`);
      const d = await driverAt(`file://${root}${fanout}`);
      await d.write('run/a/obj', Buffer.from('1'));
      await d.write('run/obj', Buffer.from('1'));
      await d.write('other/obj', Buffer.from('1'));
      // what a killed process leaves: its driver's temporary file next to where the object would go
      const inRun = readdirSync(join(root, 'run'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.parentPath);
      for (const [i, at] of inRun.entries()) writeFileSync(join(at, `#tmp.0123456789ab.${i}`), 'partial');
      const other = readdirSync(join(root, 'other'), { recursive: true, withFileTypes: true }).find((e) => e.isFile())!.parentPath;
      writeFileSync(join(other, '#tmp.0123456789ab.9'), 'partial');
      writeFileSync(join(root, 'run', '#tmp.user-file'), 'not one of ours');
      assert.equal(await d.deletePrefix('run/'), 2);
      assert.deepEqual(readdirSync(join(root, 'run'), { recursive: true }), ['#tmp.user-file'], fanout);
      assert.ok(existsSync(join(other, '#tmp.0123456789ab.9')), 'outside the prefix: kept');
    }
  });

  test('fanout=0 keeps keys as plain paths', async () => {
    const root = join(scratch, 'plain');
    const d = await driverAt(`file://${root}?fanout=0`);
    await d.write('x/y/z', Buffer.from('1'));
    assert.ok(existsSync(join(root, 'x/y/z')));
    assert.deepEqual(await listKeys(d, 'x/'), ['x/y/z']);
    assert.equal(d.environment().fanoutLevels, 0);
  });

  test('a directory symlink pointing outside the root is refused; one pointing inside is followed', async () => {
    const root = join(scratch, 'links');
    const outside = join(scratch, 'outside');
    mkdirSync(join(root, 'inner'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret'), 'nope');
    symlinkSync(outside, join(root, 'out'));
    symlinkSync(join(root, 'inner'), join(root, 'in'));
    const d = await driverAt(`file://${root}?fanout=0`);
    await expectKind('InvalidInput', () => d.read('out/secret'));
    await expectKind('InvalidInput', () => d.write('out/new', Buffer.from('x')));
    await expectKind('InvalidInput', () => d.writeAt!('out/secret', 0, Buffer.from('x')));
    await expectKind('InvalidInput', () => d.stat('out/secret'));
    assert.ok(!existsSync(join(outside, 'new')));
    await d.write('in/ok', Buffer.from('fine'));
    assert.ok(existsSync(join(root, 'inner/ok')));
    // A symlinked file is never followed, wherever it points.
    symlinkSync(join(outside, 'secret'), join(root, 'inner', 'leaf'));
    await expectKind('InvalidInput', () => d.read('inner/leaf'));
    await expectKind('InvalidInput', () => d.writeAt!('inner/leaf', 0, Buffer.from('x')));
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'nope');
  });

  test('a failed streamed write leaves neither the object nor a temporary file', async () => {
    const root = join(scratch, 'failed');
    const d = await driverAt(`file://${root}?fanout=0`);
    await d.write('k', Buffer.from('old'));
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(1000, 1);
      throw new Error('client went away');
    }
    await assert.rejects(() => d.write('k', broken()));
    assert.equal((await readAll(d, 'k')).toString(), 'old');
    assert.deepEqual(readdirSync(root), ['k']);
  });

  test('a temporary file being written is invisible to list and scan', async () => {
    const root = join(scratch, 'tmpfiles');
    const d = await driverAt(`file://${root}`);
    await d.write('p/done', Buffer.from('1'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncIterable<Uint8Array> {
      yield Buffer.from('partial');
      await gate;
    }
    const pending = d.write('p/pending', slow());
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await listKeys(d, 'p/'), ['p/done']);
    const scanned: string[] = [];
    for await (const e of d.scan('p/')) {
      scanned.push(e.info.key);
      await collect(e.body);
    }
    assert.deepEqual(scanned, ['p/done']);
    release();
    await pending;
    assert.deepEqual(await listKeys(d, 'p/'), ['p/done', 'p/pending']);
  });

  test('a scan whose bodies are not read closes its files', async () => {
    const d = await driverAt(`file://${join(scratch, 'scan-skip')}`);
    for (let i = 0; i < 20; i++) await d.write(`s/${i}`, Buffer.alloc(10_000, i));
    let n = 0;
    for await (const _ of d.scan('s/')) n++;
    assert.equal(n, 20);
  });

  test('reads with reuseChunks give the same bytes, chunk by chunk, alternating between two buffers', async () => {
    const d = await driverAt(`file://${join(scratch, 'reuse')}?readChunk=64KiB`);
    const data = Buffer.alloc(1024 * 1024 + 333);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    await d.write('big', data);
    for (const range of [{}, { offset: 70_000, length: 500_000 }]) {
      const want = data.subarray(range.offset ?? 0, range.length ? (range.offset ?? 0) + range.length : undefined);
      const buffers = new Set<ArrayBufferLike>();
      let at = 0;
      for await (const chunk of (await d.read('big', { ...range, reuseChunks: true })).body) {
        assert.ok(Buffer.from(chunk).equals(want.subarray(at, at + chunk.length)), `chunk at ${at}`);
        buffers.add(chunk.buffer);
        at += chunk.length;
      }
      assert.equal(at, want.length);
      assert.ok(buffers.size <= 2, `${buffers.size} buffers for ${at} bytes`);
    }
  });

  test('durable targets and fsync=true say so in semantics and environment', async () => {
    const durable = await createDriver({ target: parseTarget(`file://${join(scratch, 'durable')}`), concurrency: 8, durable: true });
    await durable.open();
    assert.equal(durable.environment().fsync, true);
    assert.match(durable.semantics().writeDurability, /^fsync/);
    await durable.write('a/b', Buffer.from('x'));
    const opt = await driverAt(`file://${join(scratch, 'durable')}?fsync=true`);
    assert.equal(opt.environment().fsync, true);
    const plain = await driverAt(`file://${join(scratch, 'durable')}`);
    assert.equal(plain.environment().fsync, false);
  });

  test('bad targets are refused naming the problem', async () => {
    // the URL itself when the driver is created (before open: a suite refuses it before any run)
    await assert.rejects(() => createDriver({ target: parseTarget('file://somehost/x'), concurrency: 1 }), /takes no host/);
    // options when the target is parsed, every problem together
    assert.throws(() => parseTarget('file:///x?fanout=9'), /target option fanout: expected a whole number from 0 to 4, got "9"/);
    assert.throws(() => parseTarget('file:///x?io=mmap'), /target option io: expected one of auto, async, sync, got "mmap"/);
    assert.throws(() => parseTarget('file:///x?fsnyc=true'), /unknown option fsnyc for file:\/\/ \(known: profile, /);
    assert.throws(
      () => parseTarget('file:///x?readChunk=1KiB&direct=maybe&stripeSize=1X'),
      /target option direct: expected true or false, got "maybe"; target option readChunk: expected 4KiB to 64MiB; target option stripeSize: expected lfs's form \(1M, 4M, 65536\), got "1X"/,
    );
    assert.throws(() => parseTarget('file:///x?readChunk=lots'), /target option readChunk: "lots" is not a size/);
  });

  test('key `a` and key `a/b` coexist with fan-out only, as the capability says', async () => {
    const fanned = await driverAt(`file://${join(scratch, 'coexist')}`);
    assert.equal(fanned.capabilities.keyAndPrefixCoexist, true);
    await fanned.write('a', Buffer.from('1'));
    await fanned.write('a/b', Buffer.from('2'));
    assert.deepEqual(await listKeys(fanned, ''), ['a', 'a/b']);
    const flat = await driverAt(`file://${join(scratch, 'coexist-flat')}?fanout=0`);
    assert.equal(flat.capabilities.keyAndPrefixCoexist, false);
    await flat.write('a', Buffer.from('1'));
    const e = await expectKind('NotFound', () => flat.write('a/b', Buffer.from('2')));
    assert.equal(e.code, 'ENOTDIR', 'the errno is kept as the code');
  });

  test('node:fs errors keep their errno as the code', async () => {
    const d = await driverAt(`file://${join(scratch, 'codes')}`);
    assert.equal((await expectKind('NotFound', () => d.read('missing'))).code, 'ENOENT');
    assert.equal((await expectKind('NotFound', () => d.stat('missing'))).code, 'ENOENT');
    assert.equal((await expectKind('NotFound', () => d.append!('missing', Buffer.from('x')))).code, 'ENOENT');
  });

  test('io=sync: blocking calls, recorded; the runner gives it one thread per worker and refuses fewer', async () => {
    const d = await driverAt(`file://${join(scratch, 'sync')}?io=sync`);
    assert.equal(d.blocking, true);
    assert.equal(d.environment().ioEngine, 'sync');
    assert.equal(d.environment().uvThreadpoolSize, undefined, 'no threadpool in the path');
    assert.ok(!warningCodes(d).includes('threadpool-handoff'), 'no threadpool hand-off with blocking calls');
    await d.close();
    const store = openStore(':memory:');
    const target = parseTarget(`file://${join(scratch, 'sync-run')}?io=sync`);
    const r = await runBenchmark({ target, spec: loadWorkload('get-small', { ops: 200, objects: 20, concurrency: 2, verify: true }), store });
    assert.equal(r.status, 'completed', r.error);
    assert.equal(r.ops[0]!.count, 200);
    assert.equal(r.ops[0]!.errors, 0);
    const env = store.getRun(r.runId)!.environment;
    assert.equal(env.threads, 2);
    assert.match(String(env.threadsChoice), /blocking calls, so one thread per worker \(2\)/);
    const runs = store.listRuns().total;
    await assert.rejects(
      () => runBenchmark({ target, spec: loadWorkload('put-small', { ops: 10, concurrency: 4, threads: 2 }), store }),
      /threads: file:\/\/ with blocking calls runs one worker per thread: give --threads 4/,
    );
    assert.equal(store.listRuns().total, runs, 'nothing recorded');
    store.close();
  });
});

describe('file:// environment', () => {
  test('the file system of the root is detected and reported', async () => {
    const d = await driverAt(`file://${scratch}`);
    const env = d.environment();
    assert.match(String(env.fsMagic), /^0x[0-9a-f]{8}$/);
    assert.notEqual(env.fsType, 'unknown');
    assert.equal(d.system(), env.fsName);
    assert.equal(d.semantics().fileSystem, env.fsType);
  });

  test('tmpfs is reported as tmpfs', { skip: !existsSync('/dev/shm') && 'no /dev/shm on this host' }, async () => {
    const dir = mkdtempSync('/dev/shm/storbench-file-');
    try {
      const d = await driverAt(`file://${dir}`);
      assert.equal(d.system(), 'tmpfs');
      assert.equal(d.environment().fsMagic, '0x01021994');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('mountinfo: the longest mount point holding the path wins, escapes and secrets handled', () => {
    const mounts = parseMountinfo(
      [
        '22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
        '40 22 0:40 / /mnt/gv rw,relatime - fuse.glusterfs 127.0.0.1:/gv0 rw,user_id=0,default_permissions',
        '41 22 0:41 / /mnt/my\\040share rw - cifs //srv/x rw,username=bob,password=hunter2,vers=3.0',
      ].join('\n'),
    );
    assert.equal(mountOf(mounts, '/mnt/gv/data')?.fsType, 'fuse.glusterfs');
    assert.equal(mountOf(mounts, '/mnt/gvx')?.fsType, 'ext4');
    const cifs = mountOf(mounts, '/mnt/my share/a');
    assert.equal(cifs?.fsType, 'cifs');
    assert.ok(!cifs?.options.includes('hunter2'));
  });

  test('the threadpool size is recorded (configureThreadpool runs once, before fs work)', async () => {
    const info = configureThreadpool(64);
    assert.ok(info.size >= 4 && info.size <= 1024);
    const d = await driverAt(`file://${scratch}`);
    assert.equal(d.environment().uvThreadpoolSize, info.size);
    assert.equal(configureThreadpool(2), info, 'a second call changes nothing');
  });

  test('one threadpool rule (bin/storbench.cjs applies it): preset wins, else STORBENCH_THREADPOOL, else concurrency in 4..1024, else 64', () => {
    assert.deepEqual(decideThreadpool({ UV_THREADPOOL_SIZE: '12' }, 100), { size: 12, source: 'preset' });
    assert.deepEqual(decideThreadpool({ UV_THREADPOOL_SIZE: '12', STORBENCH_THREADPOOL_SOURCE: 'set' }), { size: 12, source: 'set' });
    assert.deepEqual(decideThreadpool({ UV_THREADPOOL_SIZE: '5000' }), { size: 1024, source: 'preset' });
    assert.deepEqual(decideThreadpool({ STORBENCH_THREADPOOL: '8' }, 100), { size: 8, source: 'set' });
    assert.deepEqual(decideThreadpool({}, 2), { size: 4, source: 'set' });
    assert.deepEqual(decideThreadpool({}, 300), { size: 300, source: 'set' });
    assert.deepEqual(decideThreadpool({}, 5000), { size: 1024, source: 'set' });
    assert.deepEqual(decideThreadpool({}), { size: 64, source: 'set' });
    assert.deepEqual(decideThreadpool({}, Number.NaN), { size: 64, source: 'set' });
  });

  test('io=async on a local file system warns of the threadpool hand-off; the environment says which engine ran', async () => {
    const d = await driverAt(`file://${join(scratch, 'handoff')}`);
    assert.equal(d.environment().ioEngine, 'async');
    assert.notEqual(d.environment().fsType, 'unknown');
    const handoff = d.warnings?.().find((w) => w.code === 'threadpool-handoff');
    assert.match(String(handoff?.text), /threadpool/);
  });
});

/** A driver with direct=true under the scratch directory, or the test skipped where O_DIRECT does not work. */
async function directDriver(t: TestContext, name: string, io = 'async'): Promise<Driver | undefined> {
  try {
    return await driverAt(`file://${join(scratch, name)}?direct=true&readChunk=64KiB&io=${io}`);
  } catch (e) {
    if (!isStorageError(e, 'Unsupported')) throw e;
    t.skip(`O_DIRECT does not work on ${tmpdir()}: ${e.message}`);
    return undefined;
  }
}

describe('file:// profiles and cache honesty', () => {
  const fsOf = (type: string, source = ''): FileSystemInfo => ({
    type,
    display: type,
    magic: '',
    blockSize: 4096,
    ...(source ? { mount: { mountPoint: '/m', fsType: type, source, options: '' } } : {}),
  });

  test('profiles are detected from the mount', () => {
    assert.equal(detectProfile(fsOf('nfs4', 'gw1:/mapr/my.cluster/data')), 'mapr-nfs');
    assert.equal(detectProfile(fsOf('nfs', 'isilon.local:/ifs/data/hdfs')), 'isilon');
    assert.equal(detectProfile(fsOf('nfs4', 'srv:/export')), 'nfs');
    assert.equal(detectProfile(fsOf('lustre', '10.0.0.1@tcp:/scratch')), 'lustre');
    assert.equal(detectProfile(fsOf('gpfs', 'gpfs0')), 'gpfs');
    assert.equal(detectProfile(fsOf('fuse.glusterfs', 'h:/gv0')), 'glusterfs');
    assert.equal(detectProfile(fsOf('ext4', '/dev/sda1')), 'local');
    assert.equal(detectProfile(fsOf('tmpfs')), 'local');
  });

  test('a given profile sets its defaults, URL options override them, and all are recorded', async () => {
    const dir = join(scratch, 'profiles');
    const nfs = await driverAt(`file://${dir}?profile=nfs&direct=false`);
    let env = nfs.environment();
    assert.equal(env.profile, 'nfs');
    assert.equal(env.profileSource, 'given');
    assert.equal(env.fsync, true);
    assert.match(String(env.profileWhy), /close-to-open/);
    assert.equal(env.largeFileMode, 'file-per-worker');
    const overridden = await driverAt(`file://${dir}?profile=nfs&fsync=false&fanout=1&fanoutWidth=16&direct=false`);
    env = overridden.environment();
    assert.deepEqual([env.fsync, env.fanoutLevels, env.fanoutWidth, env.directIO], [false, 1, 16, 'off']);
    const local = await driverAt(`file://${dir}`);
    assert.equal(local.environment().profile, 'local');
    assert.equal(local.environment().directIO, 'off');
    assert.match(String(local.warnings?.().find((w) => w.code === 'page-cache')?.text), /page cache/);
    assert.throws(() => parseTarget(`file://${dir}?profile=hdfs`), /target option profile: expected one of local, nfs, /);
  });

  for (const io of ['async', 'sync'])
    test(`O_DIRECT round-trips odd sizes and ranges where the file system takes it (io=${io})`, async (t) => {
      const d = await directDriver(t, 'direct', io);
      if (!d) return;
      assert.match(String(d.environment().directIO), /^on/);
      assert.ok(!warningCodes(d).includes('page-cache'), 'O_DIRECT: no page-cache warning');
      for (const size of [0, 1, 4095, 4096, 4097, 200_001]) {
        const data = Buffer.alloc(size);
        for (let i = 0; i < size; i++) data[i] = (i * 7 + size) & 0xff;
        await d.write(`d/${size}`, data);
        assert.ok((await readAll(d, `d/${size}`)).equals(data), `size ${size}`);
        assert.equal((await d.stat(`d/${size}`)).size, size);
        if (size > 5000) {
          assert.ok((await readAll(d, `d/${size}`, 4999, 70_001)).equals(data.subarray(4999, 75_000)));
        }
      }
      await d.close();
    });

  test('direct=auto: the O_DIRECT probe is made under storbench/ and unlinked once open, so the root holds nothing else', async (t) => {
    const root = join(scratch, 'direct-auto');
    mkdirSync(root);
    writeFileSync(join(root, 'user.txt'), 'mine');
    const d = await driverAt(`file://${root}?direct=auto`);
    if (!String(d.environment().directIO).startsWith('on')) return t.skip(`O_DIRECT does not work on ${tmpdir()}: ${String(d.environment().directIO)}`);
    // while the driver is open (a SIGKILL now leaves exactly this)
    assert.deepEqual(readdirSync(root).sort(), ['storbench', 'user.txt']);
    assert.deepEqual(readdirSync(join(root, 'storbench'), { recursive: true }), []);
    await d.write('k', Buffer.from('x'));
    assert.equal((await readAll(d, 'k')).toString(), 'x', 'the pool works with its probe unlinked');
    await d.close();
  });

  test('O_DIRECT positional writes: whole pages direct, unaligned edges buffered, neighbours intact', async (t) => {
    const d = await directDriver(t, 'direct-at');
    if (!d) return;
    assert.match(String(d.semantics().positionalWrite), /O_DIRECT for whole pages/);
    for (const behavior of behaviors.filter((b) => b.needs.includes('positionalWrite'))) {
      const outcome = await runBehavior(d, behavior);
      assert.equal(outcome.status, 'pass', `${behavior.name}: ${outcome.detail}`);
    }
    // 1000-byte segments share every page with a neighbour: none of them may be padded over or cut
    const data = Buffer.alloc(40 * 1000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 7) & 0xff;
    const order = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    await Promise.all(order.map((i) => d.writeAt!('small', i * 1000, data.subarray(i * 1000, (i + 1) * 1000))));
    assert.ok((await readAll(d, 'small')).equals(data));
    await d.close();
  });

  test('dropCaches drops the page cache as root and is recorded; refuses politely otherwise', async () => {
    const d = await driverAt(`file://${join(scratch, 'drop')}`);
    assert.ok(warningCodes(d).includes('page-cache'), 'before any drop: reads may come from the page cache');
    const result = await d.dropCaches!();
    if (process.getuid?.() === 0) assert.equal(result.dropped, true, result.detail);
    else assert.match(result.detail, /root/);
    assert.match(String(d.environment().dropCaches), result.dropped ? /^dropped/ : /^not dropped/);
    assert.equal(warningCodes(d).includes('page-cache'), !result.dropped);
  });
});

/** A streamed body that yields `first` and then waits until `release()` (which makes it fail). */
function stalledBody(first: Uint8Array): { body: AsyncIterable<Uint8Array>; release: () => void } {
  let release: () => void = () => undefined;
  const released = new Promise<never>((_, reject) => {
    release = () => reject(new Error('released'));
  });
  released.catch(() => undefined);
  async function* body(): AsyncIterable<Uint8Array> {
    yield first;
    await released;
  }
  return { body: body(), release };
}

/** Files under `dir` whose names start with `#tmp.` (the driver's temporary files). */
const tmpFilesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith('#tmp.'))
    .map((e) => join(e.parentPath, e.name));

describe('file:// write modes', () => {
  test('atomic (the local default): a reader never sees a partial file, only the old object or none', async () => {
    const root = join(scratch, 'atomic');
    const d = await driverAt(`file://${root}`);
    assert.equal(d.semantics().writeMode, 'atomic');
    assert.equal(d.environment().writeModeSource, 'profile');
    const old = Buffer.alloc(10_000, 0x6f);
    await d.write('k/old', old);
    for (const [key, before] of [
      ['k/new', undefined],
      ['k/old', old],
    ] as const) {
      const { body, release } = stalledBody(Buffer.alloc(64 * 1024, 0x5a));
      const writing = d.write(key, body);
      writing.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50)); // the first chunk is on disk, in the temporary file
      assert.equal(tmpFilesUnder(root).length, 1, 'the partial write is in a temporary file');
      if (before) assert.ok((await readAll(d, key)).equals(before), 'the old object, whole');
      else await expectKind('NotFound', () => d.stat(key));
      assert.deepEqual(await listKeys(d, 'k/'), ['k/old'], 'the listing hides the temporary file');
      release();
      await assert.rejects(writing, /released/);
      assert.deepEqual(tmpFilesUnder(root), [], 'a failed write removes its temporary file');
    }
  });

  test('atomic: a process killed mid-write leaves only a temporary file, which the listing hides', async () => {
    const root = join(scratch, 'atomic-killed');
    const d = await driverAt(`file://${root}`);
    await d.write('k/kept', Buffer.from('kept'));
    // a child writes a streamed body that never ends, says so, and is killed (SIGKILL: no cleanup of any kind)
    const script = [
      "import { openDriver } from './test/support/drivers.ts';",
      `const d = await openDriver(${JSON.stringify(`file://${root}`)}, 1);`,
      "async function* body() { yield Buffer.alloc(65536, 1); process.stdout.write('writing\\n'); await new Promise(() => setInterval(() => {}, 1000)); }",
      "await d.write('k/torn', body());",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '../..') });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    await new Promise((r) => setTimeout(r, 100)); // the chunk reaches the file
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const left = tmpFilesUnder(root);
    assert.equal(left.length, 1, 'the torn write is a temporary file');
    assert.equal(readFileSync(left[0]!).length, 65536);
    await expectKind('NotFound', () => d.stat('k/torn'));
    assert.deepEqual(await listKeys(d, 'k/'), ['k/kept']);
    assert.equal(await d.deletePrefix('k/'), 1);
    assert.deepEqual(tmpFilesUnder(root), [], 'deletePrefix removes what the killed write left');
  });

  test('in-place: the file is created at its final name and written there; a failed write removes it', async () => {
    for (const io of ['async', 'sync']) {
      const root = join(scratch, `in-place-${io}`);
      const d = await driverAt(`file://${root}?writeMode=in-place&io=${io}`);
      assert.equal(d.semantics().writeMode, 'in-place');
      assert.match(String(d.semantics().writeDurability), /in place/);
      assert.equal(d.environment().writeModeSource, 'given');
      const path = join(root, locate('k/a', { levels: Number(d.environment().fanoutLevels), width: Number(d.environment().fanoutWidth) }).file);
      const { body, release } = stalledBody(Buffer.alloc(64 * 1024, 0x5a));
      const writing = d.write('k/a', body);
      writing.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(readFileSync(path).length, 64 * 1024, 'the partial write is at the final name');
      assert.deepEqual(tmpFilesUnder(root), [], 'no temporary file');
      release();
      await assert.rejects(writing, /released/);
      assert.ok(!existsSync(path), 'the failed write left nothing under the key');
      // a whole write, then an overwrite by a shorter one: the whole object is replaced
      await d.write('k/a', Buffer.alloc(5000, 1));
      await d.write('k/a', Buffer.from('short'));
      assert.equal(readFileSync(path, 'utf8'), 'short');
      assert.deepEqual(tmpFilesUnder(root), []);
    }
  });

  test('writeMode: each profile has one (lustre and gpfs in place, as mdtest), the URL overrides it, a bad value is refused by name', async () => {
    const at = (q: string) => driverAt(`file://${join(scratch, 'modes')}?${q}`);
    assert.equal((await at('profile=lustre')).semantics().writeMode, 'in-place');
    assert.equal((await at('profile=gpfs')).semantics().writeMode, 'in-place');
    assert.equal((await at('profile=nfs')).semantics().writeMode, 'atomic');
    assert.equal((await at('profile=local')).semantics().writeMode, 'atomic');
    assert.equal((await at('profile=lustre&writeMode=atomic')).semantics().writeMode, 'atomic');
    assert.throws(() => parseTarget('file:///x?writeMode=sideways'), /target option writeMode: expected atomic or in-place, got "sideways"/);
  });
});

describe('file:// io=auto (the default engine)', () => {
  const created = async (url: string, concurrency: number, threads?: number | 'auto') => {
    const d = await createDriver({ target: parseTarget(url), concurrency, ...(threads === undefined ? {} : { threads }) });
    await d.open();
    return d;
  };

  test('blocking calls where each worker has a thread of its own, else the threadpool; recorded with why', async () => {
    const url = `file://${join(scratch, 'auto')}`;
    const most = Math.min(64, 2 * availableParallelism()); // threads that fit the cores (and the runner's limit)
    const cases: [number, number | 'auto' | undefined, string][] = [
      [most, 'auto', 'sync'],
      [most, most, 'sync'],
      [1, 1, 'sync'], // a worker thread's own driver, one worker
      [most + 1, 'auto', 'async'], // more threads than the cores take
      [4, 2, 'async'], // workers share threads
      [8, undefined, 'async'], // not a run: an embedder keeps its event loop free
    ];
    for (const [concurrency, threads, engine] of cases) {
      const d = await created(url, concurrency, threads);
      const what = `concurrency ${concurrency}, threads ${threads}`;
      assert.equal(d.environment().ioEngine, engine, what);
      assert.equal(d.blocking, engine === 'sync', what);
      assert.match(String(d.environment().ioEngineWhy), new RegExp(`^auto: ${engine} `), what);
      await d.close();
    }
    const given = await created(`${url}?io=async`, 4, 'auto');
    assert.equal(given.environment().ioEngine, 'async');
    assert.equal(given.environment().ioEngineWhy, 'given (io)');
  });

  test('a run with no engine option runs blocking calls on one thread per worker, and records it', async () => {
    const store = openStore(':memory:');
    const target = parseTarget(`file://${join(scratch, 'auto-run')}`);
    const r = await runBenchmark({ target, spec: loadWorkload('put-small', { ops: 400, concurrency: 2, size: '4KiB' }), store });
    assert.equal(r.status, 'completed', r.error);
    assert.equal(r.ops[0]!.count, 400);
    const run = store.getRun(r.runId)!;
    assert.equal(run.environment.ioEngine, 'sync');
    assert.equal(run.environment.threads, 2);
    assert.equal(run.semantics.writeMode, 'atomic');
    // fewer threads than workers: the same target falls back to the threadpool instead of refusing
    const shared = await runBenchmark({ target, spec: loadWorkload('put-small', { ops: 100, concurrency: 4, threads: 2 }), store });
    assert.equal(shared.status, 'completed', shared.error);
    assert.equal(store.getRun(shared.runId)!.environment.ioEngine, 'async');
    store.close();
  });
});
