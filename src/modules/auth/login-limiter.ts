import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../../platform/app-error';
import type { Logger } from '../../platform/logger';

export interface LoginLimiterOptions {
  maxFailures: number;
  lockoutSeconds: number;
}

/**
 * Counts failed logins per (e-mail, client address). Shared through Redis across API processes,
 * with an in-process limiter as insurance while Redis is unreachable.
 */
export class LoginLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly options: LoginLimiterOptions,
    private readonly logger: Logger,
    redis?: Redis,
  ) {
    const base = {
      keyPrefix: 'login-failures',
      points: options.maxFailures,
      duration: options.lockoutSeconds,
    };
    this.limiter = redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  }

  async assertAllowed(key: string): Promise<void> {
    let state: RateLimiterRes | null;
    try {
      state = await this.limiter.get(key);
    } catch (error) {
      this.logger.warn({ err: error }, 'login limiter unavailable; allowing the attempt');
      return;
    }
    if (state && state.consumedPoints >= this.options.maxFailures) {
      const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      throw new AppError(
        'too-many-requests',
        `Too many failed logins. Try again in ${retryAfter} seconds.`,
        {
          headers: { 'Retry-After': String(retryAfter) },
        },
      );
    }
  }

  async recordFailure(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes))
        this.logger.warn({ err: error }, 'login limiter unavailable');
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.limiter.delete(key);
    } catch (error) {
      this.logger.warn({ err: error }, 'login limiter unavailable');
    }
  }
}
