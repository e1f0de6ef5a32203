/**
 * An agent: one client process of a multi-client run, launched by an engine (`storbench agent ...`). It dials
 * the coordinator, proves itself with the run's token, receives the run and its share, opens its own driver,
 * prepares its share of the objects, starts its threads, measures its clock offset, waits at the barrier,
 * starts at the common start time, reports once a second, and sends its record sets at the end. It never
 * opens the results store. It stops when told, and at once when the coordinator's connection is lost.
 */
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createDriver } from '../drivers/registry.js';
import { parseTarget, redactString } from '../drivers/target.js';
import type { Driver } from '../drivers/types.js';
import { clientCpuOf, cpuNow } from '../runner/client-cpu.js';
import { drained } from '../runner/measure.js';
import type { MeasureContext } from '../runner/placement/context.js';
import { MainLoop } from '../runner/placement/main-loop.js';
import { NO_TOTALS, type Running } from '../runner/placement/placement.js';
import { StartGate } from '../runner/placement/start-gate.js';
import { startThreads } from '../runner/placement/threads.js';
import { prepare } from '../runner/prepare.js';
import { hostFacts } from '../runner/run.js';
import { STORBENCH_VERSION } from '../version.js';
import { PayloadSource } from '../workloads/payload.js';
import { parseSizeDistribution } from '../workloads/sizes.js';
import { agentSpec } from './plan.js';
import { type AgentMessage, type AgentPlan, type CoordinatorMessage, clockMs, HEARTBEAT_MS, readMessages, send } from './protocol.js';

/** Pings taken to estimate the clock offset; the one with the shortest round trip counts. */
const CLOCK_PINGS = 7;
/** How long to keep trying to reach the coordinator (it may start after the agents: Kubernetes). */
const CONNECT_TIMEOUT_MS = 60_000;

export interface AgentOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly rank: number;
  readonly runId?: string;
  readonly engineTask?: string;
  /** One line for people (stderr). */
  readonly log: (line: string) => void;
}

/** The rank an engine gave this process, from its own variables. */
export function rankFromEnvironment(env: NodeJS.ProcessEnv): { rank: number; engineTask?: string } | undefined {
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const yarn = int(env.YARN_SHELL_ID);
  if (yarn !== undefined) return { rank: yarn - 1, ...(env.CONTAINER_ID ? { engineTask: env.CONTAINER_ID } : {}) };
  const slurm = int(env.SLURM_PROCID);
  if (slurm !== undefined) return { rank: slurm, engineTask: `slurm job ${env.SLURM_JOB_ID ?? '?'} step ${env.SLURM_STEP_ID ?? '?'} task ${slurm}` };
  const mpi = int(env.OMPI_COMM_WORLD_RANK) ?? int(env.PMIX_RANK);
  if (mpi !== undefined) return { rank: mpi, engineTask: `mpi ${env.PMIX_NAMESPACE ?? 'job'} rank ${mpi}` };
  const k8s = int(env.JOB_COMPLETION_INDEX);
  if (k8s !== undefined) return { rank: k8s, engineTask: `pod ${env.HOSTNAME ?? hostname()}` };
  return undefined;
}

/** Messages from the coordinator, awaited one by one; `stop` also aborts at once. */
class Inbox {
  private readonly queue: CoordinatorMessage[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  push(m: CoordinatorMessage): void {
    this.queue.push(m);
    this.waiter?.();
  }

  close(): void {
    this.closed = true;
    this.waiter?.();
  }

  /** The next message of one of `types` (others are dropped); undefined when the connection closed or on timeout. */
  async next<T extends CoordinatorMessage['t']>(types: readonly T[], timeoutMs = Infinity): Promise<Extract<CoordinatorMessage, { t: T }> | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.queue.length) {
        const m = this.queue.shift()!;
        if ((types as readonly string[]).includes(m.t)) return m as Extract<CoordinatorMessage, { t: T }>;
      }
      const left = deadline - performance.now();
      if (this.closed || left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = left === Infinity ? undefined : setTimeout(resolve, left);
        this.waiter = () => {
          if (timer) clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }
}

async function dial(host: string, port: number): Promise<Socket> {
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host, port });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`cannot reach the coordinator at ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? e})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Run one agent to its end; returns the process's exit code (2: refused by the coordinator). */
export async function runAgent(o: AgentOptions): Promise<number> {
  const socket = await dial(o.host, o.port);
  socket.setNoDelay(true);
  const inbox = new Inbox();
  const stop = new AbortController();
  const cancel = new AbortController();
  let finished = false;
  readMessages<CoordinatorMessage>(
    socket,
    (m) => {
      if (m.t === 'stop') stop.abort();
      inbox.push(m);
    },
    () => socket.destroy(),
  );
  socket.on('error', () => undefined); // 'close' follows
  socket.on('close', () => {
    inbox.close();
    if (!finished) {
      // the coordinator is gone: nobody would receive the figures; stop at once, never linger
      stop.abort();
      cancel.abort();
    }
  });
  const say = (m: AgentMessage) => send(socket, m);
  say({
    t: 'hello',
    token: o.token,
    ...(o.runId ? { runId: o.runId } : {}),
    rank: o.rank,
    host: hostname(),
    pid: process.pid,
    ...(o.engineTask ? { engineTask: o.engineTask } : {}),
    version: STORBENCH_VERSION,
  });
  const answer = await inbox.next(['welcome', 'refused'], 30_000);
  if (!answer) {
    socket.destroy();
    throw new Error(`the coordinator at ${o.host}:${o.port} did not answer the registration of rank ${o.rank}`);
  }
  if (answer.t === 'refused') {
    socket.destroy();
    o.log(`storbench: error: the coordinator refused rank ${o.rank}: ${answer.reason}`);
    return 2;
  }
  const plan = answer.plan;
  let running: Running | undefined;
  const heartbeat = setInterval(() => {
    if (!running) return say({ t: 'beat', totals: NO_TOTALS });
    const { sets, measuredSeconds } = running.partial();
    say({ t: 'beat', totals: running.live(), sets, measuredSeconds });
  }, HEARTBEAT_MS);
  let driver: Driver | undefined;
  const target = parseTarget(plan.target.url, { ...plan.target.options }, plan.target.name, plan.target.secretOptions);
  try {
    driver = await createDriver({ target, concurrency: plan.share.workers, durable: plan.spec.durable, threads: plan.share.threads });
    await driver.open();
    const figures = await measureShare(plan, target, driver, inbox, say, stop, cancel, (r) => {
      running = r;
    });
    if (figures) {
      finished = true;
      say({ t: 'done', ...figures });
      await inbox.next(['bye'], 10_000);
    }
    return 0;
  } catch (e) {
    finished = true;
    const message = redactString(e instanceof Error ? e.message : String(e), target.secrets);
    say({ t: 'fail', message });
    o.log(`storbench agent rank ${o.rank}: ${message}`);
    return 1;
  } finally {
    clearInterval(heartbeat);
    await running?.abandon().catch(() => undefined);
    await driver?.close().catch(() => undefined);
    socket.end();
  }
}

type Done = Omit<Extract<AgentMessage, { t: 'done' }>, 't'>;

/** Prepare, settle, wait at the barrier, measure: this agent's share. Undefined when the coordinator went away. */
async function measureShare(
  plan: AgentPlan,
  target: ReturnType<typeof parseTarget>,
  driver: Driver,
  inbox: Inbox,
  say: (m: AgentMessage) => void,
  stop: AbortController,
  cancel: AbortController,
  onRunning: (r: Running) => void,
): Promise<Done | undefined> {
  const { share } = plan;
  const spec = agentSpec(plan.spec, share);
  const sizes = parseSizeDistribution(spec.size);
  const payloads = new PayloadSource(spec.seed, spec.blockSize, spec.verify);
  const keyShare = { first: share.firstThread, of: share.ofThreads };
  await prepare({ spec, driver, sizes, payloads, base: plan.base, runId: plan.runId, stop: stop.signal, owned: { ...keyShare, count: share.threads } });
  const context: MeasureContext = {
    target,
    driver,
    spec,
    sizes,
    payloads,
    base: plan.base,
    objects: spec.objects,
    stop: stop.signal,
    cancel: cancel.signal,
    keyShare,
  };
  const threads = share.threads > 1 ? startThreads(context, share.threads) : undefined;
  if (threads) await threads.ready;

  // the clock offset: the ping with the shortest round trip (its answer is the least delayed)
  let best = { rttMs: Infinity, offsetMs: 0 };
  for (let id = 0; id < CLOCK_PINGS && !inbox.closed; id++) {
    const t0 = clockMs();
    say({ t: 'ping', id });
    const pong = await inbox.next(['pong'], 10_000);
    const t1 = clockMs();
    if (pong && t1 - t0 < best.rttMs) best = { rttMs: t1 - t0, offsetMs: (t0 + t1) / 2 - pong.at };
  }
  if (inbox.closed) return undefined;
  say({ t: 'ready', offsetMs: best.offsetMs, rttMs: best.rttMs });

  const go = await inbox.next(['start', 'stop']);
  if (!go) return undefined;
  const environment = hostFacts();
  if (go.t === 'stop') {
    await threads?.running.abandon();
    return { sets: [], measuredSeconds: 0, startSkewMs: 0, environment };
  }
  // sleep to just before the common start in this host's clock, then wait out the last millisecond
  const localStart = go.at + best.offsetMs;
  if (localStart - clockMs() > 2) await new Promise((r) => setTimeout(r, localStart - clockMs() - 2));
  while (clockMs() < localStart) await new Promise((r) => setImmediate(r));
  const gate = new StartGate(spec);
  const opened = clockMs();
  const running = threads ? threads.go(gate) : new MainLoop(context).start(gate);
  const cpu0 = cpuNow();
  onRunning(running);
  const outcome = await drained(running, gate, spec.ops === undefined, stop.signal, cancel);
  if (outcome === 'timeout') running.abandon().catch(() => undefined); // its figures so far are still sent
  const figures = outcome === 'timeout' ? (running.snapshot() ?? running.partial()) : outcome;
  const cpu = clientCpuOf(
    cpuNow() - cpu0,
    figures.measuredSeconds,
    figures.sets.flatMap((s) => s.ops),
  );
  return {
    sets: figures.sets,
    measuredSeconds: figures.measuredSeconds,
    startSkewMs: opened - best.offsetMs - go.at,
    environment: { ...environment, ...(cpu ? { clientCpuUsPerOp: cpu.usPerOp, clientCpuCores: cpu.cores } : {}) },
  };
}
