import { PermanentFailure } from '../../platform/jobs/permanent-failure';
import type { Mailer } from '../../platform/mailer';
import { newOpaqueToken } from '../auth/opaque-token';
import type { TokenPurpose, UserTokenRepository } from '../auth/user-token-repository';
import type { UserRepository } from '../users/user-repository';
import type { User } from '../users/user-types';
import type { EmailKind, EmailRepository } from './email-repository';
import { passwordResetMail, welcomeMail, type RenderedMail } from './templates';

export interface MailServiceOptions {
  baseUrl: string;
  messageIdDomain: string;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
}

/**
 * Sends the account e-mails. Each send is keyed: once the SMTP server has accepted an e-mail, a
 * retried job finds it marked sent and does not send it again.
 */
export class MailService {
  constructor(
    private readonly mailer: Mailer,
    private readonly emails: EmailRepository,
    private readonly users: UserRepository,
    private readonly tokens: UserTokenRepository,
    private readonly options: MailServiceOptions,
  ) {}

  async sendWelcome(userId: number): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.emailVerified) return;
    await this.deliver(
      `welcome:${userId}`,
      user,
      'welcome',
      'verify-email',
      this.options.verificationTtlSeconds,
      (token) => welcomeMail(user.name, token, this.options.baseUrl),
    );
  }

  /** Nothing happens for an unknown address; the caller answered 202 either way. */
  async sendPasswordReset(email: string, idempotencyKey: string): Promise<void> {
    const user = await this.users.findWithSecretByEmail(email);
    if (!user) return;
    const minutes = Math.round(this.options.resetTtlSeconds / 60);
    await this.deliver(
      idempotencyKey,
      user,
      'password-reset',
      'password-reset',
      this.options.resetTtlSeconds,
      (token) => passwordResetMail(user.name, token, this.options.baseUrl, minutes),
    );
  }

  /** Attempts are exhausted: keep the e-mail with its error. */
  markDead(idempotencyKey: string, error: string): Promise<void> {
    return this.emails.markDead(idempotencyKey, error);
  }

  private async deliver(
    key: string,
    user: User,
    kind: EmailKind,
    purpose: TokenPurpose,
    ttlSeconds: number,
    render: (token: string) => RenderedMail,
  ): Promise<void> {
    const email = await this.emails.ensure(key, user.id, kind);
    if (email.status === 'sent') return;
    const token = newOpaqueToken();
    if (purpose === 'password-reset') await this.tokens.retireUnused(user.id, purpose);
    await this.tokens.create(
      user.id,
      purpose,
      token.hash,
      new Date(Date.now() + ttlSeconds * 1000),
    );
    const messageId = `<email-${email.id}@${this.options.messageIdDomain}>`;
    try {
      await this.mailer.send({ to: user.email, messageId, ...render(token.token) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.emails.recordAttempt(email.id, reason);
      // A 5xx reply is the server's final word (unknown mailbox, policy): retrying cannot help.
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500) throw new PermanentFailure(reason, { cause: error });
      throw error;
    }
    await this.emails.recordAttempt(email.id);
    await this.emails.markSent(email.id, messageId);
  }
}
