/**
 * `npm run bench:hdfs [-- --files 4 --size 64 --target webhdfs://...]`
 *
 * TestDFSIO's work (N files of S MiB, one writer or reader per file) on the local HDFS, done three ways in one run:
 *   1. storbench: the `dfsio-write` / `dfsio-read` presets through the CLI and runner, webhdfs:// driver;
 *   2. Hadoop's own WebHDFS client (WebHdfsFileSystem) doing exactly that work: bench/hdfs/DfsioWebHdfs.java;
 *   3. TestDFSIO itself (hadoop-mapreduce-client-jobclient tests jar, LocalJobRunner, fs.defaultFS=webhdfs://),
 *      once per operation in the first round (it takes far longer; `--skip-testdfsio` leaves it out).
 * storbench and the Hadoop client alternate, storbench first in odd rounds and second in even ones (storbench,
 * hadoop, hadoop, storbench, ...), so that a machine getting busier or quieter does not favour either. Every phase
 * prints its figure with the load average at its start; the ratio storbench / Hadoop client is taken within each
 * round (two neighbouring phases) and the median of those same-round ratios is the result. Each phase also prints its
 * client's CPU time per MiB over the measured window (storbench's own `clientCpu`; the JVM's process CPU time around
 * the I/O in DfsioWebHdfs), the figure the machine's load disturbs least.
 * It prints the throughputs, the ratios, the cluster's peak memory, and ends with one JSON line.
 * The figures measure the machine as it is (other processes included): run it on a quiet machine to quote them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { parseTarget } from '../src/drivers/target.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(repo, 'bench', 'hdfs');
const run = promisify(execFile);
const JAVA = process.env.STORBENCH_JAVA17 ?? '/usr/lib/jvm/java-17-openjdk-amd64/bin/java';
const HADOOP_VERSION = '3.5.0';
// The JPMS opens Hadoop's launcher adds on Java 17 (see scripts/services/hdfs/up.sh).
const JPMS = [
  'java.io',
  'java.lang',
  'java.lang.reflect',
  'java.math',
  'java.net',
  'java.nio',
  'java.text',
  'java.util',
  'java.util.concurrent',
  'java.util.zip',
  'sun.nio.ch',
  'sun.security.util',
  'sun.security.x509',
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '4' },
    size: { type: 'string', default: '128' },
    target: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    'skip-testdfsio': { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const files = Number(args.files);
const sizeMiB = Number(args.size);
if (![files, sizeMiB, rounds].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error('usage: npm run bench:hdfs -- [--files N] [--size MiB] [--rounds N] [--skip-testdfsio] [--target webhdfs://host:port/root?user=NAME]');
  process.exit(2);
}

/** The cluster's target URL: given, or the hdfs service (started when it is not running). */
async function targetUrl(): Promise<string> {
  if (args.target) return args.target;
  if (process.env.STORBENCH_TEST_HDFS) return process.env.STORBENCH_TEST_HDFS;
  console.log('starting the hdfs service (npm run services -- up hdfs)...');
  const { stdout } = await run('bash', [join(repo, 'scripts/services.sh'), 'up', 'hdfs'], { cwd: repo, timeout: 600_000 });
  return stdout.trim().split('\n').at(-1)!;
}

/** Hadoop's client jars (TestDFSIO and WebHdfsFileSystem), resolved once from Maven Central into a cache. */
async function hadoopClientLib(): Promise<string> {
  const lib = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'storbench', `hadoop-${HADOOP_VERSION}`, 'bench-lib');
  if (existsSync(join(lib, '.complete'))) return lib;
  console.log(`resolving Hadoop ${HADOOP_VERSION} client jars (TestDFSIO, WebHdfsFileSystem) into ${lib}...`);
  mkdirSync(lib, { recursive: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(here, 'pom.xml'),
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      `-DoutputDirectory=${lib}`,
      '-DincludeScope=runtime',
    ],
    { timeout: 900_000, env: { ...process.env, JAVA_HOME: dirname(dirname(JAVA)) } },
  );
  writeFileSync(join(lib, '.complete'), '');
  return lib;
}

/** Sum of the RSS of the cluster's JVMs (their PIDs from the service state), sampled until stopped. */
function watchClusterMemory(): { stop(): number } {
  const state = join(process.env.STORBENCH_SERVICES_STATE ?? join(repo, '.services'), 'hdfs');
  const pids = existsSync(state)
    ? readdirSync(state)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => readFileSync(join(state, f), 'utf8').trim())
    : [];
  let peak = 0;
  const sample = (): void => {
    let sum = 0;
    for (const pid of pids) {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) sum += Number(m[1]) * 1024;
      } catch {
        /* exited */
      }
    }
    peak = Math.max(peak, sum);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

interface Figures {
  /** Total MiB / wall time of the I/O phase. */
  aggregateMiBps: number;
  /** TestDFSIO's "Throughput mb/sec": total MiB / sum of the per-file times. */
  throughputMiBps?: number;
  /** TestDFSIO's "Average IO rate mb/sec": mean of the per-file rates. */
  avgIoRateMiBps?: number;
  errors?: number;
  /** Client CPU microseconds (user + system, every thread) per MiB moved, over the measured window. */
  cpuUsPerMiB?: number;
}

/** storbench's CLI and runner with the dfsio preset; the one JSON document it prints. */
async function storbench(url: string, op: 'write' | 'read', db: string): Promise<Figures> {
  const argv = [
    join(repo, 'bin/storbench.cjs'),
    'run',
    '--target',
    url,
    '--workload',
    `dfsio-${op}`,
    '--concurrency',
    String(files),
    '--objects',
    String(files),
    '--size',
    `${sizeMiB}MiB`,
    '--json',
    '--db',
    db,
  ];
  const { stdout } = await run(process.execPath, argv, { cwd: repo, timeout: 900_000, maxBuffer: 64 << 20 });
  const doc = JSON.parse(stdout) as {
    status: string;
    results: { op: string; count: number; errors: number; mibPerSec: number; meanIoRateMibPerSec?: number }[];
    clientCpu?: { usPerOp: number };
  };
  const r = doc.results.find((x) => x.op === op);
  if (!r || r.count === 0) throw new Error(`storbench dfsio-${op}: no "${op}" result in ${stdout.slice(0, 500)}`);
  return {
    aggregateMiBps: r.mibPerSec,
    ...(r.meanIoRateMibPerSec !== undefined ? { avgIoRateMiBps: r.meanIoRateMibPerSec } : {}),
    errors: r.errors,
    // One operation per file of sizeMiB (and the run measured nothing else).
    ...(doc.clientCpu ? { cpuUsPerMiB: doc.clientCpu.usPerOp / sizeMiB } : {}),
  };
}

/** Run a JVM as the user storbench uses; `classpath` is `[classes:]lib` (the lib folder's jars are added). */
async function java(classpath: string, user: string, javaArgs: string[]): Promise<string> {
  const child = spawn(JAVA, [...JPMS, '-Xmx768m', '-cp', `${join(repo, 'scripts/services/hdfs')}:${classpath}/*`, ...javaArgs], {
    env: { ...process.env, HADOOP_USER_NAME: user },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`java ${javaArgs[0]} exited with ${code}:\n${err.split('\n').slice(-15).join('\n')}`);
  return out;
}

/** Compile bench/hdfs/DfsioWebHdfs.java against the Hadoop client jars; returns the classes folder. */
async function compileDfsio(lib: string, scratch: string): Promise<string> {
  const classes = join(scratch, 'classes');
  await run(join(dirname(JAVA), 'javac'), ['-cp', `${lib}/*`, '-d', classes, join(here, 'DfsioWebHdfs.java')], { timeout: 300_000 });
  return classes;
}

/** Hadoop's WebHdfsFileSystem doing the dfsio work (bench/hdfs/DfsioWebHdfs.java). */
async function hadoopClient(lib: string, classes: string, nn: string, user: string, dir: string, op: 'write' | 'read'): Promise<Figures> {
  const out = await java(`${classes}:${lib}`, user, ['DfsioWebHdfs', `webhdfs://${nn}`, dir, op, String(files), String(sizeMiB)]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Figures;
}

/** TestDFSIO itself (MapReduce LocalJobRunner in-process, one map task per file, all in parallel). */
async function testDfsio(lib: string, nn: string, user: string, dir: string, op: 'write' | 'read', scratch: string): Promise<Figures> {
  const resFile = join(scratch, `dfsio-${op}.txt`);
  await java(lib, user, [
    'org.apache.hadoop.fs.TestDFSIO',
    '-D',
    `fs.defaultFS=webhdfs://${nn}`,
    '-D',
    'mapreduce.framework.name=local',
    '-D',
    `mapreduce.local.map.tasks.maximum=${files}`,
    '-D',
    `test.build.data=${dir}`,
    '-D',
    `hadoop.tmp.dir=${join(scratch, 'tmp')}`,
    `-${op}`,
    '-nrFiles',
    String(files),
    '-size',
    `${sizeMiB}MB`,
    '-bufferSize',
    String(1 << 20),
    '-resFile',
    resFile,
  ]);
  const text = readFileSync(resFile, 'utf8');
  const num = (label: string): number => Number(new RegExp(`${label}:\\s*([\\d.]+)`).exec(text)?.[1]);
  // TestDFSIO's "exec time" includes the job's setup: its aggregate is files × per-file throughput (all maps parallel).
  return { throughputMiBps: num('Throughput mb/sec'), avgIoRateMiBps: num('Average IO rate mb/sec'), aggregateMiBps: NaN };
}

/** Pause before each measurement. */
const SETTLE_MS = 3000;

const fmt = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(1));

async function main(): Promise<void> {
  const url = await targetUrl();
  const target = parseTarget(url);
  const nn = target.hosts[0]!;
  const user = target.options.user ?? 'storbench';
  const lib = await hadoopClientLib();
  const scratch = mkdtempSync(join(tmpdir(), 'storbench-bench-hdfs-'));
  const base = `${target.path}/bench-hdfs-hadoop`;
  console.log(`dfsio: ${files} files × ${sizeMiB} MiB, one ${files === 1 ? 'worker' : 'worker per file'}, on ${target.redacted}\n`);

  const classes = await compileDfsio(lib, scratch);
  const memory = watchClusterMemory();
  type Op = 'write' | 'read';
  type Client = { name: 'storbench' | 'hadoopClient' | 'testDfsio'; run: (op: Op) => Promise<Figures>; score: (x: Figures) => number };
  const storbenchClient: Client = { name: 'storbench', run: (op) => storbench(url, op, join(scratch, 'results.db')), score: (x) => x.aggregateMiBps };
  const hadoop: Client = { name: 'hadoopClient', run: (op) => hadoopClient(lib, classes, nn, user, `${base}/client`, op), score: (x) => x.aggregateMiBps };
  const dfsio: Client = { name: 'testDfsio', run: (op) => testDfsio(lib, nn, user, `${base}/TestDFSIO`, op, scratch), score: (x) => x.throughputMiBps ?? 0 };
  /** Every phase as measured, with the 1/5/15-minute load average at its start. */
  const phases: { round: number; op: Op; client: string; figures: Figures; load: number[] }[] = [];
  const best: Record<Op, Partial<Record<Client['name'], Figures>>> = { write: {}, read: {} };
  const sameRound: Record<Op, number[]> = { write: [], read: [] };
  const measure = async (round: number, op: Op, client: Client): Promise<Figures> => {
    // A pause lets the DataNodes finish the previous step (replication, block reports, a JVM's exit).
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const load = loadavg().map((l) => Math.round(l * 100) / 100);
    const f = await client.run(op);
    phases.push({ round, op, client: client.name, figures: f, load });
    console.log(
      `round ${round} ${op.padEnd(5)} ${client.name.padEnd(12)} ${fmt(client.score(f)).padStart(8)} MiB/s${client === dfsio ? ' (throughput)' : ''}   client CPU ${f.cpuUsPerMiB === undefined ? '-' : f.cpuUsPerMiB.toFixed(0)} µs/MiB   load ${load.join(' ')}`,
    );
    const prev = best[op][client.name];
    if (!prev || client.score(f) > client.score(prev)) best[op][client.name] = f;
    return f;
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      const pair = round % 2 === 1 ? [storbenchClient, hadoop] : [hadoop, storbenchClient];
      for (const op of ['write', 'read'] as const) {
        const got = new Map<Client, Figures>();
        for (const client of pair) got.set(client, await measure(round, op, client));
        sameRound[op].push(got.get(storbenchClient)!.aggregateMiBps / got.get(hadoop)!.aggregateMiBps);
        if (round === 1 && !args['skip-testdfsio']) await measure(round, op, dfsio);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await fetch(`http://${nn}/webhdfs/v1${encodeURI(base)}?op=DELETE&recursive=true&user.name=${encodeURIComponent(user)}`, { method: 'DELETE' })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
  const peakMiB = memory.stop() / 1048576;

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const ratio = { write: median(sameRound.write), read: median(sameRound.read) };
  const ratioOfBest: Record<string, number> = {};
  console.log(`\nbest of ${rounds} round(s):`);
  console.log('op     client                                   aggregate MiB/s   throughput MiB/s   avg IO rate MiB/s');
  for (const op of ['write', 'read'] as const) {
    const r = best[op];
    const row = (label: string, f: Figures | undefined): void => {
      if (f)
        console.log(
          `${op.padEnd(6)} ${label.padEnd(40)} ${fmt(f.aggregateMiBps).padStart(15)} ${fmt(f.throughputMiBps).padStart(18)} ${fmt(f.avgIoRateMiBps).padStart(19)}`,
        );
    };
    row('storbench (webhdfs:// driver)', r.storbench);
    row('Hadoop WebHdfsFileSystem (same work)', r.hadoopClient);
    row('TestDFSIO (MapReduce local, webhdfs://)', r.testDfsio);
    ratioOfBest[op] = r.storbench!.aggregateMiBps / r.hadoopClient!.aggregateMiBps;
  }
  const list = (xs: number[]): string => xs.map((x) => `${x.toFixed(2)}x`).join(' ');
  console.log(`\nstorbench / Hadoop WebHdfsFileSystem, aggregate, per round: write ${list(sameRound.write)}; read ${list(sameRound.read)}`);
  console.log(
    `median of the same-round ratios: write ${ratio.write.toFixed(2)}x, read ${ratio.read.toFixed(2)}x (of the best rounds: write ${ratioOfBest.write!.toFixed(2)}x, read ${ratioOfBest.read!.toFixed(2)}x)`,
  );
  const cpuOf = (op: Op, client: string): number =>
    median(phases.filter((p) => p.op === op && p.client === client && p.figures.cpuUsPerMiB !== undefined).map((p) => p.figures.cpuUsPerMiB!));
  const clientCpuUsPerMiB = {
    write: { storbench: cpuOf('write', 'storbench'), hadoopClient: cpuOf('write', 'hadoopClient') },
    read: { storbench: cpuOf('read', 'storbench'), hadoopClient: cpuOf('read', 'hadoopClient') },
  };
  const us = (n: number): string => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} µs`);
  console.log(
    `client CPU per MiB over the measured window, median: write storbench ${us(clientCpuUsPerMiB.write.storbench)}, Hadoop ${us(clientCpuUsPerMiB.write.hadoopClient)}; ` +
      `read storbench ${us(clientCpuUsPerMiB.read.storbench)}, Hadoop ${us(clientCpuUsPerMiB.read.hadoopClient)}`,
  );
  console.log(`cluster peak RSS during the bench (NameNode + DataNodes): ${peakMiB.toFixed(0)} MiB`);
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(
    JSON.stringify({
      bench: 'hdfs',
      files,
      sizeMiB,
      rounds,
      ...best,
      phases: phases.map((p) => ({
        round: p.round,
        op: p.op,
        client: p.client,
        aggregateMiBps: p.figures.aggregateMiBps,
        throughputMiBps: p.figures.throughputMiBps,
        cpuUsPerMiB: p.figures.cpuUsPerMiB,
        load: p.load,
      })),
      sameRoundRatios: sameRound,
      clientCpuUsPerMiB,
      ratioOfBest,
      clusterPeakRssMiB: Math.round(peakMiB),
      loadAtEnd: load,
      ratio,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
