import type { UserId } from '../../kernel/ids';
import { AppError } from '../../platform/app-error';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { hashOpaqueToken, newOpaqueToken } from '../../platform/opaque-token';
import type { SessionService } from '../sessions';
import type { PasswordHasher, UserCredentials } from '../users';
import type { AttemptLimiter } from './attempt-limiter';
import type { TokenPurpose, UserTokenRepository } from './user-token-repository';

const invalidToken = () =>
  new AppError('invalid-token', 'The token is not valid: it is unknown, expired or already used.', {
    issues: [
      { location: 'body', pointer: '/token', message: 'is unknown, expired or already used' },
    ],
  });

export interface AccountServiceDeps {
  tokens: UserTokenRepository;
  credentials: UserCredentials;
  hasher: PasswordHasher;
  sessions: SessionService;
  queue: JobQueue;
  resetLimiter: AttemptLimiter;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
}

/** E-mail verification and password reset: the flows that start with an e-mailed token. */
export class AccountService {
  private readonly tokens: UserTokenRepository;

  constructor(private readonly deps: AccountServiceDeps) {
    this.tokens = deps.tokens;
  }

  /** A new single-use token for the e-mail of that purpose; a new reset retires older ones. */
  async issueToken(
    userId: UserId,
    purpose: TokenPurpose,
  ): Promise<{ token: string; ttlSeconds: number }> {
    const ttlSeconds =
      purpose === 'password-reset' ? this.deps.resetTtlSeconds : this.deps.verificationTtlSeconds;
    const token = newOpaqueToken();
    if (purpose === 'password-reset') await this.tokens.retireUnused(userId, purpose);
    await this.tokens.create(userId, purpose, token.hash, new Date(Date.now() + ttlSeconds * 1000));
    return { token: token.token, ttlSeconds };
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.tokens.consume('verify-email', hashOpaqueToken(token));
    if (userId === undefined) throw invalidToken();
    await this.deps.credentials.markEmailVerified(userId);
  }

  /**
   * Always the same work — count the request, enqueue one job — whether or not the account
   * exists, so neither the answer nor its timing tells an attacker which e-mails are registered.
   */
  async requestPasswordReset(email: string, clientAddress: string): Promise<void> {
    await this.deps.resetLimiter.take(`${email.trim().toLowerCase()}|${clientAddress}`);
    await this.deps.queue.enqueue('send-password-reset-email', { email: email.trim() });
  }

  async resetPassword(token: string, newPassword: string): Promise<void> {
    this.deps.hasher.assertAcceptable(newPassword, '/new_password');
    const passwordHash = await this.deps.hasher.hash(newPassword);
    // The token is spent only if the password is set, and the other way round.
    const userId = await this.deps.credentials.setPasswordHashWith(passwordHash, async (trx) => {
      const owner = await this.tokens.consume('password-reset', hashOpaqueToken(token), trx);
      if (owner === undefined) throw invalidToken();
      return owner;
    });
    await this.deps.sessions.endAllOf(userId, 'password-reset');
  }
}
