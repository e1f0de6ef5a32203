/** Mechanics every driver needs and none should rewrite: bounded concurrency, paging, prefix splitting. */

/**
 * Run `task` over `items` with at most `concurrency` calls in flight, in order of `items`; resolves when all are
 * done, and rejects with the first failure (of a call, or of `items` itself) once the calls already started have
 * settled (no call left behind).
 */
export async function forEachLimited<T>(items: Iterable<T> | AsyncIterable<T>, concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items as AsyncIterable<T>) {
      if (failure) break;
      const p: Promise<void> = task(item).then(
        () => {
          inFlight.delete(p);
        },
        (error: unknown) => {
          inFlight.delete(p);
          failure ??= { error };
        },
      );
      inFlight.add(p);
      if (inFlight.size >= Math.max(1, concurrency)) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error }; // the items failed (a stream body cut short): the calls started still settle first
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}

/** Group a stream of items into pages of at most `pageSize` (the last may be shorter; none is empty). */
export async function* paginate<T>(items: Iterable<T> | AsyncIterable<T>, pageSize: number): AsyncIterable<T[]> {
  let page: T[] = [];
  for await (const item of items as AsyncIterable<T>) {
    page.push(item);
    if (page.length >= Math.max(1, pageSize)) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Split a list prefix into the folder to walk and the start every name in it must have:
 * `a/b/c` → `{ folder: 'a/b', leaf: 'c' }`, `a/b/` → `{ folder: 'a/b', leaf: '' }`, `c` → `{ folder: '', leaf: 'c' }`.
 */
export function splitPrefix(prefix: string): { readonly folder: string; readonly leaf: string } {
  const slash = prefix.lastIndexOf('/');
  return slash < 0 ? { folder: '', leaf: prefix } : { folder: prefix.slice(0, slash), leaf: prefix.slice(slash + 1) };
}
