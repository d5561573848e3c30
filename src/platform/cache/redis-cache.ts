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
  epochSet: {
    numberOfKeys: 2,
    lua: `${EPOCH}
if ARGV[3] == 'NX' then return redis.call('SET', KEYS[2] .. e, ARGV[1], 'EX', ARGV[2], 'NX') end
return redis.call('SET', KEYS[2] .. e, ARGV[1], 'EX', ARGV[2])`,
  },
  /**
   * Every read of one event-loop turn, of every request in it, in one atomic call: ARGV[1] names
   * each read's kind in order, `g` (a key: its value) or `v` (a version key and a data prefix: the
   * version token, set to a fresh one when absent, and the data under it; the data key depends on
   * the version read, so it is given as a prefix). ARGV then holds each `v` read's fresh version
   * and its TTL. The reply lists the values in order (one for `g`, two for `v`).
   */
  readBatch: {
    lua: `${EPOCH}
local kinds, k, a, out = ARGV[1], 2, 2, {}
for i = 1, #kinds do
  if string.byte(kinds, i) == 103 then
    out[#out + 1] = redis.call('GET', KEYS[k] .. e)
    k = k + 1
  else
    local version = redis.call('GET', KEYS[k] .. e)
    if version then
      out[#out + 1] = version
      out[#out + 1] = redis.call('GET', KEYS[k + 1] .. version .. e)
    else
      redis.call('SET', KEYS[k] .. e, ARGV[a], 'EX', ARGV[a + 1])
      out[#out + 1] = ARGV[a]
      out[#out + 1] = false
    end
    k = k + 2
    a = a + 2
  end
end
return out`,
  },
} as const;

type ScriptedRedis = Redis & {
  readBatch(...keysThenArgs: Array<string | number>): Promise<Array<string | null>>;
  epochSet(
    epochKey: string,
    key: string,
    value: string,
    ttlSeconds: number,
    mode: 'NX' | '',
  ): Promise<'OK' | null>;
};

/** A read waiting for its turn's batch. */
type PendingRead =
  | { kind: 'g'; key: string; settle: (value: string | null | undefined) => void }
  | {
      kind: 'v';
      read: VersionedRead;
      settle: (reply: { version: string; data: string | null } | null) => void;
    };

/** Reads per call at most: a turn with more sends several calls, still in one write. */
const MAX_BATCH = 256;

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
  /** Reads of this event-loop turn, sent together at its end. */
  private pending: PendingRead[] = [];

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
    const value = await new Promise<string | null | undefined>((settle) =>
      this.enqueue({ kind: 'g', key, settle }),
    );
    if (value === undefined) return this.miss(); // the batch failed (counted there)
    if (value === null) this.counters.misses++;
    else this.counters.hits++;
    return value;
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
    const reply = await new Promise<{ version: string; data: string | null } | null>((settle) =>
      this.enqueue({ kind: 'v', read, settle }),
    );
    if (reply === null || reply.data === null) this.counters.misses++;
    else this.counters.hits++;
    return reply;
  }

  /**
   * Reads wait for the end of the event-loop turn, then go to Redis together: one script call for
   * every read of the turn (each request's session check and cache reads, and those of every
   * other request that arrived in the same turn), instead of a command each.
   */
  private enqueue(read: PendingRead): void {
    this.pending.push(read);
    if (this.pending.length === 1) setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const reads = this.pending;
    this.pending = [];
    for (let from = 0; from < reads.length; from += MAX_BATCH) {
      void this.send(reads.slice(from, from + MAX_BATCH));
    }
  };

  private async send(reads: PendingRead[]): Promise<void> {
    const keys: string[] = [EPOCH_KEY];
    const args: Array<string | number> = [''];
    let kinds = '';
    for (const read of reads) {
      kinds += read.kind;
      if (read.kind === 'g') keys.push(read.key);
      else {
        keys.push(read.read.versionKey, read.read.dataPrefix);
        args.push(read.read.freshVersion, read.read.versionTtlSeconds);
      }
    }
    args[0] = kinds;
    let reply: Array<string | null>;
    try {
      reply = await this.redis.readBatch(keys.length, ...keys, ...args);
    } catch (error) {
      // Each read failed: counted as an error each, logged once.
      this.counters.errors += reads.length - 1;
      this.fail('read', error);
      for (const read of reads) {
        if (read.kind === 'g') read.settle(undefined);
        else read.settle(null);
      }
      return;
    }
    let at = 0;
    for (const read of reads) {
      if (read.kind === 'g') read.settle(reply[at++] ?? null);
      else {
        read.settle({ version: String(reply[at]), data: reply[at + 1] ?? null });
        at += 2;
      }
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
