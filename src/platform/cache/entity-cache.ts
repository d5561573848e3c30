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
 * Cache-aside with versioned keys. A reader takes the entity's current version token and reads
 * `…:<version>` (one atomic round trip); a writer changes the database, then replaces the version token. A reader that
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
    const prefix = this.prefix(id);
    const read = await this.cache.readVersioned({
      versionKey: `${prefix}:version`,
      dataPrefix: `${prefix}:`,
      freshVersion: newVersion(),
      versionTtlSeconds: this.versionTtl(),
    });
    // Cache unreachable: read through. (No sharing here: a load started before a write must not
    // answer a request that arrives after it.)
    if (read === null) return load();
    if (read.data !== null) return this.decode(read.data);
    const dataKey = `${prefix}:${read.version}`;
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

// Unique across processes (a random per-process part) without a random draw per read.
const PROCESS_PART = randomBytes(6).toString('base64url');
let counter = 0;
const newVersion = () => `${PROCESS_PART}${(counter++).toString(36)}`;
