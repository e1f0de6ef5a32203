/** The CLI as a user runs it: a separate process, its exit code and its output. */
import { spawnSync } from 'node:child_process';

/** bin/storbench.cjs, the installed entry point. */
export const bin = new URL('../../bin/storbench.cjs', import.meta.url).pathname;

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `storbench ...args` to its end; killed (SIGKILL) after `timeoutMs`. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): CliOutcome {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
