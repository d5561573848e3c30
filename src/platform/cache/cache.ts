export interface CacheStats {
  hits: number;
  misses: number;
  errors: number;
}

export interface VersionedRead {
  versionKey: string;
  dataPrefix: string;
  freshVersion: string;
  versionTtlSeconds: number;
}

/**
 * A best-effort key-value cache. Reads and writes never throw: a failing backend degrades to a miss
 * (logged), because the cache is an optimisation, never the source of truth.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only when it is absent (SET NX); false when it existed or the backend failed. */
  add(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Reads a versioned entry in one round trip: the version token stored at `versionKey` (set to
   * `freshVersion` when absent) and the data stored at `dataPrefix + version`. Null when the
   * backend failed (the caller reads through).
   */
  readVersioned(read: VersionedRead): Promise<{ version: string; data: string | null } | null>;
  /** Throws when the backend cannot be reached; used by the readiness probe. */
  ping(): Promise<void>;
  stats(): CacheStats;
  close(): Promise<void>;
}
