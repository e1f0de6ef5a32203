/**
 * `storbench k8s-manifest`: print the Kubernetes objects of a multi-client run (a headless Service, a coordinator
 * Job, an Indexed Job of agents) as multi-document YAML. Nothing is sent to a cluster and no secret is read:
 * the target URL and the token live in a Secret the user creates, as the header printed says.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { k8sManifestProblems, k8sManifestYaml, MAX_CLIENTS } from '../distributed/k8s-manifest.js';
import { UsageError } from '../errors.js';
import { PRESETS } from '../workloads/presets.js';
import { loadWorkload } from '../workloads/spec.js';
import { type Command, parseFlags, positiveInt } from './command.js';
import { workloadFlagOptions, workloadFlagUsage, workloadOverrides } from './workload-flags.js';

const usage = `usage: storbench k8s-manifest --clients N --workload NAME|FILE --image IMAGE [flags] > storbench.yaml

Prints a headless Service, a coordinator Job (storbench run --engine external) and an Indexed Job of N agents,
one per node, as YAML to kubectl apply. The target URL and the agents' token come from a Secret you create
(the header of the output gives the kubectl commands); they are never in the manifest.

  --clients N           agents, each on its own node (1 to 10000)
  --workload NAME|FILE  a preset, or a YAML/JSON workload file (shipped in a ConfigMap)
  --image IMAGE         an image with storbench on PATH, sh and tar (kubectl cp needs tar)
  --name NAME           prefix of the objects' names (default storbench)
  --namespace NS        namespace of the objects (default: kubectl's current one)
  --secret NAME         the Secret with keys target and token (default <name>-secret)
  --port N              the coordinator's port (default 18190)
  --agent-cpu Q         CPU request of each agent (2, 500m)
  --agent-memory Q      memory request of each agent (512Mi, 4Gi)
${workloadFlagUsage}`;

/** The coordinator's port unless --port says otherwise. */
const DEFAULT_PORT = 18190;

const options = {
  clients: { type: 'string' },
  workload: { type: 'string' },
  image: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' },
  secret: { type: 'string' },
  port: { type: 'string' },
  'agent-cpu': { type: 'string' },
  'agent-memory': { type: 'string' },
  // refused with a pointer to the Secret rather than as an unknown flag
  target: { type: 'string' },
  ...workloadFlagOptions,
} as const;

/** The workload flags given, in a fixed order, as the coordinator's `run` takes them. */
function workloadArgs(values: Record<string, string | boolean | undefined>): string[] {
  const args: string[] = [];
  for (const [flag, option] of Object.entries(workloadFlagOptions)) {
    const value = values[flag];
    if (value === undefined || value === false) continue;
    args.push(`--${flag}`);
    if (option.type === 'string') args.push(String(value));
  }
  return args;
}

export const k8sManifestCommand: Command = {
  name: 'k8s-manifest',
  summary: 'print the Kubernetes Jobs of a multi-client run (coordinator + one agent per node)',
  usage,
  async run(argv) {
    const { values } = parseFlags('k8s-manifest', argv, options);
    const missing = (['clients', 'workload', 'image'] as const).filter((f) => values[f] === undefined);
    if (values.target !== undefined) {
      throw new UsageError(`k8s-manifest: --target: the target URL goes in the Secret, never in the manifest (the header of the output says how)`);
    }
    if (missing.length > 0) {
      const list = missing.map((f) => `--${f}`).join(', ');
      throw new UsageError(
        `k8s-manifest: ${list} ${missing.length === 1 ? 'is' : 'are'} required (example: --clients 4 --workload put-small --image storbench:0.1.0)`,
      );
    }
    // the same checks as run's: a manifest whose coordinator would refuse its workload is caught here, not in the cluster
    const spec = loadWorkload(values.workload!, workloadOverrides(values));
    const isFile = PRESETS[values.workload!] === undefined;
    const name = values.name ?? 'storbench';
    const manifest = {
      name,
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      image: values.image!,
      clients: positiveInt(values.clients, '--clients', MAX_CLIENTS)!,
      workload: isFile ? spec.name : values.workload!,
      ...(isFile ? { workloadFile: { key: basename(values.workload!), text: readFileSync(values.workload!, 'utf8') } } : {}),
      workloadArgs: workloadArgs(values),
      secret: values.secret ?? `${name}-secret`,
      port: positiveInt(values.port, '--port', 65535) ?? DEFAULT_PORT,
      ...(values['agent-cpu'] !== undefined ? { agentCpu: values['agent-cpu'] } : {}),
      ...(values['agent-memory'] !== undefined ? { agentMemory: values['agent-memory'] } : {}),
    };
    const problems = k8sManifestProblems(manifest);
    if (problems.length > 0) throw new UsageError(`k8s-manifest: ${problems.join('; ')}`);
    process.stdout.write(k8sManifestYaml(manifest));
    return 0;
  },
};
