/**
 * Flags of multi-client runs (`--engine E --clients N`), shared by `run` and `suite`: validated at the edge
 * (unknown engine, no launcher, `--clients 0`, a coordinator without a token: one line, exit 2, nothing written),
 * then turned into the runner's Fleet (src/distributed/coordinator.ts).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Coordinator } from '../distributed/coordinator.js';
import { ENGINES } from '../distributed/engines/registry.js';
import { planShares } from '../distributed/plan.js';
import { parseHostPort, TOKEN_VARIABLE } from '../distributed/protocol.js';
import type { Target } from '../drivers/target.js';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../workloads/size.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import { positiveInt } from './command.js';

export const engineFlagOptions = {
  engine: { type: 'string' },
  clients: { type: 'string' },
  'coordinator-bind': { type: 'string' },
  'coordinator-host': { type: 'string' },
  'registration-timeout': { type: 'string' },
  'launcher-arg': { type: 'string', multiple: true },
  'agent-command': { type: 'string' },
} as const;

export const engineFlagUsage = `multi-client runs (one merged result from N client processes placed by an engine):
  --engine E            local | slurm | mpi | yarn | external (agents started elsewhere, e.g. k8s-manifest)
  --clients N           client processes; the workload (concurrency, objects, ops, rate) is shared among them
  --coordinator-bind H:P  where agents dial in (default 127.0.0.1:0; 0.0.0.0:18190 for other hosts)
  --coordinator-host H  the name agents dial when the bind address is not one (default: this host's name)
  --registration-timeout 120s  how long all agents may take to register
  --launcher-arg ARG    passed to srun / mpirun / DistributedShell as is (repeat it: --launcher-arg=-queue ...)
  --agent-command CMD   how client hosts start storbench (default: this node and this storbench)`;

type EngineValues = { [K in keyof typeof engineFlagOptions]?: K extends 'launcher-arg' ? string[] : string };

/** The default agent command: this Node and this storbench's entry point (a shared install, as on HPC sites). */
const defaultAgentCommand = (): string[] => [process.execPath, fileURLToPath(new URL('../../bin/storbench.cjs', import.meta.url))];

/** What a multi-client run needs once its driver is open; undefined for a run of one process. */
export type FleetFactory = (driver: Driver, target: Target, spec: WorkloadSpec) => Coordinator;

/**
 * Check the engine flags (and the engine's launcher); the factory builds the coordinator. `targetUrl` is the
 * target as given (the agents parse it themselves), `targetVariable` the variable it came from, if any.
 */
export async function engineFleet(
  values: EngineValues,
  targetUrl: string,
  targetVariable: string | undefined,
  spec: WorkloadSpec,
): Promise<FleetFactory | undefined> {
  if (values.engine === undefined) {
    const stray = (['clients', 'coordinator-bind', 'coordinator-host', 'registration-timeout', 'launcher-arg', 'agent-command'] as const).find(
      (f) => values[f] !== undefined,
    );
    if (stray) throw new UsageError(`--${stray} needs --engine (local, slurm, mpi, yarn or external)`);
    return undefined;
  }
  const engine = ENGINES[values.engine];
  if (!engine) throw new UsageError(`--engine: unknown engine "${values.engine}" (engines: ${Object.keys(ENGINES).join(', ')})`);
  if (values.clients === undefined) throw new UsageError(`--clients: how many clients should --engine ${values.engine} start? (example: --clients 4)`);
  const clients = positiveInt(values.clients, '--clients', 10_000)!;
  const bind = parseHostPort(values['coordinator-bind'] ?? '127.0.0.1:0');
  if (!bind) throw new UsageError(`--coordinator-bind: expected HOST:PORT (example: 0.0.0.0:18190), got "${values['coordinator-bind']}"`);
  const registrationTimeoutMs = parseDuration(values['registration-timeout'] ?? '120s', '--registration-timeout');
  planShares(spec, clients, false); // refused here, before the target is opened (threads are settled again once it is)
  if (spec.dataset) throw new UsageError('--dataset: named datasets are not shared among the clients of a multi-client run yet; leave it out');
  if (spec.dropCaches) throw new UsageError('--drop-caches: each client host would have to drop its own caches; not supported with --engine');
  let token = process.env[TOKEN_VARIABLE];
  if (token !== undefined && token.length < 16)
    throw new UsageError(`${TOKEN_VARIABLE}: the agents' token must be at least 16 characters (e.g. openssl rand -hex 32)`);
  if (token === undefined) {
    if (values.engine === 'external') {
      throw new UsageError(
        `--engine external: set ${TOKEN_VARIABLE} (the agents you start read the same variable): the coordinator never listens without a token`,
      );
    }
    token = randomBytes(32).toString('hex'); // handed to the agents by their engine, in their environment
  }
  const agentCommand = values['agent-command']?.trim().split(/\s+/) ?? defaultAgentCommand();
  await engine.check();
  const launcherEnv = { ...process.env };
  if (targetVariable) delete launcherEnv[targetVariable]; // the target travels over the coordinator channel only
  const secretToken = token;
  return (driver, target, runSpec) =>
    new Coordinator({
      engine,
      clients,
      bind,
      ...(values['coordinator-host'] ? { advertiseHost: values['coordinator-host'] } : {}),
      registrationTimeoutMs,
      token: secretToken,
      target: { url: targetUrl, options: {}, ...(target.name !== target.redacted ? { name: target.name } : {}), secretOptions: [] },
      secrets: [...target.secrets, secretToken],
      spec: runSpec,
      blocking: driver.blocking === true,
      launcherArgs: values['launcher-arg'] ?? [],
      agentCommand,
      launcherEnv,
    });
}
