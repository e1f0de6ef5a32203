/**
 * Workload specs: declarative, in YAML or JSON, validated once at the edge with every problem reported
 * together, each naming its field. A spec is a preset, a file, or a preset with overrides.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readInputFile } from '../input-file.js';
import { KEY_DISTRIBUTIONS } from './distributions.js';
import { PRESETS } from './presets.js';
import { parseDuration, parseSize } from './size.js';
import { parseSizeDistribution } from './sizes.js';

/** Operation types a mix can weigh. */
export const MIX_OPS = ['read', 'write', 'stat', 'delete', 'list', 'scan', 'rename', 'append', 'readModifyWrite'] as const;
export type MixOp = (typeof MIX_OPS)[number];

/** The values of `largeFiles`. */
export const LARGE_FILES = ['per-worker', 'shared'] as const;
export type LargeFiles = (typeof LARGE_FILES)[number];

/** A field given as text (or a number) and parsed by one of the parsers that throw UsageError. */
function parsed<T>(parse: (value: string | number) => T) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^value: /, '') });
      return z.NEVER;
    }
  });
}

const sizeText = parsed((v) => {
  parseSizeDistribution(String(v), 'value'); // refused here when it is not one
  return String(v);
});
const bytes = parsed((v) => parseSize(v, 'value'));
const millis = parsed((v) => parseDuration(v, 'value'));

const mixShape = Object.fromEntries(MIX_OPS.map((op) => [op, z.number().min(0).max(1_000_000).optional()])) as Record<MixOp, z.ZodOptional<z.ZodNumber>>;

/** Lowest open-loop rate: one operation every 1000 s (a lower one is a typo, not a load). */
export const MIN_RATE = 0.001;
/** Highest open-loop rate, in ops/s. */
export const MAX_RATE = 10_000_000;
/** Shortest duration of a run. */
export const MIN_DURATION_MS = 100;

/** The schema of a workload file. Every field but `mix` has a default. */
export const workloadSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'letters, digits, . _ - (up to 64)')
    .default('custom'),
  description: z.string().max(500).default(''),
  /** Relative weights of the operation types. */
  mix: z.strictObject(mixShape).refine((m) => Object.values(m).some((w) => (w ?? 0) > 0), 'at least one operation needs a weight above 0'),
  /** `create`: every write makes a new object; `overwrite`: writes replace existing objects. */
  writes: z.enum(['create', 'overwrite']).default('overwrite'),
  /** Objects in the dataset before measuring (prepared unless reused). */
  objects: z.number().int().min(0).max(100_000_000).default(1000),
  size: sizeText.default('4KiB'),
  /** Bytes per read; 0 reads whole objects. */
  rangeSize: bytes.default(0),
  keys: z.enum(KEY_DISTRIBUTIONS as [string, ...string[]]).default('uniform'),
  concurrency: z.number().int().min(1).max(10_000).default(16),
  /**
   * Target ops/s for an open-loop run, from {@link MIN_RATE} to 10 million, and at least one operation in
   * the duration; absent: closed loop, as fast as the workers go.
   */
  rate: z.number().min(MIN_RATE).max(MAX_RATE).optional(),
  /** Measured time, at least {@link MIN_DURATION_MS} (a shorter run measures nothing). */
  duration: millis.default(30_000).refine((ms) => ms >= MIN_DURATION_MS, `at least ${MIN_DURATION_MS}ms (a shorter run measures nothing)`),
  /** Stop after this many operations (instead of the duration). */
  ops: z.number().int().min(1).max(1e12).optional(),
  warmup: millis.default(0),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  verify: z.boolean().default(false),
  prepare: z.boolean().default(true),
  cleanup: z.boolean().default(true),
  /**
   * Fraction of the operations (0 to 1) that may fail before the run counts as `degraded` rather than
   * `completed`; a run in which every operation failed is `failed` whatever this says.
   */
  maxErrorRate: z.number().min(0).max(1).default(0.5),
  /** Name of a dataset shared across runs (kept, reused when present). */
  dataset: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'letters, digits, . _ - (up to 64)')
    .optional(),
  /** Chunk size of streamed bodies. */
  blockSize: bytes.default(1024 * 1024).refine((v) => v >= 1 && v <= 64 * 1024 * 1024, 'from 1 byte to 64MiB'),
  /** Objects per key group (one directory on file systems); short scans read one group. */
  groupSize: z.number().int().min(1).max(1_000_000).default(1000),
  /** What one scan operation reads: the whole dataset, or one key group (YCSB-E's short scans). */
  scan: z.enum(['dataset', 'group']).default('dataset'),
  listPageSize: z.number().int().min(1).max(100_000).default(1000),
  /** Ask the driver for durable writes (fsync, synchronous replication) where it has a choice. */
  durable: z.boolean().default(false),
  /** Empty the client's cache between prepare and measure, where the driver has one (file://, as root). */
  dropCaches: z.boolean().default(false),
  /**
   * Worker threads; each runs concurrency/threads workers with its own driver. `auto`: start on one event
   * loop and fan out to one thread per core when a probe finds it saturated (src/runner/run.ts).
   */
  threads: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
  /**
   * IOR's two modes for large sequential work. `per-worker`: one object per operation. `shared`: object i
   * is the segment [i·size, (i+1)·size) of ONE object that all workers write in place (positional writes)
   * and read (range reads). Absent: the target's default (a file:// profile's largeFileMode) for workloads
   * that can run shared, else per-worker.
   */
  largeFiles: z.enum(LARGE_FILES).optional(),
});

export type WorkloadInput = z.input<typeof workloadSchema>;
export type WorkloadSpec = z.output<typeof workloadSchema>;

/** Validate a spec; all problems in one UsageError, each naming its field. */
export function validateWorkload(input: unknown, source: string): WorkloadSpec {
  const result = workloadSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UsageError(`workload ${source}: ${problems.join('; ')}`, 'STORBENCH_ERR_INVALID_WORKLOAD');
  }
  const spec = result.data;
  if (spec.verify && (spec.mix.rename || spec.mix.append)) {
    throw new UsageError(
      `workload ${source}: verify: cannot check content that rename or append change; remove them from mix or turn verify off`,
      'STORBENCH_ERR_INVALID_WORKLOAD',
    );
  }
  if (spec.dataset && (spec.mix.delete || spec.mix.rename || spec.mix.append)) {
    throw new UsageError(
      `workload ${source}: dataset: a shared dataset cannot be used with delete, rename or append (they change it for later runs)`,
      'STORBENCH_ERR_INVALID_WORKLOAD',
    );
  }
  if (spec.rate !== undefined && spec.ops === undefined && spec.rate * spec.duration < 1000) {
    // operation 0 starts at once and operation 1 is due 1/rate later: past the end, the run measures one operation
    throw new UsageError(
      `workload ${source}: rate: ${spec.rate} ops/s is less than one operation in the ${spec.duration / 1000}s duration; raise the rate or the duration`,
      'STORBENCH_ERR_INVALID_WORKLOAD',
    );
  }
  const shared = spec.largeFiles === 'shared' ? sharedFileProblem(spec) : undefined;
  if (shared) throw new UsageError(`workload ${source}: largeFiles: shared ${shared}`, 'STORBENCH_ERR_INVALID_WORKLOAD');
  if (spec.writes === 'overwrite' && spec.objects === 0 && needsObjects(spec)) {
    throw new UsageError(`workload ${source}: objects: must be at least 1 when the mix reads, stats or overwrites`, 'STORBENCH_ERR_INVALID_WORKLOAD');
  }
  return spec;
}

/**
 * Why the workload cannot run as segments of one shared object, or `undefined` when it can: its mix must
 * be writes and/or reads only, of one fixed size above 0 (segment i starts at i·size).
 */
export function sharedFileProblem(spec: WorkloadSpec): string | undefined {
  const others = MIX_OPS.filter((op) => op !== 'read' && op !== 'write' && (spec.mix[op] ?? 0) > 0);
  if (others.length > 0) return `needs a mix of only write and read (this one has ${others.join(', ')})`;
  const sizes = parseSizeDistribution(spec.size);
  if (sizes.min !== sizes.max || sizes.max === 0) return `needs one fixed object size above 0 (size: ${sizes.text})`;
  return undefined;
}

/** True when the mix changes objects' content (so reads may see what this run wrote). */
export function writesIn(spec: WorkloadSpec): boolean {
  const m = spec.mix;
  return Boolean(m.write || m.append || m.readModifyWrite || m.rename);
}

/** True when the mix touches existing objects (so a dataset must exist). */
export function needsObjects(spec: WorkloadSpec): boolean {
  const m = spec.mix;
  return Boolean(m.read || m.stat || m.readModifyWrite || m.list || m.scan || m.rename || m.append || m.delete || (m.write && spec.writes === 'overwrite'));
}

/**
 * Resolve `name` (a preset) or a path to a YAML/JSON file, with overrides (CLI flags) applied on top.
 * @throws UsageError naming the problem
 */
export function loadWorkload(nameOrPath: string, overrides: Partial<WorkloadInput> = {}): WorkloadSpec {
  const preset = PRESETS[nameOrPath];
  let input: Record<string, unknown>;
  if (preset) {
    input = { name: nameOrPath, ...preset };
  } else if (/[./]/.test(nameOrPath)) {
    const data = readInputFile(nameOrPath, `workload ${nameOrPath}`, 'STORBENCH_ERR_INVALID_WORKLOAD');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UsageError(`workload ${nameOrPath}: expected a mapping of fields`, 'STORBENCH_ERR_INVALID_WORKLOAD');
    }
    input = { name: nameOrPath.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, ''), ...data };
  } else {
    throw new UsageError(
      `workload: unknown preset "${nameOrPath}" (presets: ${Object.keys(PRESETS).join(', ')}; or a path to a YAML/JSON file)`,
      'STORBENCH_ERR_INVALID_WORKLOAD',
    );
  }
  return validateWorkload({ ...input, ...overrides }, nameOrPath);
}
