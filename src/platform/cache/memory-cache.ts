import { LRUCache } from 'lru-cache';
import type { Cache, CacheStats, VersionedRead } from './cache';

/** In-process cache for the embedded default, where one process owns the data directory. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly store: LRUCache<string, string>;
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly keyPrefix: string,
    maxEntries = 50_000,
  ) {
    this.store = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  async get(key: string): Promise<string | null> {
    const value = this.store.get(this.keyPrefix + key);
    if (value === undefined) {
      this.counters.misses++;
      return null;
    }
    this.counters.hits++;
    return value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store.set(this.keyPrefix + key, value, { ttl: ttlSeconds * 1000 });
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.store.has(this.keyPrefix + key)) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  async readVersioned(
    read: VersionedRead,
  ): Promise<{ version: string; data: string | null } | null> {
    const version = this.store.get(this.keyPrefix + read.versionKey);
    if (version === undefined) {
      await this.set(read.versionKey, read.freshVersion, read.versionTtlSeconds);
      this.counters.misses++;
      return { version: read.freshVersion, data: null };
    }
    return { version, data: await this.get(read.dataPrefix + version) };
  }

  async ping(): Promise<void> {}

  stats(): CacheStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.store.clear();
  }
}
