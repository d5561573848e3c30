import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Cache, CacheStats, VersionedRead } from './cache';

const WARN_INTERVAL_MS = 10_000;
/** The key whose value every other key is suffixed with (`…@<epoch>`). */
const EPOCH_KEY = 'cache-epoch';

/**
 * Every key lives in the current cache epoch: the scripts read the epoch and the entry in one
 * atomic step, so a new epoch retires every entry written before it, in every process at once.
 */
const EPOCH = `local e = '@' .. (redis.call('GET', KEYS[1]) or '0')`;
const SCRIPTS = {
  epochGet: { numberOfKeys: 2, lua: `${EPOCH}\nreturn redis.call('GET', KEYS[2] .. e)` },
  epochSet: {
    numberOfKeys: 2,
    lua: `${EPOCH}
if ARGV[3] == 'NX' then return redis.call('SET', KEYS[2] .. e, ARGV[1], 'EX', ARGV[2], 'NX') end
return redis.call('SET', KEYS[2] .. e, ARGV[1], 'EX', ARGV[2])`,
  },
  /**
   * The version token and the data under it, atomically and in one round trip. The data key is
   * derived in the script (it depends on the version read), so it is given as a key prefix.
   */
  readVersioned: {
    numberOfKeys: 3,
    lua: `${EPOCH}
local version = redis.call('GET', KEYS[2] .. e)
if not version then
  redis.call('SET', KEYS[2] .. e, ARGV[1], 'EX', ARGV[2])
  return {ARGV[1], false}
end
return {version, redis.call('GET', KEYS[3] .. version .. e)}`,
  },
} as const;

type VersionedReply = [string, string | null];
type ScriptedRedis = Redis & {
  epochGet(epochKey: string, key: string): Promise<string | null>;
  epochSet(
    epochKey: string,
    key: string,
    value: string,
    ttlSeconds: number,
    mode: 'NX' | '',
  ): Promise<'OK' | null>;
  readVersioned(
    epochKey: string,
    versionKey: string,
    dataPrefix: string,
    freshVersion: string,
    ttlSeconds: number,
  ): Promise<VersionedReply>;
};

/**
 * Redis-backed cache; every failure is counted, logged (throttled) and answered as a miss.
 *
 * Never stale after an outage: a write whose invalidation could not reach Redis (it was down, or
 * unreachable from this process) would leave the old entry to be served once Redis is back. So a
 * process that saw any command fail or its connection drop uses no cache entry until it has
 * started a new epoch (INCR), which retires every entry of the old one in all processes. Each
 * process that lived through the outage does so on its own recovery, so no process reads entries
 * from before it, whichever reconnects first.
 */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private lastWarnAt = 0;
  /** Set when an invalidation may have been lost; no entry is used until a new epoch began. */
  private suspect = false;
  private renewing: Promise<void> | undefined;

  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly logger: Logger,
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, script);
    }
    this.redis = redis as ScriptedRedis;
    if (redis.status !== 'ready') this.suspect = true;
    redis.on('close', () => (this.suspect = true));
    redis.on('ready', () => {
      if (this.suspect) void this.renewEpoch();
    });
  }

  async get(key: string): Promise<string | null> {
    if (!this.usable()) return this.miss();
    try {
      const value = await this.redis.epochGet(EPOCH_KEY, key);
      if (value === null) this.counters.misses++;
      else this.counters.hits++;
      return value;
    } catch (error) {
      this.fail('get', error);
      return this.miss();
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.write('set', key, value, ttlSeconds, '');
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return (await this.write('add', key, value, ttlSeconds, 'NX')) === 'OK';
  }

  async readVersioned(
    read: VersionedRead,
  ): Promise<{ version: string; data: string | null } | null> {
    if (!this.usable()) {
      this.counters.misses++;
      return null;
    }
    try {
      const [version, data] = await this.redis.readVersioned(
        EPOCH_KEY,
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

  /**
   * Whether entries may be used now. While an epoch is suspect, every call is a miss (reads go to
   * the database) and, once Redis answers again, starts the new epoch.
   */
  private usable(): boolean {
    if (!this.suspect) return true;
    // Counted as an error: the cache could not be used for this call.
    this.counters.errors++;
    if (this.redis.status === 'ready') void this.renewEpoch();
    return false;
  }

  private renewEpoch(): Promise<void> {
    this.renewing ??= this.redis
      .incr(EPOCH_KEY)
      .then((epoch) => {
        this.suspect = false;
        this.logger.warn(
          { epoch },
          'cache reachable again: started a new cache epoch (entries from before are retired)',
        );
      })
      .catch((error: unknown) => this.fail('new epoch', error))
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async write(
    operation: string,
    key: string,
    value: string,
    ttlSeconds: number,
    mode: 'NX' | '',
  ): Promise<'OK' | null> {
    if (!this.usable()) return null;
    try {
      return await this.redis.epochSet(EPOCH_KEY, key, value, ttlSeconds, mode);
    } catch (error) {
      this.fail(operation, error);
      return null;
    }
  }

  private miss(): null {
    this.counters.misses++;
    return null;
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
    // Whatever failed, an invalidation of this process may have been lost with it.
    this.suspect = true;
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_INTERVAL_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(
      { err: error, operation },
      'cache unavailable; serving from the database until it recovers',
    );
  }
}
