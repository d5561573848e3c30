import type { Knex } from 'knex';
import type { TaskQueue } from '../../kernel/task-queue';
import type { AttemptLimit, LimiterFactory } from '../../platform/attempt-limiter';
import type { SessionService } from '../sessions';
import type { PasswordHasher, UserCredentials } from '../users';
import { AccountService } from './account-service';
import { AuthService } from './auth-service';
import { UserTokenRepository } from './user-token-repository';

export interface AuthPlatform {
  knex: Knex;
  queue: TaskQueue;
  limiter: LimiterFactory;
}

export interface AuthSettings {
  limits: {
    loginFailuresPerAccount: AttemptLimit;
    loginFailuresPerAddress: AttemptLimit;
    resetRequestsPerAccount: AttemptLimit;
    resetRequestsPerAddress: AttemptLimit;
    resetFailuresPerAddress: AttemptLimit;
  };
  emailVerificationTokenTtlSeconds: number;
  passwordResetTokenTtlSeconds: number;
  /** E-mailed tokens are derived with the current secret; those of earlier ones still count. */
  jwtSecret: string;
  jwtPreviousSecrets: readonly string[];
}

export interface AuthUses {
  credentials: UserCredentials;
  hasher: PasswordHasher;
  sessions: SessionService;
}

export function createAuthModule(platform: AuthPlatform, settings: AuthSettings, uses: AuthUses) {
  const { limiter } = platform;
  const { limits } = settings;
  const { credentials, sessions } = uses;
  const auth = new AuthService({
    credentials,
    sessions,
    limits: {
      account: limiter('login-account', limits.loginFailuresPerAccount, 'failed logins'),
      address: limiter('login-address', limits.loginFailuresPerAddress, 'failed logins'),
    },
  });
  const resets = 'password-reset requests';
  const accounts = new AccountService({
    tokens: new UserTokenRepository(platform.knex),
    ...uses,
    queue: platform.queue,
    limits: {
      requestsPerAccount: limiter('reset-request-account', limits.resetRequestsPerAccount, resets),
      requestsPerAddress: limiter('reset-request-address', limits.resetRequestsPerAddress, resets),
      confirmationsPerAddress: limiter(
        'reset-confirm-address',
        limits.resetFailuresPerAddress,
        'invalid reset tokens',
      ),
    },
    verificationTtlSeconds: settings.emailVerificationTokenTtlSeconds,
    resetTtlSeconds: settings.passwordResetTokenTtlSeconds,
    tokenKeys: [settings.jwtSecret, ...settings.jwtPreviousSecrets],
  });
  return { auth, accounts };
}
