import { Redis } from 'ioredis';
import type { Logger } from '../logger';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

/**
 * Fails fast instead of queueing: with the offline queue off and one attempt per command, a Redis
 * outage turns into immediate cache misses rather than requests that hang. Auto-pipelining sends
 * every command issued in one event-loop turn in one socket write: the session check and the cache
 * read of a request (and those of concurrent requests) share a round trip.
 */
export function createRedis(options: RedisOptions, logger: Logger): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastLoggedAt = 0;
  redis.on('error', (error) => {
    const now = Date.now();
    if (now - lastLoggedAt < 10_000) return;
    lastLoggedAt = now;
    logger.warn({ err: error }, 'redis connection error');
  });
  return redis;
}

/**
 * Resolves true once the connection is ready, false after `timeoutMs`. Until then every command
 * fails at once (no offline queue), so a process serving before it would drop the invalidations
 * of its first writes, and other processes would go on serving what those writes replaced.
 */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => settle(true);
    const timer = setTimeout(() => settle(false), timeoutMs);
    redis.once('ready', onReady);
  });
}
