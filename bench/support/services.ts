/** What the benchmarks share: the target URL of a local service, started when the environment names none. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

/**
 * The target URL in `process.env[envName]`, else the one `npm run services -- up <service>` prints on its last line
 * (starting the service on 127.0.0.1 if it is not running; its log goes to stderr).
 */
export function serviceTarget(envName: string, service: string): string {
  const given = process.env[envName];
  if (given) return given;
  console.log(`starting ${service} (npm run services -- up ${service})...`);
  const out = execFileSync('bash', [join(repo, 'scripts', 'services.sh'), 'up', service], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  });
  const url = out.trim().split('\n').at(-1) ?? '';
  if (!url.includes('://')) throw new Error(`npm run services -- up ${service} printed no target URL`);
  return url;
}
