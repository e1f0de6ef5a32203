/** `storbench agent`: one client of a multi-client run, as an engine launches it (see src/distributed/agent.ts). */
import { rankFromEnvironment, runAgent } from '../distributed/agent.js';
import { parseHostPort, TOKEN_VARIABLE } from '../distributed/protocol.js';
import { UsageError } from '../errors.js';
import { type Command, parseFlags } from './command.js';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'one client of a multi-client run (what --engine launches on each client host)',
  usage: `usage: storbench agent --coordinator HOST:PORT [--run ID] [--rank N]

  Dials the coordinator (the \`storbench run --engine E --clients N\` process), registers, and runs its share.
  --coordinator HOST:PORT  the coordinator's address
  --run ID                 the run it belongs to (refused by a coordinator of another run)
  --rank N                 this client's rank, 0..N-1; default: the engine's own variable (YARN_SHELL_ID - 1,
                           SLURM_PROCID, OMPI_COMM_WORLD_RANK, PMIX_RANK, JOB_COMPLETION_INDEX)
  The run's token is read from ${TOKEN_VARIABLE}; the target and workload come from the coordinator.`,
  async run(argv) {
    const { values } = parseFlags('agent', argv, { coordinator: { type: 'string' }, run: { type: 'string' }, rank: { type: 'string' } });
    if (!values.coordinator) throw new UsageError('agent: --coordinator HOST:PORT is required');
    const address = parseHostPort(values.coordinator);
    if (!address) throw new UsageError(`agent: --coordinator: expected HOST:PORT, got "${values.coordinator}"`);
    const token = process.env[TOKEN_VARIABLE];
    if (!token) throw new UsageError(`agent: ${TOKEN_VARIABLE} is not set (the engine passes the run's token there)`);
    let rank: number | undefined;
    let engineTask: string | undefined;
    if (values.rank !== undefined) {
      if (!/^\d+$/.test(values.rank)) throw new UsageError(`agent: --rank: expected a whole number from 0, got "${values.rank}"`);
      rank = Number(values.rank);
      engineTask = rankFromEnvironment(process.env)?.engineTask;
    } else {
      const fromEngine = rankFromEnvironment(process.env);
      if (!fromEngine) {
        throw new UsageError('agent: --rank: not given, and none of YARN_SHELL_ID, SLURM_PROCID, OMPI_COMM_WORLD_RANK, PMIX_RANK, JOB_COMPLETION_INDEX is set');
      }
      ({ rank, engineTask } = fromEngine);
    }
    const code = await runAgent({
      ...address,
      token,
      rank,
      ...(values.run ? { runId: values.run } : {}),
      ...(engineTask ? { engineTask } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    // worker threads or sockets a failed driver left must not keep an engine task alive
    setTimeout(() => process.exit(code), 100).unref();
    return code;
  },
};
