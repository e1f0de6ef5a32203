/** The regression webhook: one JSON POST with a timeout; failures are logged, never thrown. */

/** @default 5000 */
export const WEBHOOK_TIMEOUT_MS = 5000;

/** The URL of a webhook setting: itself, or read from the environment for `env:VARIABLE`. */
export function webhookUrl(setting: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return setting.startsWith('env:') ? env[setting.slice(4)] || undefined : setting;
}

/**
 * POST `payload` as JSON. Resolves in every case (true when answered 2xx): the scheduler never waits on it
 * and never fails because of it. Messages name the origin only: the URL may carry a token.
 */
export async function postWebhook(url: string, payload: unknown, log: (line: string) => void, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<boolean> {
  let origin = '(invalid URL)';
  try {
    origin = new URL(url).origin;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) log(`webhook ${origin}: answered ${res.status}`);
    return res.ok;
  } catch (e) {
    const why =
      (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (((e as Error).cause as Error | undefined)?.message ?? (e as Error).message);
    log(`webhook ${origin}: ${why}`);
    return false;
  }
}
