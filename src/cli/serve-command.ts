/** `storbench serve`: the results API, metrics and dashboard over HTTP. */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { type Command, parseFlags, positiveInt } from './command.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** Whether `host` only ever listens on the loopback interface. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

const usage = `usage: storbench serve [--port 8080] [--host 127.0.0.1] [--db PATH] [--no-scheduler]

Serves the results database over HTTP: the dashboard at /, the JSON API under /api (OpenAPI docs at /docs)
and Prometheus metrics of live runs at /metrics.

  --port N        TCP port (0 picks a free one) (default 8080)
  --host ADDR     address to bind (default 127.0.0.1). A non-loopback address needs STORBENCH_TOKEN set.
  --db PATH       results database (default results/storbench.db)
  --no-scheduler  do not run scheduled jobs (storbench schedule --help); by default due jobs run here

STORBENCH_TOKEN, when set, is the bearer token that state-changing requests (deleting runs, changing
schedules) must carry; without it the server is read-only.`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the dashboard, the JSON API and /metrics over HTTP',
  usage,
  async run(argv) {
    const { values } = parseFlags('serve', argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'no-scheduler': { type: 'boolean' },
    });
    const port = values.port === '0' ? 0 : (positiveInt(values.port, '--port', 65535) ?? 8080);
    const host = values.host ?? '127.0.0.1';
    if (host.length === 0 || host.length > 255 || /[\s/]/.test(host)) throw new UsageError(`--host: not an address: "${host}"`);
    const token = process.env.STORBENCH_TOKEN || undefined;
    const loopback = isLoopback(host);
    if (!loopback && !token) {
      throw new UsageError(`--host ${host} is not a loopback address: refusing to serve it without a token (set STORBENCH_TOKEN)`);
    }
    if (token !== undefined && token.length < 16) throw new UsageError('STORBENCH_TOKEN must be at least 16 characters long');

    const { openStore, DEFAULT_DB_PATH } = await import('../results/sqlite-store.js');
    const { buildApp } = await import('../dashboard/app.js');
    const { Scheduler } = await import('../scheduler/scheduler.js');
    const store = openStore(values.db ?? DEFAULT_DB_PATH);
    const scheduler = values['no-scheduler'] ? undefined : new Scheduler({ store });
    const app = await buildApp({
      store,
      ...(scheduler && { scheduler }),
      ...(token !== undefined && { token }),
      logger: { level: process.env.STORBENCH_LOG_LEVEL ?? 'warn' },
      ...(loopback && { allowedHosts: [...LOOPBACK_NAMES, host] }),
    });
    let address: string;
    try {
      address = await app.listen({ port, host });
    } catch (e) {
      store.close();
      throw new UsageError(`cannot listen on ${host}:${port}: ${(e as Error).message}`);
    }
    console.log(`storbench: serving ${store.path} at ${address}/ (API docs at ${address}/docs)${token ? '' : '; read-only: no STORBENCH_TOKEN'}`);
    // Started once listening: a job interrupted by a crash was marked when the store opened.
    scheduler?.start();
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    // Running jobs are interrupted (their runs end `interrupted`, figures kept) before the store closes.
    await scheduler?.stop();
    await app.close();
    store.close();
    return 0;
  },
};
