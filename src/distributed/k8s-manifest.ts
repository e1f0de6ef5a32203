/**
 * The Kubernetes objects of a multi-client run: a headless Service, a coordinator Job (one pod running
 * `storbench run --engine external`) and an Indexed Job of N agents (`storbench agent`), as plain objects.
 * Pure: no file, no environment, no cluster. The Secret is not among them: it holds the target URL and the
 * agents' token, so the user creates it with kubectl (the header says how) and the pods read it through
 * `secretKeyRef` only; no secret value is ever in a manifest, an argument or a plain env value.
 */
import { stringify } from 'yaml';

/** Where the coordinator keeps its database inside its pod (an emptyDir). */
export const RESULTS_DIR = '/results';
/** Where a workload file given as a ConfigMap is mounted in the coordinator's pod. */
export const WORKLOAD_DIR = '/workload';
/** The environment variable the coordinator reads the target URL from (`--target-env`). */
export const TARGET_ENV = 'STORBENCH_TARGET';
/** The environment variable coordinator and agents read the run's token from. */
export const TOKEN_ENV = 'STORBENCH_AGENT_TOKEN';
/** The keys of the user's Secret. */
export const SECRET_KEYS = { target: 'target', token: 'token' } as const;
/** The file whose creation lets the coordinator pod end once its results were copied out. */
export const FETCHED_MARKER = `${RESULTS_DIR}/fetched`;

export interface K8sManifestOptions {
  /** Prefix of every object's name; a DNS-1035 label (the Service's name), at most {@link MAX_NAME_LENGTH}. */
  readonly name: string;
  /** Namespace of every object; omitted: the one kubectl applies to. */
  readonly namespace?: string;
  /** The container image: storbench on PATH, `sh` and `tar` (kubectl cp needs it). */
  readonly image: string;
  /** Number of agents (the Indexed Job's completions and parallelism). */
  readonly clients: number;
  /** A preset name, or a workload file's basename when `workloadFile` is given. */
  readonly workload: string;
  /** A workload file's text, shipped in a ConfigMap and mounted at {@link WORKLOAD_DIR}. */
  readonly workloadFile?: { readonly key: string; readonly text: string };
  /** Workload flags, already validated, passed to the coordinator as they are (`--duration`, `30s`, ...). */
  readonly workloadArgs: readonly string[];
  /** Name of the user's Secret with the keys `target` and `token`. */
  readonly secret: string;
  /** The coordinator's port. */
  readonly port: number;
  /** CPU request of each agent (a Kubernetes quantity: `2`, `500m`). */
  readonly agentCpu?: string;
  /** Memory request of each agent (a Kubernetes quantity: `512Mi`, `2Gi`). */
  readonly agentMemory?: string;
}

/** Longest `name`: `<name>-coordinator` and `<name>-agents-<index>` (index up to 9999) stay 63-character labels. */
export const MAX_NAME_LENGTH = 51;
/** Most agents: keeps `<name>-agents-<index>` within a label (and far below the Indexed Job limit of 100,000). */
export const MAX_CLIENTS = 10_000;

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
/** A resource quantity as Kubernetes parses it: a decimal with an SI, binary or exponent suffix. */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;
/** An image reference as the container runtimes parse it: [host[:port]/]path[:tag][@digest]. */
const IMAGE = new RegExp(
  '^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d+)?/)?' +
    '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*' +
    '(?::\\w[\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/**
 * What is wrong with the options, one entry per problem naming its flag (empty when nothing is).
 * Checked here, not by the cluster: a manifest that `kubectl apply` refuses halfway leaves some objects behind.
 */
export function k8sManifestProblems(o: K8sManifestOptions): string[] {
  const problems: string[] = [];
  if (!DNS_1035_LABEL.test(o.name) || o.name.length > MAX_NAME_LENGTH) {
    problems.push(
      `--name: expected lowercase letters, digits and '-', starting with a letter, at most ${MAX_NAME_LENGTH} characters (it names the Service and the Jobs), got "${o.name}"`,
    );
  }
  if (o.namespace !== undefined && (!DNS_1123_LABEL.test(o.namespace) || o.namespace.length > 63)) {
    problems.push(`--namespace: expected a namespace name (lowercase letters, digits and '-', at most 63 characters), got "${o.namespace}"`);
  }
  // the default, <name>-secret, is valid whenever --name is
  if (o.secret !== `${o.name}-secret` && (!DNS_1123_SUBDOMAIN.test(o.secret) || o.secret.length > 253)) {
    problems.push(`--secret: expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters), got "${o.secret}"`);
  }
  if (!IMAGE.test(o.image) || o.image.length > 4096)
    problems.push(`--image: expected an image reference such as registry.example:5000/storbench:0.1.0, got "${o.image}"`);
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > MAX_CLIENTS) {
    problems.push(`--clients: expected a whole number from 1 to ${MAX_CLIENTS} (agents, one per node), got ${o.clients}`);
  }
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) problems.push(`--port: expected a whole number from 1 to 65535, got ${o.port}`);
  for (const [flag, value] of [
    ['--agent-cpu', o.agentCpu],
    ['--agent-memory', o.agentMemory],
  ] as const) {
    if (value !== undefined && !QUANTITY.test(value)) problems.push(`${flag}: expected a Kubernetes quantity (2, 500m, 512Mi, 4Gi), got "${value}"`);
  }
  if (o.workloadFile && !CONFIG_MAP_KEY.test(o.workloadFile.key)) {
    problems.push(`--workload: the file's name must be letters, digits, '-', '_' and '.' (a ConfigMap key), got "${o.workloadFile.key}"`);
  }
  return problems;
}

/** The names of the objects and the address the agents dial. */
export interface K8sNames {
  readonly service: string;
  readonly coordinatorJob: string;
  readonly agentsJob: string;
  readonly workloadConfigMap: string;
  /** The coordinator pod's hostname (set explicitly: a Job's pods get a random one otherwise). */
  readonly coordinatorHostname: string;
  /** `<hostname>.<service>:<port>`: the pod's DNS name, made by the headless Service named in its subdomain. */
  readonly coordinatorAddress: string;
}

export function k8sNames(o: Pick<K8sManifestOptions, 'name' | 'port'>): K8sNames {
  const coordinatorHostname = `${o.name}-coordinator`;
  return {
    service: o.name,
    coordinatorJob: `${o.name}-coordinator`,
    agentsJob: `${o.name}-agents`,
    workloadConfigMap: `${o.name}-workload`,
    coordinatorHostname,
    coordinatorAddress: `${coordinatorHostname}.${o.name}:${o.port}`,
  };
}

type K8sObject = Record<string, unknown>;

const labelsOf = (name: string, component: 'coordinator' | 'agent') => ({
  'app.kubernetes.io/name': 'storbench',
  'app.kubernetes.io/instance': name,
  'app.kubernetes.io/component': component,
});

const fromSecret = (env: string, secret: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: secret, key } } });

/**
 * Pod settings both pods share. No service account token (storbench never calls the Kubernetes API), and no
 * service links: they would put `<SERVICE>_PORT`-style variables in the environment, `STORBENCH_*` ones for
 * any Service whose name starts with storbench.
 */
const podBasics = { restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false };

/**
 * The objects, in the order to apply them: the headless Service, the workload ConfigMap (only for a workload
 * file), the coordinator Job, the agents' Indexed Job. Assumes {@link k8sManifestProblems} found nothing.
 */
export function k8sManifestObjects(o: K8sManifestOptions): K8sObject[] {
  const names = k8sNames(o);
  const meta = (name: string, labels: Record<string, string>) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels });
  const coordinatorLabels = labelsOf(o.name, 'coordinator');
  const agentLabels = labelsOf(o.name, 'agent');
  const objects: K8sObject[] = [];

  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(names.service, coordinatorLabels),
    spec: {
      // headless: the coordinator pod's own DNS name (<hostname>.<service>), no virtual IP
      clusterIP: 'None',
      // the name resolves as soon as the pod has an address: agents may dial before it reports ready
      publishNotReadyAddresses: true,
      selector: coordinatorLabels,
      ports: [{ name: 'coordinator', port: o.port, targetPort: o.port, protocol: 'TCP' }],
    },
  });

  if (o.workloadFile) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(names.workloadConfigMap, coordinatorLabels),
      data: { [o.workloadFile.key]: o.workloadFile.text },
    });
  }

  const workload = o.workloadFile ? `${WORKLOAD_DIR}/${o.workloadFile.key}` : o.workload;
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(names.coordinatorJob, coordinatorLabels),
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 0,
      template: {
        metadata: { labels: coordinatorLabels },
        spec: {
          ...podBasics,
          // a Job's pod has a generated hostname; set, with the headless Service as subdomain, it is reachable
          // at <hostname>.<service> from every pod of the namespace
          hostname: names.coordinatorHostname,
          subdomain: names.service,
          containers: [
            {
              name: 'coordinator',
              image: o.image,
              command: ['storbench'],
              args: [
                'run',
                '--engine',
                'external',
                '--clients',
                String(o.clients),
                '--coordinator-bind',
                `0.0.0.0:${o.port}`,
                '--target-env',
                TARGET_ENV,
                '--workload',
                workload,
                ...o.workloadArgs,
                '--db',
                `${RESULTS_DIR}/storbench.db`,
              ],
              env: [fromSecret(TARGET_ENV, o.secret, SECRET_KEYS.target), fromSecret(TOKEN_ENV, o.secret, SECRET_KEYS.token)],
              ports: [{ name: 'coordinator', containerPort: o.port, protocol: 'TCP' }],
              volumeMounts: [
                { name: 'results', mountPath: RESULTS_DIR },
                ...(o.workloadFile ? [{ name: 'workload', mountPath: WORKLOAD_DIR, readOnly: true }] : []),
              ],
            },
            {
              // a finished container cannot be exec'd into, so kubectl cp could not reach the database once
              // the coordinator exits: this one keeps the pod (and its emptyDir) until the user has copied it
              name: 'results',
              image: o.image,
              command: ['sh', '-c', `until [ -e ${FETCHED_MARKER} ]; do sleep 5; done; echo "storbench: ${FETCHED_MARKER} seen, the results are released"`],
              volumeMounts: [{ name: 'results', mountPath: RESULTS_DIR }],
            },
          ],
          volumes: [{ name: 'results', emptyDir: {} }, ...(o.workloadFile ? [{ name: 'workload', configMap: { name: names.workloadConfigMap } }] : [])],
        },
      },
    },
  });

  const requests = { ...(o.agentCpu ? { cpu: o.agentCpu } : {}), ...(o.agentMemory ? { memory: o.agentMemory } : {}) };
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(names.agentsJob, agentLabels),
    spec: {
      // Indexed: pod i gets JOB_COMPLETION_INDEX=i, the agent's rank
      completionMode: 'Indexed',
      completions: o.clients,
      parallelism: o.clients,
      backoffLimit: 0,
      // a failed agent fails the run: no pod is replaced (a replacement would register a rank already seen)
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'agent', operator: 'NotIn', values: [0] } }] },
      template: {
        metadata: { labels: agentLabels },
        spec: {
          ...podBasics,
          // one agent per node: two on one host would share its NIC and CPU and measure less than two clients
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: agentLabels }, topologyKey: 'kubernetes.io/hostname' }],
            },
          },
          containers: [
            {
              name: 'agent',
              image: o.image,
              command: ['storbench'],
              args: ['agent', '--coordinator', names.coordinatorAddress],
              // only the token: the target URL reaches agents over the coordinator's channel
              env: [fromSecret(TOKEN_ENV, o.secret, SECRET_KEYS.token)],
              ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
            },
          ],
        },
      },
    },
  });
  return objects;
}

/** The comment that opens the manifest: the Secret to create, and how to apply, follow, fetch and read the run. */
export function k8sManifestHeader(o: K8sManifestOptions): string {
  const names = k8sNames(o);
  const ns = o.namespace ? ` -n ${o.namespace}` : '';
  const selector = `app.kubernetes.io/instance=${o.name},app.kubernetes.io/component=coordinator`;
  const lines = [
    `storbench: ${o.clients} agent${o.clients === 1 ? '' : 's'} (one per node) and a coordinator running ${o.workload}, image ${o.image}.`,
    'Saved as storbench.yaml (storbench k8s-manifest ... > storbench.yaml):',
    '',
    '1. Create the Secret the pods read: the target URL (what you would give run --target, credentials',
    '   included) and a random token that agents show the coordinator. Neither is in this file.',
    `     kubectl${ns} create secret generic ${o.secret} --from-literal=${SECRET_KEYS.target}='TARGET_URL' --from-literal=${SECRET_KEYS.token}=$(openssl rand -hex 32)`,
    '2. Apply this file, then follow the run (the log ends when the coordinator does):',
    `     kubectl${ns} apply -f storbench.yaml`,
    `     kubectl${ns} logs -f job/${names.coordinatorJob} -c coordinator`,
    `   Agents dial ${names.coordinatorAddress}; the run starts when all ${o.clients} have registered.`,
    '3. Copy the results out of the coordinator pod (its "results" container keeps them until told), then release it:',
    `     pod=$(kubectl${ns} get pod -l ${selector} -o jsonpath='{.items[0].metadata.name}')`,
    `     kubectl${ns} cp -c results "$pod:${RESULTS_DIR}" ./storbench-results`,
    `     kubectl${ns} exec -c results "$pod" -- touch ${FETCHED_MARKER}`,
    '4. Read them:',
    '     storbench runs --db storbench-results/storbench.db',
    '     storbench show RUN_ID --db storbench-results/storbench.db',
    '     storbench serve --db storbench-results/storbench.db',
    '5. Remove everything:',
    `     kubectl${ns} delete -f storbench.yaml && kubectl${ns} delete secret ${o.secret}`,
  ];
  return `${lines.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n`;
}

/**
 * The manifest as multi-document YAML, opened by {@link k8sManifestHeader}. Written as YAML 1.1, which quotes
 * `yes`, `on`, `n`...: kubectl's parser (and PyYAML) read those bare as booleans, so `--dataset yes` would
 * reach the coordinator as `true`, or be refused as not a string.
 */
export function k8sManifestYaml(o: K8sManifestOptions): string {
  return (
    k8sManifestHeader(o) +
    k8sManifestObjects(o)
      .map((obj) => stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' }))
      .join('---\n')
  );
}
