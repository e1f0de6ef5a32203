/**
 * `--engine external`: storbench launches nothing; N agents started elsewhere dial in (Kubernetes pods from
 * `storbench k8s-manifest`, or agents started by hand). They know the token from STORBENCH_AGENT_TOKEN, which
 * must therefore be set for this process too (checked by the run command).
 */
import type { Engine } from './engine.js';

export const externalEngine: Engine = {
  name: 'external',
  async check() {},
  async launch() {
    return { jobId: () => undefined, stop: async () => undefined };
  },
};
