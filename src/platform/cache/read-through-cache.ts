import type { Cache, CacheStats, VersionedRead } from './cache';

/**
 * The cache with entity reads turned off (ENTITY_CACHE_ENABLED=false): every versioned read goes to
 * the database, while writes, invalidations and everything else still reach the shared cache, so
 * processes that do cache stay fresh. For measuring the database path, or ruling the cache out.
 */
export class ReadThroughCache implements Cache {
  readonly kind: Cache['kind'];

  constructor(private readonly inner: Cache) {
    this.kind = inner.kind;
  }

  async readVersioned(_read: VersionedRead): Promise<null> {
    return null;
  }

  get(key: string): Promise<string | null> {
    return this.inner.get(key);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.inner.set(key, value, ttlSeconds);
  }

  add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.inner.add(key, value, ttlSeconds);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  stats(): CacheStats {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
