/**
 * `storbench <command>`: the dispatcher. Each command is its own module, loaded only when used.
 * Bad input prints one line `storbench: error: ...` and exits 2; a failed run exits 1.
 */
import { UsageError } from '../errors.js';
import { type Command, nearest } from './command.js';

const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  suite: async () => (await import('./suite-command.js')).suiteCommand,
  runs: async () => (await import('./runs-command.js')).runsCommand,
  show: async () => (await import('./runs-command.js')).showCommand,
  compare: async () => (await import('./compare-command.js')).compareCommand,
  check: async () => (await import('./check-command.js')).checkCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  serve: async () => (await import('./serve-command.js')).serveCommand,
  schedule: async () => (await import('./schedule-command.js')).scheduleCommand,
  clean: async () => (await import('./clean-command.js')).cleanCommand,
  agent: async () => (await import('./agent-command.js')).agentCommand,
  'k8s-manifest': async () => (await import('./k8s-manifest-command.js')).k8sManifestCommand,
};

/** The command called `name`, or undefined when there is none (optional commands such as `serve`). */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return commands[name]?.();
}

async function help(): Promise<string> {
  const lines = ['usage: storbench <command> [flags]   (storbench <command> --help for its flags)', '', 'commands:'];
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)} ${(await load()).summary}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(await help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      const { STORBENCH_VERSION } = await import('../version.js');
      console.log(STORBENCH_VERSION);
      return 0;
    }
    const load = commands[name];
    if (!load) {
      const near = nearest(name, Object.keys(commands));
      throw new UsageError(`unknown command "${name}"${near ? ` (did you mean ${near}?)` : ''} (commands: ${Object.keys(commands).join(', ')})`);
    }
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`storbench: error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
