/**
 * An engine places and runs the agent processes of a multi-client run: storbench grows no cluster manager of
 * its own. Each engine is one module here and one line in ./registry.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface LaunchRequest {
  readonly runId: string;
  readonly clients: number;
  /** `host:port` the agents dial. */
  readonly coordinator: string;
  /** The command starting storbench on a client host; `agent --coordinator ... --run ...` is appended. */
  readonly agentCommand: readonly string[];
  /** Passed to the launcher as they are (queue, memory, placement, hostfile...). */
  readonly launcherArgs: readonly string[];
  /**
   * The environment for the launcher and the agents: the run's token in TOKEN_VARIABLE (never an argument), and
   * no variable holding the target.
   */
  readonly env: NodeJS.ProcessEnv;
}

export interface Launch {
  /** The engine's id of the job (YARN application, Slurm job), once known. */
  jobId(): string | undefined;
  /** Stop what is still running (bounded), and wait for the launcher to end. */
  stop(): Promise<void>;
}

export interface Engine {
  readonly name: string;
  /**
   * Throws UsageError when the engine cannot be used from here (its launcher not installed, its cluster not
   * reachable), before anything is written.
   */
  check(): Promise<void>;
  /** Start the agents; `onFailure` is called (once or more) when the launcher or an agent ends badly. */
  launch(request: LaunchRequest, onFailure: (why: string) => void): Promise<Launch>;
}

/** The agent's own arguments. */
export const agentArgs = (r: LaunchRequest, extra: readonly string[] = []): string[] => [
  ...r.agentCommand,
  'agent',
  '--coordinator',
  r.coordinator,
  '--run',
  r.runId,
  ...extra,
];

/** The last lines a process printed, for a failure message. */
export class OutputTail {
  private text = '';
  constructor(private readonly max = 2000) {}
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  lines(n = 5): string {
    return this.text.trim().split('\n').slice(-n).join(' | ');
  }
}

/** How long a launcher may take to end by itself once its agents have (srun and mpirun at once, DS when its AM ends). */
export const LAUNCHER_GRACE_MS = 3000;

/**
 * A launcher child (srun, mpirun, the DistributedShell client) in a process group of its own, so stopping it
 * reaches what it started on this host. `onExit` gets its exit code (or 128+signal) and its output's tail.
 * `stop` gives it LAUNCHER_GRACE_MS to end by itself, then SIGTERM, then SIGKILL 5 s later.
 */
export function spawnLauncher(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onExit: (code: number, tail: string) => void,
  onOutput?: (chunk: string) => void,
): { child: ChildProcess; exited: Promise<void>; stop: () => Promise<void> } {
  const tail = new OutputTail();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const collect = (chunk: Buffer) => {
    tail.add(chunk);
    onOutput?.(chunk.toString());
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      onExit(127, e.message);
      resolve();
    });
    child.on('exit', (code, signal) => {
      onExit(code ?? 128 + (signal ? signalNumber(signal) : 0), tail.lines());
      resolve();
    });
  });
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const group = -child.pid;
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(group, signal);
        } catch {
          // already gone
        }
      };
      let term: NodeJS.Timeout | undefined;
      const grace = setTimeout(() => {
        kill('SIGTERM');
        term = setTimeout(() => kill('SIGKILL'), 5000);
      }, LAUNCHER_GRACE_MS);
      await exited;
      clearTimeout(grace);
      if (term) clearTimeout(term);
    },
  };
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };
const signalNumber = (s: NodeJS.Signals): number => SIGNALS[s] ?? 0;

/** The path of `command` on PATH, or undefined. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
