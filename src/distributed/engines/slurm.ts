/**
 * `--engine slurm`: `srun` starts the agents (inside an allocation, `salloc -N 16 storbench run --engine slurm
 * --clients 16 ...`, or making one). The rank is SLURM_PROCID; the token reaches the tasks through srun's
 * environment export, never its arguments. A dead task does not stop the others: the coordinator does.
 */
import { UsageError } from '../../errors.js';
import { agentArgs, type Engine, findOnPath, spawnLauncher } from './engine.js';

export const slurmEngine: Engine = {
  name: 'slurm',
  async check() {
    if (!findOnPath('srun')) {
      throw new UsageError(
        "--engine slurm: srun is not on PATH (install Slurm's client, e.g. apt-get install slurm-client, and point SLURM_CONF at the cluster)",
      );
    }
  },
  async launch(r, onFailure) {
    const args = [`--ntasks=${r.clients}`, `--job-name=storbench-${r.runId}`, '--kill-on-bad-exit=0', '--export=ALL', ...r.launcherArgs, ...agentArgs(r)];
    const srun = spawnLauncher('srun', args, r.env, (code, tail) => {
      if (code !== 0) onFailure(`srun exited with code ${code}${tail ? `: ${tail}` : ''}`);
    });
    return { jobId: () => undefined, stop: srun.stop };
  },
};
