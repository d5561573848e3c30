import type { UserId } from '../../kernel/ids';
import { DomainError } from '../../kernel/domain-error';
import type { TaskQueue } from '../../kernel/task-queue';
import { derivedOpaqueToken, hashOpaqueToken } from '../../platform/opaque-token';
import type { SessionService } from '../sessions';
import type { PasswordHasher, UserCredentials } from '../users';
import { reserveAll, type AttemptLimiter } from '../../platform/attempt-limiter';
import { emailKey } from '../users';
import type { TokenPurpose, UserTokenRepository } from './user-token-repository';

const invalidToken = () =>
  new DomainError(
    'invalid-token',
    'The token is not valid: it is unknown, expired or already used.',
    {
      field: 'token',
      issue: 'is unknown, expired or already used',
    },
  );

export interface AccountServiceDeps {
  tokens: UserTokenRepository;
  credentials: UserCredentials;
  hasher: PasswordHasher;
  sessions: SessionService;
  queue: TaskQueue;
  limits: {
    /** Reset requests per account and per client address. */
    requestsPerAccount: AttemptLimiter;
    requestsPerAddress: AttemptLimiter;
    /** Failed reset confirmations per client address. */
    confirmationsPerAddress: AttemptLimiter;
  };
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
  /** Secrets e-mailed tokens are derived with: the current one first, then earlier ones. */
  tokenKeys: string[];
}

/** E-mail verification and password reset: the flows that start with an e-mailed token. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /**
   * The single-use token of one e-mail, derived from the e-mail's seed: the first call records it
   * (a new reset retires older ones), a retry gets the same token back. Undefined once that token
   * was used, replaced by a newer reset or expired: there is nothing left worth sending.
   */
  async tokenFor(
    userId: UserId,
    purpose: TokenPurpose,
    seed: string,
  ): Promise<{ token: string; ttlSeconds: number } | undefined> {
    const ttlSeconds =
      purpose === 'password-reset' ? this.deps.resetTtlSeconds : this.deps.verificationTtlSeconds;
    // The current secret first; a token derived with a previous one (before a rotation) still counts.
    const candidates = this.deps.tokenKeys.map((key) => derivedOpaqueToken(key, seed));
    const issued = await this.deps.tokens.issueOnce(
      userId,
      purpose,
      candidates.map((candidate) => candidate.hash),
      new Date(Date.now() + ttlSeconds * 1000),
    );
    const token = candidates.find((candidate) => candidate.hash === issued.hash)?.token;
    return issued.live && token ? { token, ttlSeconds } : undefined;
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.deps.tokens.consume('verify-email', hashOpaqueToken(token));
    if (userId === undefined) throw invalidToken();
    await this.deps.credentials.markEmailVerified(userId);
  }

  /**
   * Always the same work — count the request, enqueue one job — whether or not the account
   * exists, so neither the answer nor its timing tells an attacker which e-mails are registered.
   */
  async requestPasswordReset(email: string, clientAddress: string): Promise<void> {
    const { limits } = this.deps;
    await reserveAll([
      [limits.requestsPerAddress, clientAddress],
      [limits.requestsPerAccount, emailKey(email)],
    ]);
    await this.deps.queue.enqueue('send-password-reset-email', { email: email.trim() });
  }

  /** The token is checked before the new password is hashed: a bogus token costs no bcrypt. */
  async resetPassword(token: string, newPassword: string, clientAddress: string): Promise<void> {
    this.deps.hasher.assertAcceptable(newPassword, 'new_password');
    const attempt = await reserveAll([[this.deps.limits.confirmationsPerAddress, clientAddress]]);
    const tokenHash = hashOpaqueToken(token);
    if ((await this.deps.tokens.findLive('password-reset', tokenHash)) === undefined) {
      throw invalidToken();
    }
    const passwordHash = await this.deps.hasher.hash(newPassword, clientAddress);
    // The token is spent only if the password is set, and the other way round.
    const userId = await this.deps.credentials.setPasswordHashWith(passwordHash, async (trx) => {
      const owner = await this.deps.tokens.consume('password-reset', tokenHash, trx);
      if (owner === undefined) throw invalidToken();
      return owner;
    });
    await attempt.refund();
    await this.deps.sessions.endAllOf(userId, 'password-reset');
  }
}
