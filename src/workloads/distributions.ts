/**
 * Key choice over a window of live object indices [lo, hi), and object sizes.
 * Zipfian follows YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic
 * databases"), scrambled by a hash so the hot items are spread over the key space as YCSB does;
 * `latest` is zipfian over recency (hi - 1 is the hottest).
 */
import { hash01, type Random } from './random.js';

export type KeyDistributionName = 'uniform' | 'zipfian' | 'sequential' | 'latest';
export const KEY_DISTRIBUTIONS: readonly KeyDistributionName[] = ['uniform', 'zipfian', 'sequential', 'latest'];

/** YCSB's default skew. */
export const ZIPFIAN_CONSTANT = 0.99;

/** Zipf-distributed ranks in [0, n), with n allowed to grow (zeta is extended incrementally). */
export class Zipfian {
  private n = 0;
  private zetan = 0;
  private readonly zeta2: number;
  private readonly alpha: number;
  private eta = 0;

  constructor(private readonly theta = ZIPFIAN_CONSTANT) {
    this.zeta2 = 1 + 1 / 2 ** theta;
    this.alpha = 1 / (1 - theta);
  }

  private grow(n: number): void {
    for (let i = this.n + 1; i <= n; i++) this.zetan += 1 / i ** this.theta;
    this.n = n;
    this.eta = (1 - (2 / n) ** (1 - this.theta)) / (1 - this.zeta2 / this.zetan);
  }

  /** A rank in [0, n): 0 is the most popular. */
  next(n: number, random: Random): number {
    if (n !== this.n) {
      if (n < this.n) {
        this.n = 0;
        this.zetan = 0;
      }
      this.grow(n);
    }
    const u = random();
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < this.zeta2) return Math.min(1, n - 1);
    return Math.min(n - 1, Math.floor(n * (this.eta * u - this.eta + 1) ** this.alpha));
  }
}

/** Picks an index in [lo, hi). One instance per worker (it holds the sequential cursor). */
export class KeyChooser {
  private cursor = 0;
  private readonly zipf: Zipfian | undefined;

  constructor(
    private readonly distribution: KeyDistributionName,
    private readonly random: Random,
    private readonly seed: number,
  ) {
    this.zipf = distribution === 'zipfian' || distribution === 'latest' ? new Zipfian() : undefined;
  }

  pick(lo: number, hi: number): number {
    const n = hi - lo;
    if (n <= 1) return lo;
    switch (this.distribution) {
      case 'uniform':
        return lo + Math.floor(this.random() * n);
      case 'sequential':
        return lo + (this.cursor++ % n);
      case 'zipfian':
        // scrambled: rank r maps to a fixed pseudo-random position, so hot keys are not adjacent
        return lo + Math.floor(hash01(this.seed, this.zipf!.next(n, this.random)) * n);
      case 'latest':
        return hi - 1 - this.zipf!.next(n, this.random);
    }
  }
}
