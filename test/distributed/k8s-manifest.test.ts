/**
 * `storbench k8s-manifest` as a user runs it: the YAML it prints passes kubernetes-validate --strict for two
 * Kubernetes versions (scripts/k8s-validate.sh, which installs the validator into a venv on first use), and
 * holds what the coordinator/agent contract needs; bad input prints one line and nothing on stdout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli } from '../cli/cli-process.js';

const validator = new URL('../../scripts/k8s-validate.sh', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'storbench-k8s-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// planted in the generator's environment: neither may reach its output
const TARGET = 's3://AKIAPLANTED:planted-secret-key@rgw.example:7480/bench';
const TOKEN = 'planted-token-0123456789abcdef';

function generate(args: readonly string[]) {
  const r = runCli(['k8s-manifest', ...args], { env: { STORBENCH_TARGET: TARGET, STORBENCH_AGENT_TOKEN: TOKEN, STORBENCH_TARGET_URL: TARGET } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const docs = parseAllDocuments(r.stdout);
  assert.ok(Array.isArray(docs));
  for (const d of docs) assert.deepEqual(d.errors, []);
  return { text: r.stdout, objects: docs.map((d) => d.toJS()) as any[] };
}

function validate(files: readonly string[]) {
  // the first use installs kubernetes-validate from PyPI into node_modules/.cache (about 25 s)
  const r = spawnSync('bash', [validator, ...files], { encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const containersOf = (job: any): any[] => job.spec.template.spec.containers;
const byKind = (objects: any[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
/** Whether `part` occurs in `args` as consecutive elements. */
const hasRun = (args: readonly string[], part: readonly string[]) => args.some((_, i) => part.every((p, j) => args[i + j] === p));

describe('k8s-manifest: Service, coordinator Job, Indexed Job of agents', () => {
  // `yes` is a boolean to YAML 1.1 readers (kubectl, the validator's PyYAML) unless quoted
  const workloadFlags = ['--duration', '30s', '--concurrency', '16', '--size', '64KiB', '--dataset', 'yes', '--verify'];
  const plain = generate(['--clients', '5', '--workload', 'put-small', '--image', 'registry.example:5000/storbench:0.1.0', ...workloadFlags]);
  const plainFile = join(dir, 'storbench.yaml');
  writeFileSync(plainFile, plain.text);

  const workloadFile = join(dir, 'big-writes.yaml');
  writeFileSync(workloadFile, 'mix: { write: 1 }\nsize: 1MiB\nduration: 20s\n');
  const custom = generate([
    ...['--clients', '2', '--workload', workloadFile, '--image', 'storbench:dev', '--name', 'bench-a', '--namespace', 'storage'],
    ...['--secret', 'rgw-bench', '--port', '9000', '--agent-cpu', '500m', '--agent-memory', '2Gi', '--threads', '2'],
  ]);
  const customFile = join(dir, 'custom.yaml');
  writeFileSync(customFile, custom.text);

  test('both manifests pass kubernetes-validate --strict for Kubernetes 1.31.0 and 1.37.0', () => {
    const r = validate([plainFile, customFile]);
    assert.equal(r.code, 0, r.out);
    for (const version of ['1.31', '1.37']) {
      for (const resource of ['service/storbench', 'job/storbench-coordinator', 'job/storbench-agents']) {
        assert.ok(r.out.includes(`${plainFile} passed for resource ${resource} against version ${version}`), `${resource} ${version}:\n${r.out}`);
      }
      for (const resource of ['service/bench-a', 'configmap/bench-a-workload', 'job/bench-a-coordinator', 'job/bench-a-agents']) {
        assert.ok(r.out.includes(`${customFile} passed for resource ${resource} against version ${version}`), `${resource} ${version}:\n${r.out}`);
      }
    }
    assert.doesNotMatch(r.out, /^(ERROR|WARN) /m);
  });

  test('the validator fails: an unknown field, a wrong type, an unknown kind, a file without documents', () => {
    const agents = structuredClone(byKind(plain.objects, 'Job', 'storbench-agents'));
    const cases: [string, unknown, RegExp][] = [
      ['unknown-field', { ...agents, spec: { ...agents.spec, completion: 5 } }, /'completion' was unexpected/],
      ['wrong-type', { ...agents, spec: { ...agents.spec, parallelism: 'five' } }, /'five' is not of type 'integer'/],
      ['unknown-kind', { apiVersion: 'batch/v1', kind: 'Jobb', metadata: { name: 'x' } }, /^WARN .*Couldn't find schema for kind Jobb/m],
      ['empty', undefined, /^== kubernetes-validate/m],
    ];
    for (const [name, doc, expected] of cases) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, doc === undefined ? '# nothing\n' : stringify(doc));
      const r = validate([file]);
      assert.equal(r.code, 1, `${name}: ${r.out}`);
      assert.match(r.out, expected, name);
    }
  });

  test('no secret in any argument or env value: the target and the token come only from the Secret', () => {
    for (const { text, objects } of [plain, custom]) {
      assert.ok(!text.includes(TARGET) && !text.includes('planted'), 'the planted values are not printed');
      assert.ok(!objects.some((o) => o.kind === 'Secret'), 'no Secret object');
      for (const job of objects.filter((o) => o.kind === 'Job')) {
        for (const c of containersOf(job)) {
          for (const arg of [...c.command, ...(c.args ?? [])]) {
            assert.doesNotMatch(arg, /:\/\//, `${c.name}: ${arg}`);
            assert.notEqual(arg, '--target', c.name);
          }
          for (const e of c.env ?? []) {
            assert.equal(e.value, undefined, `${c.name} ${e.name} has a plain value`);
            assert.ok(e.valueFrom?.secretKeyRef, `${c.name} ${e.name} from a secretKeyRef`);
          }
        }
      }
    }
    const envOf = (job: any, container: string) =>
      Object.fromEntries(
        containersOf(job)
          .find((c) => c.name === container)
          .env.map((e: any) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]),
      );
    assert.deepEqual(envOf(byKind(plain.objects, 'Job', 'storbench-coordinator'), 'coordinator'), {
      STORBENCH_TARGET: 'storbench-secret/target',
      STORBENCH_AGENT_TOKEN: 'storbench-secret/token',
    });
    assert.deepEqual(envOf(byKind(plain.objects, 'Job', 'storbench-agents'), 'agent'), { STORBENCH_AGENT_TOKEN: 'storbench-secret/token' });
    assert.deepEqual(envOf(byKind(custom.objects, 'Job', 'bench-a-agents'), 'agent'), { STORBENCH_AGENT_TOKEN: 'rgw-bench/token' });
  });

  for (const [label, m, name, clients, port] of [
    ['defaults', plain, 'storbench', 5, 18190],
    ['--name, --namespace, --port', custom, 'bench-a', 2, 9000],
  ] as const) {
    test(`${label}: agents dial the coordinator pod's hostname.subdomain, which the headless Service resolves`, () => {
      const service = byKind(m.objects, 'Service', name);
      const coordinator = byKind(m.objects, 'Job', `${name}-coordinator`);
      const agents = byKind(m.objects, 'Job', `${name}-agents`);
      const pod = coordinator.spec.template;
      assert.equal(service.spec.clusterIP, 'None');
      assert.equal(service.spec.publishNotReadyAddresses, true);
      assert.deepEqual(
        service.spec.ports.map((p: any) => p.port),
        [port],
      );
      for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(pod.metadata.labels[k], v, `the Service selects the coordinator pod (${k})`);
      assert.ok(
        Object.entries(service.spec.selector).some(([k, v]) => agents.spec.template.metadata.labels[k] !== v),
        'and not the agents',
      );
      assert.equal(pod.spec.subdomain, service.metadata.name);
      assert.ok(pod.spec.hostname, 'the Job pod has an explicit hostname');
      const address = `${pod.spec.hostname}.${pod.spec.subdomain}:${port}`;
      const agent = containersOf(agents)[0];
      assert.deepEqual([...agent.command, ...agent.args], ['storbench', 'agent', '--coordinator', address]);
      const main = containersOf(coordinator).find((c: any) => c.name === 'coordinator');
      assert.ok(hasRun(main.args, ['--coordinator-bind', `0.0.0.0:${port}`]), main.args.join(' '));
      assert.deepEqual(
        main.ports.map((p: any) => p.containerPort),
        [port],
      );
      assert.equal(coordinator.spec.backoffLimit, 0);
      assert.equal(coordinator.spec.completions, 1);
      assert.equal(pod.spec.restartPolicy, 'Never');
      if (name === 'bench-a') for (const o of m.objects) assert.equal(o.metadata.namespace, 'storage', `${o.kind}/${o.metadata.name}`);
      else for (const o of m.objects) assert.equal(o.metadata.namespace, undefined);

      assert.equal(agents.spec.completionMode, 'Indexed');
      assert.equal(agents.spec.completions, clients);
      assert.equal(agents.spec.parallelism, clients);
      assert.equal(agents.spec.backoffLimit, 0);
      assert.deepEqual(agents.spec.podFailurePolicy.rules, [{ action: 'FailJob', onExitCodes: { containerName: agent.name, operator: 'NotIn', values: [0] } }]);
      const anti = agents.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      assert.equal(anti.length, 1);
      assert.equal(anti[0].topologyKey, 'kubernetes.io/hostname');
      for (const [k, v] of Object.entries(anti[0].labelSelector.matchLabels)) {
        assert.equal(agents.spec.template.metadata.labels[k], v, `the anti-affinity selects the agent pods (${k})`);
      }
      assert.ok(
        Object.entries(anti[0].labelSelector.matchLabels).some(([k, v]) => pod.metadata.labels[k] !== v),
        'and not the coordinator',
      );
    });
  }

  test('the coordinator runs the contract: external engine, N clients, the workload and its flags, the database in an emptyDir', () => {
    const coordinator = byKind(plain.objects, 'Job', 'storbench-coordinator');
    const main = containersOf(coordinator).find((c: any) => c.name === 'coordinator');
    assert.deepEqual(main.command, ['storbench']);
    const args: string[] = main.args;
    assert.deepEqual(args.slice(0, 5), ['run', '--engine', 'external', '--clients', '5']);
    assert.ok(hasRun(args, ['--target-env', 'STORBENCH_TARGET']), args.join(' '));
    assert.ok(hasRun(args, ['--workload', 'put-small', ...workloadFlags]), args.join(' '));
    assert.ok(hasRun(args, ['--db', '/results/storbench.db']), args.join(' '));
    const volumes = coordinator.spec.template.spec.volumes;
    const results = main.volumeMounts.find((v: any) => v.mountPath === '/results');
    assert.deepEqual(
      volumes.find((v: any) => v.name === results.name),
      { name: results.name, emptyDir: {} },
    );
    // kubectl cp needs a running container: the second one holds the pod (and its emptyDir) until told
    const holder = containersOf(coordinator).find((c: any) => c.name === 'results');
    assert.ok(holder.volumeMounts.some((v: any) => v.name === results.name && v.mountPath === '/results'));
    assert.match(holder.command.join(' '), /until \[ -e \/results\/fetched \]/);

    const agents = byKind(plain.objects, 'Job', 'storbench-agents');
    assert.equal(containersOf(agents)[0].resources, undefined, 'no requests unless asked');
    const customAgents = byKind(custom.objects, 'Job', 'bench-a-agents');
    assert.deepEqual(containersOf(customAgents)[0].resources, { requests: { cpu: '500m', memory: '2Gi' } });
  });

  test('a workload file travels in a ConfigMap mounted into the coordinator, by its own name', () => {
    const configMap = byKind(custom.objects, 'ConfigMap', 'bench-a-workload');
    assert.deepEqual(configMap.data, { 'big-writes.yaml': 'mix: { write: 1 }\nsize: 1MiB\nduration: 20s\n' });
    const coordinator = byKind(custom.objects, 'Job', 'bench-a-coordinator');
    const main = containersOf(coordinator).find((c: any) => c.name === 'coordinator');
    assert.ok(hasRun(main.args, ['--workload', '/workload/big-writes.yaml', '--threads', '2']), main.args.join(' '));
    const mount = main.volumeMounts.find((v: any) => v.mountPath === '/workload');
    assert.deepEqual(
      coordinator.spec.template.spec.volumes.find((v: any) => v.name === mount.name),
      { name: mount.name, configMap: { name: 'bench-a-workload' } },
    );
  });

  test('the header says how to create the Secret, apply, fetch the database and read it', () => {
    const header = plain.text.slice(0, plain.text.indexOf('\napiVersion:'));
    assert.ok(
      header.split('\n').every((l) => l.startsWith('#')),
      'the header is comments only',
    );
    assert.ok(
      header.includes("kubectl create secret generic storbench-secret --from-literal=target='TARGET_URL' --from-literal=token=$(openssl rand -hex 32)"),
      header,
    );
    assert.ok(header.includes('kubectl apply -f storbench.yaml'), header);
    assert.match(header, /kubectl cp -c results "\$pod:\/results" \.\/storbench-results/);
    assert.ok(header.includes('touch /results/fetched'), header);
    assert.ok(header.includes('storbench show RUN_ID --db storbench-results/storbench.db'), header);
    assert.ok(header.includes('storbench serve --db storbench-results/storbench.db'), header);
    const customHeader = custom.text.slice(0, custom.text.indexOf('\napiVersion:'));
    assert.ok(customHeader.includes('kubectl -n storage create secret generic rgw-bench '), customHeader);
    assert.ok(customHeader.includes('kubectl -n storage cp -c results '), customHeader);
  });
});

describe('k8s-manifest: bad input is one line naming the flag, exit 2, nothing on stdout', () => {
  const ok = ['--clients', '3', '--workload', 'put-small', '--image', 'storbench:dev'];
  const without = (flag: string) => {
    const i = ok.indexOf(flag);
    return [...ok.slice(0, i), ...ok.slice(i + 2)];
  };
  const cases: [string, string[], RegExp][] = [
    ['--clients 0', [...without('--clients'), '--clients', '0'], /--clients: expected a whole number from 1 to 10000, got "0"/],
    ['--clients 10001', [...without('--clients'), '--clients', '10001'], /--clients: /],
    ['no --clients', without('--clients'), /--clients is required/],
    ['no --image', without('--image'), /--image is required/],
    ['no --workload', without('--workload'), /--workload is required/],
    ['an unknown workload', [...without('--workload'), '--workload', 'put-smal'], /workload: unknown preset "put-smal"/],
    ['a missing workload file', [...without('--workload'), '--workload', join(dir, 'none.yaml')], /workload .*none\.yaml/],
    ['a bad workload flag', [...ok, '--concurrency', '0'], /--concurrency: expected a whole number/],
    ['a bad --duration', [...ok, '--duration', '-5s'], /duration: "-5s" is not a duration/],
    ['a bad --image', [...without('--image'), '--image', 'Storbench Dev'], /--image: /],
    ['a bad --name', [...ok, '--name', 'Bench_1'], /--name: /],
    ['a too long --name', [...ok, '--name', `b${'x'.repeat(51)}`], /--name: .*at most 51/],
    ['a bad --namespace', [...ok, '--namespace', 'a.b'], /--namespace: /],
    ['a bad --secret', [...ok, '--secret', 'My Secret'], /--secret: /],
    ['--port 0', [...ok, '--port', '0'], /--port: /],
    ['a bad --agent-memory', [...ok, '--agent-memory', 'lots'], /--agent-memory: /],
    ['--target', [...ok, '--target', 's3://AKIAPLANTED:secret@h/b'], /--target: the target URL goes in the Secret/],
    ['an unknown flag', [...ok, '--replicas', '3'], /Unknown option '--replicas'/],
  ];
  for (const [label, args, expected] of cases) {
    test(label, () => {
      const r = runCli(['k8s-manifest', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.ok(r.stderr.startsWith('storbench: error: '), r.stderr);
      assert.match(r.stderr, expected);
      assert.ok(!r.stderr.includes('AKIAPLANTED:secret'), 'a refused --target is not echoed');
    });
  }

  test('several problems at once are all named on the one line', () => {
    const r = runCli(['k8s-manifest', ...ok, '--name', 'Bad', '--namespace', 'X', '--agent-cpu', 'lots']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^storbench: error: k8s-manifest: --name: .*; --namespace: .*; --agent-cpu: .*\n$/);
  });
});
