// Bounded concurrency, the one helper for it: deploy runs hosts `--parallel` at a time, status
// reads hosts, the hook judges ref updates and nix builds hosts `--jobs` at a time.

/**
 * Runs `fn` over `items`, at most `limit` at a time (at least one), starting them in order.
 * The answers keep the order of the items. Once `stop()` returns true no further item starts;
 * the items never started have no answer (`undefined` at their index).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  stop?: () => boolean,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop?.()) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
