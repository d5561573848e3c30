import type { Knex } from 'knex';
import { AppError } from '../../platform/app-error';
import type { EntityCache } from '../../platform/cache/entity-cache';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { AttemptLimiter } from '../auth/attempt-limiter';
import type { PasswordHasher } from '../auth/password-hasher';
import type { SessionService } from '../auth/session-service';
import { hashOpaqueToken } from '../auth/opaque-token';
import type { UserTokenRepository } from '../auth/user-token-repository';
import type { UserRepository } from './user-repository';
import type { User } from './user-types';

const invalidToken = () =>
  new AppError('invalid-token', 'The token is not valid: it is unknown, expired or already used.', {
    issues: [
      { location: 'body', pointer: '/token', message: 'is unknown, expired or already used' },
    ],
  });

/** E-mail verification and password reset: the flows that start with an e-mailed token. */
export class AccountService {
  constructor(
    private readonly knex: Knex,
    private readonly users: UserRepository,
    private readonly tokens: UserTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly cache: EntityCache<User>,
    private readonly queue: JobQueue,
    private readonly resetLimiter: AttemptLimiter,
  ) {}

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.tokens.consume('verify-email', hashOpaqueToken(token));
    if (userId === undefined) throw invalidToken();
    await this.users.markEmailVerified(userId);
    await this.cache.invalidate(userId);
  }

  /**
   * Always the same work — count the request, enqueue one job — whether or not the account
   * exists, so neither the answer nor its timing tells an attacker which e-mails are registered.
   */
  async requestPasswordReset(email: string, clientAddress: string): Promise<void> {
    await this.resetLimiter.take(`${email.trim().toLowerCase()}|${clientAddress}`);
    await this.queue.enqueue('send-password-reset-email', { email: email.trim() });
  }

  async resetPassword(token: string, newPassword: string): Promise<void> {
    this.hasher.assertAcceptable(newPassword, '/new_password');
    const passwordHash = await this.hasher.hash(newPassword);
    // The token is spent only if the password is set, and the other way round.
    const userId = await this.knex.transaction(async (trx) => {
      const owner = await this.tokens.consume('password-reset', hashOpaqueToken(token), trx);
      if (owner === undefined) throw invalidToken();
      await this.users.update(owner, { passwordHash }, trx);
      return owner;
    });
    await this.cache.invalidate(userId);
    await this.sessions.endAllOf(userId, 'password-reset');
  }
}
