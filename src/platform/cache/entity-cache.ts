import { randomBytes } from 'node:crypto';
import type { Cache } from './cache';

export interface EntityCacheOptions<T> {
  /** Key namespace, e.g. `user`; bump the `v1` in the keys when the cached shape changes. */
  namespace: string;
  ttlSeconds: number;
  /** Date fields to revive after JSON. */
  dateFields: Array<keyof T & string>;
}

/**
 * Cache-aside with versioned keys. A reader takes the entity's current version token, then reads
 * `…:<version>`; a writer changes the database, then replaces the version token. A reader that
 * loaded old rows before the write can only store them under the old version, which no one reads
 * again, so an acknowledged write is never followed by a stale read, in this process or another.
 * No SCAN or KEYS: invalidation is one SET. Concurrent misses for one key share one load.
 */
export class EntityCache<T extends object> {
  private readonly loading = new Map<string, Promise<T | undefined>>();

  constructor(
    private readonly cache: Cache,
    private readonly options: EntityCacheOptions<T>,
  ) {}

  async get(id: number | string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const version = await this.currentVersion(id);
    // Cache unreachable: read through. (No sharing here: a load started before a write must not
    // answer a request that arrives after it.)
    if (version === null) return load();
    const dataKey = `${this.prefix(id)}:${version}`;
    const cached = await this.cache.get(dataKey);
    if (cached !== null) return this.decode(cached);
    return this.singleFlight(dataKey, async () => {
      const entity = await load();
      if (entity) await this.cache.set(dataKey, JSON.stringify(entity), this.options.ttlSeconds);
      return entity;
    });
  }

  /** Call after the database write is committed. */
  async invalidate(id: number | string): Promise<void> {
    await this.cache.set(this.versionKey(id), newVersion(), this.versionTtl());
  }

  private async currentVersion(id: number | string): Promise<string | null> {
    const key = this.versionKey(id);
    const version = await this.cache.get(key);
    if (version !== null) return version;
    const fresh = newVersion();
    if (await this.cache.add(key, fresh, this.versionTtl())) return fresh;
    // Someone else set it first, or the cache is down (then read through to the database).
    return this.cache.get(key);
  }

  private singleFlight(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private decode(raw: string): T {
    const value = JSON.parse(raw) as Record<string, unknown>;
    for (const field of this.options.dateFields) value[field] = new Date(value[field] as string);
    return value as T;
  }

  private prefix(id: number | string): string {
    return `v1:${this.options.namespace}:${id}`;
  }

  private versionKey(id: number | string): string {
    return `${this.prefix(id)}:version`;
  }

  // Outlives every data entry, so a version is never reused while data stored under it lives.
  private versionTtl(): number {
    return this.options.ttlSeconds * 2 + 60;
  }
}

const newVersion = () => randomBytes(9).toString('base64url');
