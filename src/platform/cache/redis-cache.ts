import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Cache, CacheStats } from './cache';

const WARN_INTERVAL_MS = 10_000;

/** Redis-backed cache; every failure is counted, logged (throttled) and answered as a miss. */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private lastWarnAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

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

  async del(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.redis.del(...keys);
    } catch (error) {
      this.fail('del', error);
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
