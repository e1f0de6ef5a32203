/**
 * `--engine yarn`: Hadoop's DistributedShell runs one agent per container (`-shell_command` with the agent
 * script localized, as Hadoop's own HadoopArchiveLogs does; `-shell_script` launches only one container on a
 * file:/// default FS). The rank is YARN_SHELL_ID - 1. The token goes in `-shell_env`, which YARN writes into
 * the containers' launch scripts on the NodeManagers' disks: it is a per-run token, useless once the run has
 * ended; the target and its secrets only ever travel over the coordinator channel.
 * Found through HADOOP_HOME (bin/yarn, share/hadoop/yarn/hadoop-yarn-applications-distributedshell-*.jar) or
 * `yarn` on PATH; the ResourceManager's address comes from yarn-site.xml in HADOOP_CONF_DIR.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { TOKEN_VARIABLE } from '../protocol.js';
import { agentArgs, type Engine, findOnPath, LAUNCHER_GRACE_MS, spawnLauncher } from './engine.js';

const DS_CLIENT = 'org.apache.hadoop.yarn.applications.distributedshell.Client';
/** DistributedShell kills its application after `-timeout` ms (10 minutes by default): a day, unless overridden. */
const DS_TIMEOUT_MS = 24 * 3600 * 1000;
/** Memory per agent container (MiB): the research prototype's Node agents used 78-89 MiB of RSS here (../shared/notes/distributed-engine.md), worker threads add more. */
const CONTAINER_MEMORY_MB = 512;

interface YarnInstall {
  readonly yarn: string;
  readonly dsJar: string;
  readonly confDir: string | undefined;
}

function findInstall(env = process.env): YarnInstall {
  const home = env.HADOOP_YARN_HOME ?? env.HADOOP_HOME;
  const yarn = home && findOnPath('yarn', join(home, 'bin')) ? join(home, 'bin', 'yarn') : findOnPath('yarn');
  if (!yarn) throw new UsageError('--engine yarn: no yarn command (set HADOOP_HOME to a Hadoop install, or put yarn on PATH)');
  const dir = join(home ?? join(yarn, '..', '..'), 'share', 'hadoop', 'yarn');
  let dsJar: string | undefined;
  try {
    dsJar = readdirSync(dir).find((f) => /^hadoop-yarn-applications-distributedshell-.*\.jar$/.test(f) && !f.includes('test'));
  } catch {
    // no such folder
  }
  if (!dsJar) throw new UsageError(`--engine yarn: no DistributedShell jar in ${dir} (hadoop-yarn-applications-distributedshell-*.jar)`);
  const confDir = env.HADOOP_CONF_DIR ?? (home ? join(home, 'etc', 'hadoop') : undefined);
  return { yarn, dsJar: join(dir, dsJar), confDir };
}

/** The ResourceManager's web address from yarn-site.xml (YARN's defaults when unset). */
export function resourceManagerWeb(yarnSite: string | undefined): string {
  const property = (name: string): string | undefined => {
    const m = new RegExp(`<name>\\s*${name.replace(/\./g, '\\.')}\\s*</name>\\s*<value>\\s*([^<]*?)\\s*</value>`).exec(yarnSite ?? '');
    return m?.[1];
  };
  const host = property('yarn.resourcemanager.hostname') ?? '0.0.0.0';
  const web = property('yarn.resourcemanager.webapp.address') ?? `${host}:8088`;
  return web.replace(/\$\{yarn\.resourcemanager\.hostname\}/, host).replace(/^0\.0\.0\.0:/, '127.0.0.1:');
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The ResourceManager's web address of this install. */
function webOf(install: YarnInstall): string {
  let site: string | undefined;
  try {
    site = install.confDir ? readFileSync(join(install.confDir, 'yarn-site.xml'), 'utf8') : undefined;
  } catch {
    // YARN's defaults
  }
  return resourceManagerWeb(site);
}

export const yarnEngine: Engine = {
  name: 'yarn',
  async check() {
    const web = webOf(findInstall());
    try {
      const answer = await fetch(`http://${web}/ws/v1/cluster/info`, { signal: AbortSignal.timeout(5000) });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    } catch (e) {
      throw new UsageError(
        `--engine yarn: the ResourceManager at http://${web} is not reachable (${e instanceof Error ? e.message : String(e)}); is YARN running?`,
      );
    }
  },
  async launch(r, onFailure) {
    const install = findInstall(r.env);
    const { yarn, dsJar } = install;
    // the agent's command, localized into each container (no token in it)
    const dir = mkdtempSync(join(tmpdir(), 'storbench-yarn-'));
    const script = join(dir, 'storbench-agent.sh');
    writeFileSync(script, `#!/bin/sh\nexec ${agentArgs(r).map(shellQuote).join(' ')}\n`, { mode: 0o755 });
    const args = [
      'jar',
      dsJar,
      DS_CLIENT,
      '-jar',
      dsJar,
      '-appname',
      `storbench-${r.runId}`,
      '-num_containers',
      String(r.clients),
      '-container_memory',
      String(CONTAINER_MEMORY_MB),
      '-timeout',
      String(DS_TIMEOUT_MS),
      '-shell_env',
      `${TOKEN_VARIABLE}=${r.env[TOKEN_VARIABLE]}`,
      '-shell_command',
      'sh',
      '-shell_args',
      'storbench-agent.sh',
      '-localize_files',
      script,
      ...r.launcherArgs,
    ];
    let appId: string | undefined;
    const client = spawnLauncher(
      yarn,
      args,
      r.env,
      (code, tail) => {
        if (code !== 0) onFailure(`the DistributedShell client exited with code ${code}${appId ? ` (${appId})` : ''}${tail ? `: ${tail}` : ''}`);
      },
      (chunk) => {
        appId ??= /Submitted application (application_\d+_\d+)/.exec(chunk)?.[1];
      },
    );
    return {
      jobId: () => appId,
      stop: async () => {
        // a finished application's client ends by itself soon after its containers
        await Promise.race([client.exited, new Promise((r) => setTimeout(r, LAUNCHER_GRACE_MS).unref())]);
        if (appId && client.child.exitCode === null) {
          // the application outlives its client: kill it in YARN through the RM's REST API (what `yarn application
          // -kill` does, without starting a JVM), bounded; its agents have stopped already (their coordinator closed)
          const url = `http://${webOf(install)}/ws/v1/cluster/apps/${appId}/state?user.name=${encodeURIComponent(userInfo().username)}`;
          await fetch(url, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ state: 'KILLED' }),
            signal: AbortSignal.timeout(10_000),
          }).catch(() => undefined);
        }
        await client.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
