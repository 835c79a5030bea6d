// The one bounded-concurrency map of the core, shared by the artist lookup (parallel
// single-artist requests) and the transform (reading manifests ahead). Both need the same
// promises: at most `limit` calls in flight, results in input order, and a failure that is
// the same from run to run whatever order the calls happened to end in.

/**
 * `fn` of every item, at most `limit` at a time, started in index order; results keep the
 * input order. After a failure no new item is started, the calls in flight are awaited, and
 * the error thrown is that of the lowest-index item that failed. Because items start in
 * index order, that is the first failing item of the whole list, so the error (and the
 * object or request it names) does not depend on timing.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError(`concurrency limit must be at least 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let failedIndex = items.length;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        failed = true;
        if (index < failedIndex) [failedIndex, failure] = [index, error];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failed) throw failure;
  return results;
}
