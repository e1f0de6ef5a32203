/**
 * The coordinator of a multi-client run: the `run --engine E --clients N` process. It launches the agents
 * through an engine (./engines/), admits them (token, version, rank), hands each its share of the run,
 * waits until all have prepared and wait at the barrier, releases them at one start time in its own clock,
 * follows their heartbeats, and collects their record sets, which the runner merges exactly like threads'.
 * It is the only writer of the results store. A dead agent, a launcher exiting non-zero or SILENCE_MS of
 * silence fails the run at once, naming the rank; the others are stopped and what they measured is kept.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { redactString } from '../drivers/target.js';
import type { Environment, Warning } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { RunClient } from '../results/types.js';
import { aggregate } from '../runner/aggregate.js';
import { addTotals, FailedWithFigures, type Figures, NO_TOTALS, type Placement, type Running, type Totals } from '../runner/placement/placement.js';
import type { StartGate } from '../runner/placement/start-gate.js';
import type { Progress } from '../runner/progress.js';
import { progressOf } from '../runner/progress.js';
import type { RecordSet } from '../runner/recorder.js';
import type { Fleet } from '../runner/run.js';
import { STORBENCH_VERSION } from '../version.js';
import { MIX_OPS, type WorkloadSpec } from '../workloads/spec.js';
import type { Engine, Launch } from './engines/engine.js';
import { planShares, skewLimitMs } from './plan.js';
import {
  type AgentMessage,
  type AgentPlan,
  type AgentShare,
  type CoordinatorMessage,
  clockMs,
  HEARTBEAT_MS,
  readMessages,
  SILENCE_MS,
  send,
  TOKEN_VARIABLE,
} from './protocol.js';

/** How long after connecting an agent has to say who it is. */
const HELLO_TIMEOUT_MS = 10_000;
/** After a failure, how long the other agents have to send what they measured. */
const FAILURE_GRACE_MS = 5_000;

export interface CoordinatorOptions {
  readonly engine: Engine;
  readonly clients: number;
  /** Where to listen (port 0: any free port). */
  readonly bind: { readonly host: string; readonly port: number };
  /** The host agents dial, when the bind address is not one (0.0.0.0); @default this host's name */
  readonly advertiseHost?: string;
  readonly registrationTimeoutMs: number;
  /** @default SILENCE_MS */
  readonly silenceMs?: number;
  readonly token: string;
  readonly target: AgentPlan['target'];
  /** Secrets of the target, scrubbed from every message stored or printed. */
  readonly secrets: readonly string[];
  readonly spec: WorkloadSpec;
  /** Whether the driver makes blocking calls (agents then run a thread per worker). */
  readonly blocking: boolean;
  readonly launcherArgs: readonly string[];
  /** The command that starts storbench on a client host (`agent ...` is appended). */
  readonly agentCommand: readonly string[];
  /** The environment of the launcher and agents (without any variable holding the target); the token is added. */
  readonly launcherEnv: NodeJS.ProcessEnv;
}

type AgentStatus = 'registered' | 'ready' | 'measuring' | 'done' | 'failed' | 'lost';

interface Agent {
  readonly rank: number;
  readonly socket: Socket;
  readonly host: string;
  readonly pid: number;
  readonly engineTask?: string;
  status: AgentStatus;
  lastSeen: number;
  offsetMs?: number;
  rttMs?: number;
  totals: Totals;
  partial: RecordSet[];
  partialSeconds: number;
  final?: Extract<AgentMessage, { t: 'done' }>;
  error?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export class Coordinator implements Fleet {
  private readonly shares: readonly AgentShare[];
  private readonly agents = new Map<number, Agent>();
  private server: Server | undefined;
  private launch: Launch | undefined;
  private address = '';
  private runId = '';
  private base = '';
  /** The first thing that failed the run (a rank named), once known. */
  private failure: string | undefined;
  /** Agents that cannot take part at all (another version): thrown by admit as bad input. */
  private refusal: string | undefined;
  private admission: string | undefined;
  private startAt = 0;
  private registrationMs = 0;
  /** Coordinator time (ms) when the last agent registered. */
  private registeredAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private wakers: (() => void)[] = [];

  constructor(private readonly o: CoordinatorOptions) {
    if (!Number.isInteger(o.clients) || o.clients < 1) throw new UsageError(`--clients: give a whole number of at least 1 (got ${o.clients})`);
    this.shares = planShares(o.spec, o.clients, o.blocking);
  }

  async admit(runId: string, base: string, signal: AbortSignal, onProgress?: (p: Progress) => void): Promise<void> {
    this.runId = runId;
    this.base = base;
    await this.listen();
    const t0 = Date.now();
    this.launch = await this.o.engine.launch(
      {
        runId,
        clients: this.o.clients,
        coordinator: this.address,
        agentCommand: this.o.agentCommand,
        launcherArgs: this.o.launcherArgs,
        env: { ...this.o.launcherEnv, [TOKEN_VARIABLE]: this.o.token },
      },
      (why) => this.fail(redactString(why, this.o.secrets)),
    );
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
    const progress = setInterval(() => onProgress?.(progressOf(runId, 'register', (Date.now() - t0) / 1000, 0, this.agents.size, this.o.clients)), 1000);
    try {
      const outcome = await this.waitFor(() => this.agents.size === this.o.clients || this.refusal !== undefined, this.o.registrationTimeoutMs, signal);
      if (this.refusal) throw new UsageError(this.refusal);
      if (outcome === 'timeout') {
        this.admission = `registration timed out after ${this.o.registrationTimeoutMs / 1000}s: ${this.missingRanks()} never came (engine ${this.o.engine.name})`;
        this.fail(this.admission);
      } else if (outcome === 'failed') {
        this.admission = this.agents.size < this.o.clients ? `${this.failure}; ${this.missingRanks()} never registered` : this.failure;
      }
      this.registrationMs = Date.now() - t0;
      this.registeredAt = clockMs();
    } finally {
      clearInterval(progress);
    }
  }

  async prepare(signal: AbortSignal, onProgress?: (p: Progress) => void): Promise<void> {
    if (this.admission) throw new Error(this.admission);
    const t0 = Date.now();
    const ready = () => [...this.agents.values()].filter((a) => a.status === 'ready').length;
    const progress = setInterval(() => onProgress?.(progressOf(this.runId, 'barrier', (Date.now() - t0) / 1000, 0, ready(), this.o.clients)), 1000);
    try {
      await this.waitFor(() => ready() === this.o.clients, Infinity, signal);
      if (this.failure) throw new Error(this.failure);
    } finally {
      clearInterval(progress);
    }
    signal.addEventListener('abort', () => this.broadcast({ t: 'stop' }), { once: true });
  }

  readonly placement: Placement = { start: (gate) => this.start(gate) };

  private start(gate: StartGate): Running {
    const maxRtt = Math.max(0, ...[...this.agents.values()].map((a) => a.rttMs ?? 0));
    this.startAt = clockMs() + Math.max(1000, 2 * maxRtt);
    for (const a of this.agents.values()) a.status = 'measuring';
    this.broadcast({ t: 'start', at: this.startAt });
    const released = sleep(this.startAt - clockMs()).then(() => {
      gate.open();
    });
    const done = this.waitFor(() => this.failure !== undefined || this.all('done'), Infinity).then(async () => {
      if (this.failure === undefined) return this.figures();
      // the others were told to stop: what they measured until then is kept with the failed run
      await this.waitFor(() => [...this.agents.values()].every((a) => a.status !== 'measuring'), FAILURE_GRACE_MS, undefined, false);
      throw new FailedWithFigures(this.failure, this.figures());
    });
    done.catch(() => undefined); // observed by the runner
    return {
      live: () => [...this.agents.values()].reduce((s, a) => addTotals(s, a.totals), NO_TOTALS),
      partial: () => this.figures(),
      snapshot: () => this.figures(),
      released,
      done,
      abandon: async () => this.broadcast({ t: 'stop' }),
      // the live view and /metrics: how many clients the merged totals come from
      facts: () => ({
        clients: this.o.clients,
        clientsReporting: [...this.agents.values()].filter(
          (a) => a.status === 'done' || (a.status === 'measuring' && Date.now() - a.lastSeen < 2 * HEARTBEAT_MS),
        ).length,
      }),
    };
  }

  environment(): Environment {
    const clients = [...this.agents.values()];
    const skews = clients.flatMap((a) => (a.final ? [Math.abs(a.final.startSkewMs)] : []));
    return {
      engine: this.o.engine.name,
      clients: this.o.clients,
      coordinator: this.address,
      threads: this.shares[0]!.ofThreads,
      threadsChoice: `${this.o.clients} clients: ${this.shares.map((s) => s.threads).join('+')} thread(s)`,
      registrationMs: this.registrationMs,
      ...(this.startAt ? { startAfterRegistrationMs: Math.round(this.startAt - this.registeredAt) } : {}),
      ...(skews.length ? { startSkewMaxMs: round(Math.max(...skews), 2) } : {}),
      ...(this.launch?.jobId() ? { engineJob: this.launch.jobId()! } : {}),
    };
  }

  warnings(): Warning[] {
    const limit = skewLimitMs(this.o.spec);
    const late = [...this.agents.values()].filter((a) => a.final && Math.abs(a.final.startSkewMs) > limit);
    if (!late.length) return [];
    const worst = Math.max(...late.map((a) => Math.abs(a.final!.startSkewMs)));
    return [
      {
        code: 'start-skew',
        text: `clients started up to ${round(worst)} ms from the common start (limit ${round(limit)} ms): ranks ${late.map((a) => a.rank).join(', ')}; their seconds do not line up`,
      },
    ];
  }

  clients(): RunClient[] {
    return Array.from({ length: this.o.clients }, (_, rank): RunClient => {
      const a = this.agents.get(rank);
      if (!a) return { rank, status: 'never-registered', error: this.admission ?? 'never registered', ops: [], environment: {} };
      const sets = a.final?.sets ?? a.partial;
      const seconds = a.final?.measuredSeconds ?? a.partialSeconds;
      return {
        rank,
        status: a.status === 'done' ? 'completed' : a.status === 'lost' ? 'lost' : 'failed',
        ...(a.error ? { error: a.error } : a.status !== 'done' ? { error: this.failure ?? 'stopped before it sent its results' } : {}),
        host: a.host,
        pid: a.pid,
        ...(a.engineTask ? { engineTask: a.engineTask } : {}),
        ...(a.offsetMs !== undefined ? { clockOffsetMs: round(a.offsetMs, 3) } : {}),
        ...(a.rttMs !== undefined ? { rttMs: round(a.rttMs, 3) } : {}),
        ...(a.final ? { startSkewMs: round(a.final.startSkewMs, 3) } : {}),
        measuredSeconds: Math.round(seconds * 1000) / 1000,
        ops: aggregate(sets, seconds, MIX_OPS).ops,
        environment: { ...(a.final?.environment ?? {}), threads: this.shares[rank]!.threads, workers: this.shares[rank]!.workers },
      };
    });
  }

  /** Stop the launcher and every agent, close the channel. Safe to call at any point, more than once. */
  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.broadcast({ t: 'bye' });
    for (const a of this.agents.values()) a.socket.end();
    await this.launch?.stop();
    for (const a of this.agents.values()) a.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  // --- the channel ------------------------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new UsageError(`--coordinator-bind ${this.o.bind.host}:${this.o.bind.port}: cannot listen (${e.code ?? e.message})`)),
      );
      server.listen(this.o.bind.port, this.o.bind.host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const wildcard = this.o.bind.host === '0.0.0.0' || this.o.bind.host === '::';
    const host = this.o.advertiseHost ?? (wildcard ? hostname() : this.o.bind.host);
    this.address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    let agent: Agent | undefined;
    const hello = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    readMessages<AgentMessage>(
      socket,
      (m) => {
        if (!agent) {
          clearTimeout(hello);
          agent = this.register(socket, m);
          return;
        }
        this.onMessage(agent, m);
      },
      (why) => {
        if (agent) this.lose(agent, `rank ${agent.rank}: sent ${why}`);
        socket.destroy();
      },
    );
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      clearTimeout(hello);
      if (agent && agent.status !== 'done' && agent.status !== 'failed' && agent.status !== 'lost') {
        this.lose(agent, `rank ${agent.rank} (${agent.host}, pid ${agent.pid}): its connection closed before it sent its results (the agent process ended)`);
      }
    });
  }

  private register(socket: Socket, m: AgentMessage): Agent | undefined {
    const refuse = (reason: string) => {
      send(socket, { t: 'refused', reason } satisfies CoordinatorMessage);
      socket.end();
      return undefined;
    };
    if (m.t !== 'hello' || typeof m.token !== 'string') return refuse('the first message must be hello');
    if (m.token.length !== this.o.token.length || !timingSafeEqual(digest(m.token), digest(this.o.token))) return refuse('wrong token');
    if (m.runId !== undefined && m.runId !== this.runId) return refuse(`this coordinator runs run ${this.runId}, not ${m.runId}`);
    if (m.version !== STORBENCH_VERSION) {
      this.refusal ??= `rank ${m.rank} on ${m.host} runs storbench ${m.version}, this coordinator ${STORBENCH_VERSION}: install the same version on every client`;
      this.wake();
      return refuse(`storbench ${m.version} cannot join a run of storbench ${STORBENCH_VERSION}`);
    }
    if (!Number.isInteger(m.rank) || m.rank < 0 || m.rank >= this.o.clients) return refuse(`rank ${m.rank} is out of range (0..${this.o.clients - 1})`);
    const known = this.agents.get(m.rank);
    if (known) return refuse(`rank ${m.rank} has already registered (${known.host}, pid ${known.pid})`);
    if (this.admission || this.failure) return refuse(this.admission ?? this.failure!);
    const agent: Agent = {
      rank: m.rank,
      socket,
      host: String(m.host),
      pid: Number(m.pid),
      ...(m.engineTask ? { engineTask: String(m.engineTask) } : {}),
      status: 'registered',
      lastSeen: Date.now(),
      totals: NO_TOTALS,
      partial: [],
      partialSeconds: 0,
    };
    this.agents.set(m.rank, agent);
    const plan: AgentPlan = {
      runId: this.runId,
      clients: this.o.clients,
      target: this.o.target,
      spec: this.o.spec,
      base: this.base,
      share: this.shares[m.rank]!,
    };
    send(socket, { t: 'welcome', plan });
    this.wake();
    return agent;
  }

  private onMessage(a: Agent, m: AgentMessage): void {
    a.lastSeen = Date.now();
    switch (m.t) {
      case 'ping':
        send(a.socket, { t: 'pong', id: m.id, at: clockMs() });
        return;
      case 'ready':
        a.offsetMs = m.offsetMs;
        a.rttMs = m.rttMs;
        a.status = 'ready';
        break;
      case 'beat':
        a.totals = m.totals;
        if (m.sets) {
          a.partial = m.sets;
          a.partialSeconds = m.measuredSeconds ?? 0;
        }
        return;
      case 'done':
        a.final = m;
        a.totals = m.sets.reduce((s, set) => addTotals(s, this.totalsOf(set)), NO_TOTALS);
        a.status = 'done';
        send(a.socket, { t: 'bye' }); // its results are in: the agent may exit (and its engine task end)
        break;
      case 'fail':
        a.status = 'failed';
        a.error = redactString(String(m.message), this.o.secrets);
        this.fail(`rank ${a.rank} (${a.host}): ${a.error}`);
        break;
      default:
        return;
    }
    this.wake();
  }

  // --- failure and waiting ----------------------------------------------------------------------------------------

  private lose(a: Agent, why: string): void {
    a.status = 'lost';
    a.error = why;
    this.fail(why);
  }

  private checkSilence(): void {
    const limit = this.o.silenceMs ?? SILENCE_MS;
    const now = Date.now();
    for (const a of this.agents.values()) {
      if ((a.status === 'registered' || a.status === 'ready' || a.status === 'measuring') && now - a.lastSeen > limit) {
        this.lose(
          a,
          `rank ${a.rank} (${a.host}, pid ${a.pid}): no word for ${Math.round((now - a.lastSeen) / 1000)}s (heartbeats are sent every ${HEARTBEAT_MS / 1000}s)`,
        );
        a.socket.destroy();
      }
    }
  }

  /** The first failure fails the run: every agent still running is told to stop and send what it has. */
  private fail(why: string): void {
    if (this.failure === undefined) {
      this.failure = why;
      this.broadcast({ t: 'stop' });
    }
    this.wake();
  }

  private broadcast(m: CoordinatorMessage): void {
    for (const a of this.agents.values()) send(a.socket, m);
  }

  private wake(): void {
    const waiting = this.wakers;
    this.wakers = [];
    for (const w of waiting) w();
  }

  /** Wait until `done()` holds, a failure (unless not `endsOnFailure`), the timeout or the signal; says which. */
  private async waitFor(done: () => boolean, timeoutMs: number, signal?: AbortSignal, endsOnFailure = true): Promise<'ok' | 'failed' | 'timeout' | 'aborted'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done()) return 'ok';
      if (endsOnFailure && this.failure !== undefined) return 'failed';
      if (signal?.aborted) return 'aborted';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        // every change a wait can be waiting for (a message, a failure) calls wake()
        const wake = () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          this.wakers = this.wakers.filter((w) => w !== wake);
          resolve();
        };
        const timer = left === Infinity ? undefined : setTimeout(wake, left);
        signal?.addEventListener('abort', wake, { once: true });
        this.wakers.push(wake);
      });
    }
  }

  private all(status: AgentStatus): boolean {
    return this.agents.size === this.o.clients && [...this.agents.values()].every((a) => a.status === status);
  }

  private missingRanks(): string {
    const missing = Array.from({ length: this.o.clients }, (_, r) => r).filter((r) => !this.agents.has(r));
    return `${missing.length === 1 ? 'rank' : 'ranks'} ${missing.join(', ')}`;
  }

  private figures(): Figures {
    const agents = [...this.agents.values()];
    return {
      sets: agents.flatMap((a) => a.final?.sets ?? a.partial),
      measuredSeconds: Math.max(0, ...agents.map((a) => a.final?.measuredSeconds ?? a.partialSeconds)),
    };
  }

  private totalsOf(set: RecordSet): Totals {
    return set.ops.reduce((t, o) => addTotals(t, { ops: o.count, bytes: o.bytes, errors: o.errors, p99Us: 0 }), NO_TOTALS);
  }
}
