/** `--engine local`: N agent processes on this host (the simplest engine; what most tests use). */
import { agentArgs, type Engine, spawnLauncher } from './engine.js';

export const localEngine: Engine = {
  name: 'local',
  async check() {},
  async launch(r, onFailure) {
    const agents = Array.from({ length: r.clients }, (_, rank) => {
      const [command, ...args] = agentArgs(r, ['--rank', String(rank)]);
      return spawnLauncher(command!, args, r.env, (code, tail) => {
        if (code !== 0) onFailure(`rank ${rank} (a local agent process) exited with code ${code}${tail ? `: ${tail}` : ''}`);
      });
    });
    return {
      jobId: () => undefined,
      stop: async () => {
        await Promise.all(agents.map((a) => a.stop()));
      },
    };
  },
};
