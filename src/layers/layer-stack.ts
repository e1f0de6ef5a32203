/**
 * The stack every driver runs in, the same for the runner, `check` and the conformance suite:
 * RetryLayer (opRetries > 0) → TimeoutLayer (opTimeout set) → ContractLayer → the driver's core.
 * Retries sit outside the deadline, so each attempt gets the whole `opTimeout`.
 */
import type { AnyDriverDefinition } from '../drivers/kernel/define-driver.js';
import type { Driver, DriverContext } from '../drivers/types.js';
import { ContractLayer } from './contract-layer.js';
import { ForwardingDriver } from './forwarding-driver.js';
import { RetryLayer } from './retry-layer.js';
import { TimeoutLayer } from './timeout-layer.js';

/** Wrap a driver definition in its layers (not opened). */
export function layerStack(definition: AnyDriverDefinition, context: DriverContext): Driver {
  const contract = new ContractLayer(definition, context);
  const { opTimeout, opRetries } = contract.options;
  let driver: Driver = contract;
  if (opTimeout !== undefined) driver = new TimeoutLayer(driver, opTimeout);
  if (opRetries > 0) driver = new RetryLayer(driver, opRetries);
  return driver;
}

/**
 * The connected core under a stack, for a driver's own tests and tools (Cassandra's prepared statements, file://'s
 * layout): `T` is the driver's to know.
 */
export function coreOf<T>(driver: Driver): T {
  let layer: Driver = driver;
  while (layer instanceof ForwardingDriver) layer = layer.inner;
  if (!(layer instanceof ContractLayer)) throw new Error(`${driver.name}: not a layered driver`);
  return layer.core() as T;
}
