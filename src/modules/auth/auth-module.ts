import type { Knex } from 'knex';
import type { AttemptLimiter } from '../../platform/attempt-limiter';
import type { TaskQueue } from '../../kernel/task-queue';
import type { SessionService } from '../sessions';
import type { PasswordHasher, UserCredentials } from '../users';
import { AccountService } from './account-service';
import { AuthService } from './auth-service';
import { UserTokenRepository } from './user-token-repository';

export interface AuthModuleDeps {
  knex: Knex;
  credentials: UserCredentials;
  hasher: PasswordHasher;
  sessions: SessionService;
  queue: TaskQueue;
  limits: {
    loginFailuresPerAccount: AttemptLimiter;
    loginFailuresPerAddress: AttemptLimiter;
    resetRequestsPerAccount: AttemptLimiter;
    resetRequestsPerAddress: AttemptLimiter;
    resetFailuresPerAddress: AttemptLimiter;
  };
  verificationTokenTtlSeconds: number;
  resetTokenTtlSeconds: number;
  /** Secrets e-mailed tokens are derived with: the current one first, then earlier ones. */
  tokenKeys: string[];
}

export function createAuthModule(deps: AuthModuleDeps) {
  const { credentials, hasher, sessions, queue, limits } = deps;
  return {
    auth: new AuthService({
      credentials,
      sessions,
      limits: { account: limits.loginFailuresPerAccount, address: limits.loginFailuresPerAddress },
    }),
    accounts: new AccountService({
      tokens: new UserTokenRepository(deps.knex),
      credentials,
      hasher,
      sessions,
      queue,
      limits: {
        requestsPerAccount: limits.resetRequestsPerAccount,
        requestsPerAddress: limits.resetRequestsPerAddress,
        confirmationsPerAddress: limits.resetFailuresPerAddress,
      },
      verificationTtlSeconds: deps.verificationTokenTtlSeconds,
      resetTtlSeconds: deps.resetTokenTtlSeconds,
      tokenKeys: deps.tokenKeys,
    }),
  };
}
