/** Which capabilities a workload needs, checked before anything is written. */
import type { Capabilities } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import { formatSize } from '../workloads/size.js';
import type { SizeDistribution } from '../workloads/sizes.js';
import type { WorkloadSpec } from '../workloads/spec.js';

/** Every capability the workload needs that the driver lacks, in words; empty when it can run. */
export function missingCapabilities(spec: WorkloadSpec, sizes: SizeDistribution, caps: Capabilities): string[] {
  const missing: string[] = [];
  const m = spec.mix;
  if (spec.rangeSize > 0 && (m.read || m.readModifyWrite) && !caps.rangeRead) missing.push('range reads (rangeSize)');
  if (m.list && !caps.list) missing.push('listing (list)');
  if (m.scan && !caps.scan) missing.push('scan');
  if (m.rename && !caps.rename) missing.push('rename');
  if (m.append && !caps.append) missing.push('append');
  if (sizes.max > caps.maxObjectSize) missing.push(`objects of ${formatSize(sizes.max)} (largest: ${formatSize(caps.maxObjectSize)})`);
  if (spec.verify && !caps.persistent) missing.push('stored content (verify)');
  if (spec.largeFiles === 'shared') {
    if (!caps.positionalWrite) missing.push('positional writes (positionalWrite, for largeFiles: shared)');
    if (m.read && !caps.rangeRead) missing.push('range reads (rangeRead, for largeFiles: shared)');
    const whole = spec.objects * sizes.max;
    if (whole > caps.maxObjectSize) missing.push(`a shared object of ${formatSize(whole)} (largest: ${formatSize(caps.maxObjectSize)})`);
  }
  return missing;
}

/** Refuse the workload when the driver lacks something it needs. */
export function assertCapabilities(spec: WorkloadSpec, sizes: SizeDistribution, caps: Capabilities, driverName: string): void {
  const missing = missingCapabilities(spec, sizes, caps);
  if (missing.length) {
    throw new UsageError(`workload ${spec.name} needs ${missing.join(', ')}, which ${driverName}:// does not offer`, 'STORBENCH_ERR_CAPABILITY');
  }
}
