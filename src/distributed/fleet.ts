/**
 * A multi-client run's coordinator, from plain settings (the CLI's flags, a schedule's `engine`): validated at the
 * edge (unknown engine, no launcher, `clients` 0, a workload that cannot be shared, a coordinator without a token:
 * a UsageError naming the flag, before anything is written), then built once the run's driver is open.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Target } from '../drivers/target.js';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { ScheduleDistributed } from '../results/types.js';
import { parseDuration } from '../workloads/size.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import { Coordinator } from './coordinator.js';
import { ENGINES } from './engines/registry.js';
import { planShares } from './plan.js';
import { type AgentPlan, parseHostPort, TOKEN_VARIABLE } from './protocol.js';

/** How a run is spread over clients: a schedule's settings, or the flags of `run --engine`. */
export interface FleetSettings extends ScheduleDistributed {
  /** The environment variable the target came from: kept from the agents' environment. */
  readonly targetVariable?: string;
}

/** A run's coordinator, once its driver is open. */
export type FleetFactory = (driver: Driver, target: Target, spec: WorkloadSpec) => Coordinator;

/** The default agent command: this Node and this storbench's entry point (a shared install, as on HPC sites). */
const defaultAgentCommand = (): string[] => [process.execPath, fileURLToPath(new URL('../../bin/storbench.cjs', import.meta.url))];

/**
 * The target as the agents parse it again (secrets included: it travels only over the coordinator channel):
 * its URL without the query, and every option; the options whose values are secrets are named as such.
 */
export function agentTarget(target: Target): AgentPlan['target'] {
  const user =
    target.username !== undefined
      ? `${encodeURIComponent(target.username)}${target.password !== undefined ? `:${encodeURIComponent(target.password)}` : ''}@`
      : '';
  const path = target.path.split('/').map(encodeURIComponent).join('/');
  return {
    url: `${target.scheme}://${user}${target.hosts.join(',')}${path}`,
    options: { ...target.options },
    ...(target.name !== target.redacted ? { name: target.name } : {}),
    secretOptions: Object.keys(target.options).filter((k) => target.secrets.includes(target.options[k]!)),
  };
}

/** Check the settings (and the engine's launcher) for every workload to run; the factory builds a run's coordinator. */
export async function prepareFleet(settings: FleetSettings, specs: readonly WorkloadSpec[]): Promise<FleetFactory> {
  const engine = ENGINES[settings.engine];
  if (!engine) throw new UsageError(`--engine: unknown engine "${settings.engine}" (engines: ${Object.keys(ENGINES).join(', ')})`);
  const { clients } = settings;
  if (!Number.isInteger(clients) || clients < 1 || clients > 10_000)
    throw new UsageError(`--clients: expected a whole number from 1 to 10000, got "${clients}"`);
  const bind = parseHostPort(settings.coordinatorBind ?? '127.0.0.1:0');
  if (!bind) throw new UsageError(`--coordinator-bind: expected HOST:PORT (example: 0.0.0.0:18190), got "${settings.coordinatorBind}"`);
  const registrationTimeoutMs = parseDuration(settings.registrationTimeout ?? '120s', '--registration-timeout');
  for (const spec of specs) {
    planShares(spec, clients, false); // refused here, before the target is opened (threads are settled again once it is)
    if (spec.dataset) throw new UsageError('--dataset: named datasets are not shared among the clients of a multi-client run yet; leave it out');
    if (spec.dropCaches) throw new UsageError('--drop-caches: each client host would have to drop its own caches; not supported with --engine');
  }
  let token = process.env[TOKEN_VARIABLE] || undefined;
  if (token !== undefined && token.length < 16)
    throw new UsageError(`${TOKEN_VARIABLE}: the agents' token must be at least 16 characters (e.g. openssl rand -hex 32)`);
  if (token === undefined) {
    if (settings.engine === 'external') {
      throw new UsageError(
        `--engine external: set ${TOKEN_VARIABLE} (the agents you start read the same variable): the coordinator never listens without a token`,
      );
    }
    token = randomBytes(32).toString('hex'); // handed to the agents by their engine, in their environment
  }
  const agentCommand = settings.agentCommand?.trim().split(/\s+/) ?? defaultAgentCommand();
  await engine.check();
  const launcherEnv = { ...process.env };
  if (settings.targetVariable) delete launcherEnv[settings.targetVariable]; // the target travels over the coordinator channel only
  const secretToken = token;
  return (driver, target, spec) =>
    new Coordinator({
      engine,
      clients,
      bind,
      ...(settings.coordinatorHost ? { advertiseHost: settings.coordinatorHost } : {}),
      registrationTimeoutMs,
      token: secretToken,
      target: agentTarget(target),
      secrets: [...target.secrets, secretToken],
      spec,
      blocking: driver.blocking === true,
      launcherArgs: settings.launcherArgs ?? [],
      agentCommand,
      launcherEnv,
    });
}
