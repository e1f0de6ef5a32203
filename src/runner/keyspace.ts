import type { WorkloadSpec } from '../workloads/spec.js';

/**
 * The objects a run works on. Objects are numbered; live objects are the window [lo, hi) of local
 * indices: creates append at hi, deletes and renames take the oldest at lo, reads pick inside.
 * With several worker threads, thread t owns the global indices t, t + threads, t + 2·threads...
 * so threads never touch each other's objects. Keys are grouped `<base>/<group>/<index>` so one
 * group is one directory on file systems and one short scan for YCSB-E.
 */
export class KeySpace {
  lo = 0;
  hi: number;

  constructor(
    /** Prefix of every key, without trailing slash: `storbench/<run-id>` or `storbench/datasets/<name>`. */
    readonly base: string,
    objects: number,
    private readonly thread: number,
    private readonly threads: number,
    private readonly groupSize: number,
    /** Indices this close to either end of the window may be in flight (being created or deleted). */
    private readonly margin: number,
  ) {
    this.hi = Math.max(0, Math.ceil((objects - thread) / threads));
  }

  global(local: number): number {
    return local * this.threads + this.thread;
  }

  private cachedGroup = -1;
  private cachedPrefix = '';

  key(local: number): string {
    const g = this.global(local);
    const group = Math.floor(g / this.groupSize);
    // consecutive keys share their group: reuse its prefix string rather than rebuilding it every time
    if (group !== this.cachedGroup) {
      this.cachedGroup = group;
      this.cachedPrefix = `${this.base}/${group}/`;
    }
    return this.cachedPrefix + g;
  }

  groupPrefix(local: number): string {
    return `${this.base}/${Math.floor(this.global(local) / this.groupSize)}/`;
  }

  get size(): number {
    return this.hi - this.lo;
  }

  /** The part of the window safe to read: away from in-flight creates and deletes when it is large enough. */
  readable(): [number, number] {
    return this.size > 2 * this.margin + 1 ? [this.lo + this.margin, this.hi - this.margin] : [this.lo, this.hi];
  }

  /** Whether taking the oldest object (delete, rename) leaves enough for the readers. */
  canShrink(): boolean {
    return this.size > 2 * this.margin + 1;
  }
}

/**
 * The objects of one measuring loop (the main thread's, or thread `thread` of `threads`). When the loop
 * creates, deletes or renames objects, up to `workers` indices at either end of its window may be in flight.
 */
export function loopKeySpace(base: string, objects: number, spec: WorkloadSpec, thread: number, threads: number, workers: number): KeySpace {
  const moving = spec.writes === 'create' || Boolean(spec.mix.delete || spec.mix.rename);
  return new KeySpace(base, objects, thread, threads, spec.groupSize, moving ? workers : 0);
}
