import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Cache, CacheStats, VersionedRead } from './cache';

const WARN_INTERVAL_MS = 10_000;

/**
 * The version token and the data under it, atomically and in one round trip. The data key is
 * derived in the script (it depends on the version read), so it is given as a key prefix.
 */
const READ_VERSIONED = `
local version = redis.call('GET', KEYS[1])
if not version then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return {ARGV[1], false}
end
return {version, redis.call('GET', KEYS[2] .. version)}
`;

type VersionedReply = [string, string | null];
type ScriptedRedis = Redis & {
  readVersioned(
    versionKey: string,
    dataPrefix: string,
    freshVersion: string,
    ttlSeconds: number,
  ): Promise<VersionedReply>;
};

/** Redis-backed cache; every failure is counted, logged (throttled) and answered as a miss. */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private lastWarnAt = 0;

  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly logger: Logger,
  ) {
    if (!('readVersioned' in redis)) {
      redis.defineCommand('readVersioned', { numberOfKeys: 2, lua: READ_VERSIONED });
    }
    this.redis = redis as ScriptedRedis;
  }

  async get(key: string): Promise<string | null> {
    try {
      const value = await this.redis.get(key);
      if (value === null) this.counters.misses++;
      else this.counters.hits++;
      return value;
    } catch (error) {
      this.counters.misses++;
      this.fail('get', error);
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(key, value, 'EX', ttlSeconds);
    } catch (error) {
      this.fail('set', error);
    }
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    try {
      return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
    } catch (error) {
      this.fail('add', error);
      return false;
    }
  }

  async readVersioned(
    read: VersionedRead,
  ): Promise<{ version: string; data: string | null } | null> {
    try {
      const [version, data] = await this.redis.readVersioned(
        read.versionKey,
        read.dataPrefix,
        read.freshVersion,
        read.versionTtlSeconds,
      );
      if (data === null) this.counters.misses++;
      else this.counters.hits++;
      return { version, data };
    } catch (error) {
      this.counters.misses++;
      this.fail('readVersioned', error);
      return null;
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private fail(operation: string, error: unknown): void {
    this.counters.errors++;
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_INTERVAL_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(
      { err: error, operation },
      'cache unavailable; serving from the database until it recovers',
    );
  }
}
