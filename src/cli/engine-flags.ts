/**
 * Flags of multi-client runs (`--engine E --clients N`), shared by `run`, `suite` and `schedule add`; checked and
 * built by src/distributed/fleet.ts.
 */
import { type FleetFactory, type FleetSettings, prepareFleet } from '../distributed/fleet.js';
import { UsageError } from '../errors.js';
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

/** The flags as settings; undefined when no --engine is given (and none of its flags either). */
export function fleetSettings(values: EngineValues, targetVariable?: string): FleetSettings | undefined {
  if (values.engine === undefined) {
    const stray = (Object.keys(engineFlagOptions) as (keyof EngineValues)[]).find((f) => values[f] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --engine (local, slurm, mpi, yarn or external)`);
    return undefined;
  }
  if (values.clients === undefined) throw new UsageError(`--clients: how many clients should --engine ${values.engine} start? (example: --clients 4)`);
  return {
    engine: values.engine,
    clients: positiveInt(values.clients, '--clients', 10_000)!,
    ...(values['coordinator-bind'] !== undefined ? { coordinatorBind: values['coordinator-bind'] } : {}),
    ...(values['coordinator-host'] !== undefined ? { coordinatorHost: values['coordinator-host'] } : {}),
    ...(values['registration-timeout'] !== undefined ? { registrationTimeout: values['registration-timeout'] } : {}),
    ...(values['launcher-arg'] ? { launcherArgs: values['launcher-arg'] } : {}),
    ...(values['agent-command'] !== undefined ? { agentCommand: values['agent-command'] } : {}),
    ...(targetVariable ? { targetVariable } : {}),
  };
}

/** The coordinator factory of these flags for these workloads; undefined for runs of one process. */
export async function engineFleet(values: EngineValues, targetVariable: string | undefined, specs: readonly WorkloadSpec[]): Promise<FleetFactory | undefined> {
  const settings = fleetSettings(values, targetVariable);
  return settings && prepareFleet(settings, specs);
}
