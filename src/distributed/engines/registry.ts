/** Engine name → engine: one line per engine. */
import type { Engine } from './engine.js';
import { externalEngine } from './external.js';
import { localEngine } from './local.js';
import { mpiEngine } from './mpi.js';
import { slurmEngine } from './slurm.js';
import { yarnEngine } from './yarn.js';

export const ENGINES: Readonly<Record<string, Engine>> = {
  local: localEngine,
  slurm: slurmEngine,
  mpi: mpiEngine,
  yarn: yarnEngine,
  external: externalEngine,
};
