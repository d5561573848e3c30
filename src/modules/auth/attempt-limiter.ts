import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../../platform/app-error';
import type { Logger } from '../../platform/logger';

export interface AttemptLimiterOptions {
  /** Names the counter in Redis, e.g. `login-failures`. */
  name: string;
  maxAttempts: number;
  windowSeconds: number;
  /** The 429 detail, given the seconds to wait. */
  describe: (retryAfterSeconds: number) => string;
}

/**
 * Counts attempts per key (e.g. e-mail and client address) over a window. Shared through Redis
 * across API processes, with an in-process limiter as insurance while Redis is unreachable; a
 * failing limiter lets the attempt through rather than failing the request.
 */
export class AttemptLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly options: AttemptLimiterOptions,
    private readonly logger: Logger,
    redis?: Redis,
  ) {
    const base = {
      keyPrefix: options.name,
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

  /** Throws 429 when the key has used up its attempts, without counting this one. */
  async assertAllowed(key: string): Promise<void> {
    let state: RateLimiterRes | null;
    try {
      state = await this.limiter.get(key);
    } catch (error) {
      this.logger.warn({ err: error, limiter: this.options.name }, 'limiter unavailable; allowing');
      return;
    }
    if (state && state.consumedPoints >= this.options.maxAttempts) throw this.tooMany(state);
  }

  /** Counts one attempt. */
  async record(key: string): Promise<void> {
    await this.consume(key, false);
  }

  /** Counts one attempt and throws 429 when it is over the limit. */
  async take(key: string): Promise<void> {
    await this.consume(key, true);
  }

  async reset(key: string): Promise<void> {
    try {
      await this.limiter.delete(key);
    } catch (error) {
      this.logger.warn({ err: error, limiter: this.options.name }, 'limiter unavailable');
    }
  }

  private async consume(key: string, enforce: boolean): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) {
        this.logger.warn(
          { err: error, limiter: this.options.name },
          'limiter unavailable; allowing',
        );
      } else if (enforce) {
        throw this.tooMany(error);
      }
    }
  }

  private tooMany(state: RateLimiterRes): AppError {
    const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new AppError('too-many-requests', this.options.describe(retryAfter), {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }
}
