/**
 * `storbench demo` (what `npm start` runs): a short standard suite on the targets every machine has —
 * a directory on local disk, tmpfs when present, mem:// and null:// (the harness ceiling) — stored,
 * compared, and then served on the dashboard when it is available.
 */
import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTarget, type Target } from '../drivers/target.js';
import { openStore } from '../results/sqlite-store.js';
import { planSuite } from '../suite/plan.js';
import { runSuite } from '../suite/run-suite.js';
import { type Command, parseFlags } from './command.js';
import { interruptSignal } from './run-command.js';
import { suiteMatrix, suiteProgress } from './suite-command.js';

const TMPFS_MAGIC = 0x01021994;

/** The embedded default targets. */
export function demoTargets(): Target[] {
  const targets = [parseTarget(`file://${resolve('results/demo-data')}`, {}, 'local-disk')];
  try {
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) targets.push(parseTarget('file:///dev/shm/storbench-demo', {}, 'tmpfs'));
  } catch {
    // no /dev/shm: no tmpfs target
  }
  targets.push(parseTarget('mem://demo', {}, 'memory'), parseTarget('null://', {}, 'null'));
  return targets;
}

/** The demo's workloads, scaled down to finish in about a minute. */
export const DEMO_WORKLOADS = ['put-small', 'get-small', 'mixed', 'metadata', 'put-large', 'get-large'] as const;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'a short standard suite on local disk, tmpfs, mem:// and null://, then the dashboard',
  usage: `usage: storbench demo [--duration 2s] [--db PATH] [--no-serve] [--port 8080]`,
  async run(argv) {
    const { values } = parseFlags('demo', argv, {
      duration: { type: 'string' },
      db: { type: 'string' },
      'no-serve': { type: 'boolean' },
      port: { type: 'string' },
    });
    const duration = values.duration ?? '2s';
    const targets = demoTargets();
    const workloads = planSuite(targets, DEMO_WORKLOADS, { duration, concurrency: 8 }).workloads.map((w) =>
      w.name.endsWith('-large') ? { ...w, size: '8MiB', objects: w.objects ? 8 : 0, concurrency: 4 } : w,
    );
    const store = openStore(values.db);
    const interrupt = interruptSignal();
    try {
      console.log(`storbench demo: ${workloads.length} workloads x ${targets.length} targets (${targets.map((t) => t.name).join(', ')}), ${duration} each`);
      const { suiteId, results } = await runSuite({ targets, workloads, baseline: 'local-disk' }, store, interrupt.signal, (line) => console.log(line), {
        progress: suiteProgress,
      });
      console.log(`\n${results.length} runs stored in ${store.path} (suite ${suiteId}). Each cell: throughput, p99 latency, ratio to local disk.\n`);
      console.log(suiteMatrix(store, suiteId));
      console.log('\nnext: storbench runs | storbench show RUN_ID | storbench compare RUN_ID RUN_ID');
    } finally {
      interrupt.dispose();
      store.close();
    }
    if (values['no-serve']) return 0;
    const serve = await import('./main.js').then((m) => m.loadCommand('serve')).catch(() => undefined);
    if (!serve) return 0;
    return serve.run([...(values.db ? ['--db', values.db] : []), ...(values.port ? ['--port', values.port] : [])]);
  },
};
