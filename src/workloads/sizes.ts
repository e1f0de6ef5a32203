/**
 * Object size distributions: fixed (`4KiB`), uniform range (`1KiB-1MiB`), or weighted buckets
 * (`4KiB:70,1MiB:25,64MiB:5`, warp's mix). An object's size depends only on the seed and its index.
 */
import { UsageError } from '../errors.js';
import { hash01 } from './random.js';
import { formatSize, parseSize } from './size.js';

export interface SizeDistribution {
  /** The spec as given, normalized (`4 KiB`, `1 KiB-1 MiB`, `4 KiB:70,1 MiB:30`). */
  readonly text: string;
  readonly min: number;
  readonly max: number;
  /** Expected mean size in bytes. */
  readonly mean: number;
  /** Size of object `index` under `seed`. */
  sizeOf(seed: number, index: number): number;
}

export function parseSizeDistribution(text: string, field = 'size'): SizeDistribution {
  const spec = text.trim();
  if (spec.includes(':')) {
    const buckets = spec.split(',').map((part) => {
      const [size, weight, extra] = part.split(':');
      const w = Number(weight);
      if (extra !== undefined || size === undefined || !(w > 0)) {
        throw new UsageError(`${field}: bucket "${part}" must be SIZE:WEIGHT with a positive weight (example: 4KiB:70,1MiB:30)`);
      }
      return { size: parseSize(size, field), weight: w };
    });
    const total = buckets.reduce((s, b) => s + b.weight, 0);
    let acc = 0;
    const cumulative = buckets.map((b) => ({ size: b.size, upTo: (acc += b.weight / total) }));
    return {
      text: buckets.map((b) => `${formatSize(b.size)}:${b.weight}`).join(','),
      min: Math.min(...buckets.map((b) => b.size)),
      max: Math.max(...buckets.map((b) => b.size)),
      mean: buckets.reduce((s, b) => s + (b.size * b.weight) / total, 0),
      sizeOf(seed, index) {
        const u = hash01(seed ^ 0x5153, index);
        for (const c of cumulative) if (u < c.upTo) return c.size;
        return cumulative[cumulative.length - 1]!.size;
      },
    };
  }
  const range = /^([^-]+)-([^-]+)$/.exec(spec);
  if (range) {
    const lo = parseSize(range[1]!, field);
    const hi = parseSize(range[2]!, field);
    if (hi < lo) throw new UsageError(`${field}: range "${spec}" ends below its start`);
    return {
      text: `${formatSize(lo)}-${formatSize(hi)}`,
      min: lo,
      max: hi,
      mean: (lo + hi) / 2,
      sizeOf: (seed, index) => lo + Math.floor(hash01(seed ^ 0x5153, index) * (hi - lo + 1)),
    };
  }
  const fixed = parseSize(spec, field);
  return { text: formatSize(fixed), min: fixed, max: fixed, mean: fixed, sizeOf: () => fixed };
}
