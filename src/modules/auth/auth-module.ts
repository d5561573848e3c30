import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { SessionService } from '../sessions';
import type { PasswordHasher, UserCredentials } from '../users';
import { AccountService } from './account-service';
import { AttemptLimiter } from './attempt-limiter';
import { AuthService } from './auth-service';
import { UserTokenRepository } from './user-token-repository';

export interface AttemptLimit {
  maxAttempts: number;
  windowSeconds: number;
}

export interface AuthModuleDeps {
  knex: Knex;
  /** Shares the attempt counters across processes; in-process counters without it. */
  redis: Redis | undefined;
  logger: Logger;
  credentials: UserCredentials;
  hasher: PasswordHasher;
  sessions: SessionService;
  queue: JobQueue;
  loginFailures: AttemptLimit;
  passwordResetRequests: AttemptLimit;
  verificationTokenTtlSeconds: number;
  resetTokenTtlSeconds: number;
}

export function createAuthModule(deps: AuthModuleDeps) {
  const limiter = (name: string, limit: AttemptLimit, what: string) =>
    new AttemptLimiter(
      {
        name,
        ...limit,
        describe: (seconds) => `Too many ${what}. Try again in ${seconds} seconds.`,
      },
      deps.logger,
      deps.redis,
    );
  const { credentials, hasher, sessions, queue } = deps;
  return {
    auth: new AuthService({
      credentials,
      sessions,
      limiter: limiter('login-failures', deps.loginFailures, 'failed logins'),
    }),
    accounts: new AccountService({
      tokens: new UserTokenRepository(deps.knex),
      credentials,
      hasher,
      sessions,
      queue,
      resetLimiter: limiter(
        'password-reset-requests',
        deps.passwordResetRequests,
        'password-reset requests',
      ),
      verificationTtlSeconds: deps.verificationTokenTtlSeconds,
      resetTtlSeconds: deps.resetTokenTtlSeconds,
    }),
  };
}
