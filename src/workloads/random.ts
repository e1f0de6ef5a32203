/**
 * Seeded generators: the same seed gives the same keys, sizes and contents on every run and machine.
 * sfc32 is small, fast and passes PractRand; a stateless 32-bit hash gives per-object values
 * (an object's size depends only on the seed and its index, so a reused dataset keeps its sizes).
 */

/** A seeded PRNG returning floats in [0, 1). */
export type Random = () => number;

export function sfc32(seed: number, stream = 0): Random {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ stream;
  let c = 0xb7e15162 ^ Math.imul(seed, 0x85ebca6b);
  let d = 1;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed in
  return next;
}

/** A stateless hash of (seed, n) to [0, 1): murmur3's finalizer. */
export function hash01(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ n;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** 32-bit FNV-1a of a string: a key's salt for self-checking content. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
