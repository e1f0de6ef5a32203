/** Helpers every driver test shares: open a target, collect a read or a listing, expect an error kind. */
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Driver } from '../../src/drivers/types.js';

// One copy, shared with the conformance behaviors (src must not import from test/).
export { expectKind, listAll, listKeys, readAll } from '../../src/conformance/helpers.js';

/** Create the driver of `url` in its layer stack and open it. */
export async function openDriver(url: string, concurrency = 1, options: Record<string, string> = {}): Promise<Driver> {
  const driver = await createDriver({ target: parseTarget(url, options), concurrency });
  await driver.open();
  return driver;
}
