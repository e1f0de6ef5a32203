/**
 * `--engine mpi`: `mpirun` starts the agents (the IOR way; a hostfile and placement come through
 * `--launcher-arg`). storbench needs no MPI binding: mpirun only launches, the rank is OMPI_COMM_WORLD_RANK
 * (or PMIX_RANK), and the token is exported by name (`-x`), so its value is in no argument. Open MPI refuses to
 * run as root, and more ranks than slots, unless told: both flags are given only when running as root.
 */
import { UsageError } from '../../errors.js';
import { TOKEN_VARIABLE } from '../protocol.js';
import { agentArgs, type Engine, findOnPath, spawnLauncher } from './engine.js';

export const mpiEngine: Engine = {
  name: 'mpi',
  async check() {
    if (!findOnPath('mpirun')) throw new UsageError('--engine mpi: mpirun is not on PATH (install Open MPI, e.g. apt-get install openmpi-bin)');
  },
  async launch(r, onFailure) {
    const asRoot = process.getuid?.() === 0 ? ['--allow-run-as-root', '--oversubscribe'] : [];
    const args = ['-np', String(r.clients), ...asRoot, '-x', TOKEN_VARIABLE, ...r.launcherArgs, ...agentArgs(r)];
    const mpirun = spawnLauncher('mpirun', args, r.env, (code, tail) => {
      if (code !== 0) onFailure(`mpirun exited with code ${code}${tail ? `: ${tail}` : ''}`);
    });
    return { jobId: () => undefined, stop: mpirun.stop };
  },
};
