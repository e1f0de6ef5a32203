/** Opening a target's driver, with one clear error when it cannot be reached. */
import { createDriver } from '../drivers/registry.js';
import { redactString, type Target } from '../drivers/target.js';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';

/** Open the driver of `target`, mapping a failure to a clear "unreachable" error. */
export async function openDriver(target: Target, concurrency: number, durable = false): Promise<Driver> {
  return openCreated(await createDriver({ target, concurrency, durable }), target);
}

/** Open a created driver of `target`; on failure close it and throw STORBENCH_ERR_UNREACHABLE. */
export async function openCreated(driver: Driver, target: Target): Promise<Driver> {
  try {
    await driver.open();
  } catch (e) {
    await driver.close().catch(() => undefined);
    // one line, whatever the driver's error says (an SDK's message may embed a stack trace)
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
    throw new UsageError(`target ${target.redacted}: cannot open it (${redactString(why, target.secrets)})`, 'STORBENCH_ERR_UNREACHABLE');
  }
  return driver;
}
