/**
 * Small caches of tables, pages and bitmaps kept in a Map whose insertion order is their
 * age (the first key is the oldest), so an open image holds a fixed amount of metadata
 * whatever its size.
 */

/** Adds to the cache, dropping the oldest entry once it holds `limit`. */
export function rememberBounded<K, V>(cache: Map<K, V>, key: K, value: V, limit: number): void {
  if (cache.size >= limit) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(key, value);
}

/** The cached value, made the newest entry (a least-recently-used cache); undefined on a miss. */
export function recallRecent<K, V>(cache: Map<K, V>, key: K): V | undefined {
  const value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
    cache.set(key, value);
  }
  return value;
}
