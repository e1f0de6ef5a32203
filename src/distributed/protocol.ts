/**
 * The coordinator channel of a multi-client run: one TCP connection per agent, opened by the agent, carrying
 * one JSON message per line each way. The agent proves itself with the run's token in its first message;
 * the target (secrets included) travels only here, never in an engine's arguments or environment. Agents send
 * histograms and per-second segments (their RecordSets), never per-operation records.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Environment } from '../drivers/types.js';
import type { Totals } from '../runner/placement/placement.js';
import type { RecordSet } from '../runner/recorder.js';
import type { WorkloadSpec } from '../workloads/spec.js';

/** Agents report once a second; this long without a word from one fails the run, naming it. */
export const HEARTBEAT_MS = 1000;
export const SILENCE_MS = 10_000;
/** The longest message line accepted (a RecordSet of a long run with many op types stays far below). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** The variable holding the run's token, for the coordinator and every agent. */
export const TOKEN_VARIABLE = 'STORBENCH_AGENT_TOKEN';

/** What one agent runs: its share of the run's workers, threads, objects, operations and rate. */
export interface AgentShare {
  readonly rank: number;
  /** Workers (concurrent operations) of this agent. */
  readonly workers: number;
  /** Worker threads of this agent (1: its main event loop). */
  readonly threads: number;
  /** Key ownership: this agent's threads are global threads first .. first+threads-1 of `of` (see KeySpace). */
  readonly firstThread: number;
  readonly ofThreads: number;
  readonly ops?: number;
  readonly rate?: number;
}

/** The run as an agent needs it (sent on registration). */
export interface AgentPlan {
  readonly runId: string;
  readonly clients: number;
  /** The target as the user gave it: parseTarget's arguments (URL, options, name, secret options). */
  readonly target: {
    readonly url: string;
    readonly options: Readonly<Record<string, string>>;
    readonly name?: string;
    readonly secretOptions: readonly string[];
  };
  readonly spec: WorkloadSpec;
  readonly base: string;
  readonly share: AgentShare;
}

export type AgentMessage =
  | {
      readonly t: 'hello';
      readonly token: string;
      readonly runId?: string;
      readonly rank: number;
      readonly host: string;
      readonly pid: number;
      readonly engineTask?: string;
      readonly version: string;
    }
  | { readonly t: 'ping'; readonly id: number }
  /** Prepared, threads started and waiting: the barrier. Offset: agent clock minus coordinator clock. */
  | { readonly t: 'ready'; readonly offsetMs: number; readonly rttMs: number }
  | { readonly t: 'beat'; readonly totals: Totals; readonly sets?: RecordSet[]; readonly measuredSeconds?: number }
  | {
      readonly t: 'done';
      readonly sets: RecordSet[];
      readonly measuredSeconds: number;
      /** When its workers were released, in coordinator time, minus the common start (ms). */
      readonly startSkewMs: number;
      readonly environment: Environment;
    }
  | { readonly t: 'fail'; readonly message: string };

export type CoordinatorMessage =
  | { readonly t: 'welcome'; readonly plan: AgentPlan }
  | { readonly t: 'refused'; readonly reason: string }
  | { readonly t: 'pong'; readonly id: number; readonly at: number }
  /** Start measuring at `at`, coordinator time (ms). */
  | { readonly t: 'start'; readonly at: number }
  | { readonly t: 'stop' }
  | { readonly t: 'bye' };

/** Milliseconds on this host's clock with sub-millisecond resolution (epoch based, so hosts can compare). */
export const clockMs = (): number => performance.timeOrigin + performance.now();

/** Send one message. */
export function send(socket: Socket, message: AgentMessage | CoordinatorMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/**
 * Call `onMessage` for each JSON line arriving on `socket`. A line that is not JSON, or longer than
 * MAX_LINE_BYTES, ends the connection through `onBad`.
 */
export function readMessages<T>(socket: Socket, onMessage: (m: T) => void, onBad: (why: string) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = pending.length ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        onBad('a message that is not JSON');
        return;
      }
      onMessage(message);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) onBad(`a message over ${MAX_LINE_BYTES} bytes`);
    }
  });
}

/** `host:port` (or `tcp://host:port`) → its parts; undefined when it is not that. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
