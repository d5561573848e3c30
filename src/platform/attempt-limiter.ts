import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { DomainError } from '../kernel/domain-error';
import type { Logger } from './logger';

export interface AttemptLimiterOptions {
  /** Names the counter, e.g. `login-account` (under the Redis client's key prefix). */
  name: string;
  maxAttempts: number;
  windowSeconds: number;
  /** The 429 detail, given the seconds to wait. */
  describe: (retryAfterSeconds: number) => string;
}

/**
 * Counts attempts per key over a window. Shared through Redis across API processes, with an
 * in-process limiter as insurance while Redis is unreachable; a failing limiter lets the attempt
 * through rather than failing the request.
 *
 * An attempt is reserved (counted) before the work it guards, atomically, so N parallel attempts
 * cost N: checking first and counting after the work lets every parallel attempt through.
 */
export class AttemptLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly options: AttemptLimiterOptions,
    private readonly logger: Logger,
    redis?: Redis,
  ) {
    const base = {
      keyPrefix: `limit:${options.name}`,
      points: options.maxAttempts,
      duration: options.windowSeconds,
    };
    this.limiter = redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  }

  /** Counts one attempt; throws 429 when the key had none left. */
  async reserve(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw this.tooMany(error);
      this.logger.warn({ err: error, limiter: this.options.name }, 'limiter unavailable; allowing');
    }
  }

  /** Gives back a reserved attempt that turned out not to count (it succeeded). */
  async refund(key: string): Promise<void> {
    try {
      await this.limiter.reward(key, 1);
    } catch (error) {
      this.logger.warn({ err: error, limiter: this.options.name }, 'limiter unavailable');
    }
  }

  private tooMany(state: RateLimiterRes): DomainError {
    const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new DomainError('too-many-requests', this.options.describe(retryAfter), {
      retryAfterSeconds: retryAfter,
    });
  }
}

/** At most `max` attempts per key in any window of `windowSeconds`. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** Makes the limiter `name` for `limit`; its 429 says "Too many <what>. Try again in N seconds." */
export type LimiterFactory = (name: string, limit: AttemptLimit, what: string) => AttemptLimiter;

/** Limiters on Redis when there is one (shared by every process), else in this process. */
export function attemptLimiters(logger: Logger, redis: Redis | undefined): LimiterFactory {
  return (name, limit, what) =>
    new AttemptLimiter(
      {
        name,
        maxAttempts: limit.max,
        windowSeconds: limit.windowSeconds,
        describe: (seconds) => `Too many ${what}. Try again in ${seconds} seconds.`,
      },
      logger,
      redis,
    );
}

export interface Reservation {
  /** Gives every reserved attempt back: the guarded work succeeded, or never ran. */
  refund(): Promise<void>;
}

/** Reserves one attempt on each limiter under its key, in order; throws 429 at the first refusal. */
export async function reserveAll(
  attempts: ReadonlyArray<readonly [AttemptLimiter, string]>,
): Promise<Reservation> {
  for (const [limiter, key] of attempts) await limiter.reserve(key);
  return {
    refund: async () => {
      await Promise.all(attempts.map(([limiter, key]) => limiter.refund(key)));
    },
  };
}
