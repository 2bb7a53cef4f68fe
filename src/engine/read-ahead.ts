/**
 * Yields the items of `source` in order while fetching up to `depth` items ahead, so reading the next
 * page overlaps with writing the current one. Memory stays bounded by `depth`.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  const pull = () => {
    const next = iterator.next();
    // Marked handled now; the rejection still surfaces when it is awaited below, in order.
    next.catch(() => undefined);
    pending.push(next);
  };
  try {
    pull();
    for (;;) {
      const result = await pending.shift()!;
      if (result.done) return;
      while (pending.length < depth) pull();
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}
