import type { UserId } from '../../kernel/ids';
import type { Mailer } from '../../platform/mailer';
import type { AccountService, TokenPurpose } from '../auth';
import type { User, UserService } from '../users';
import type { EmailKind, EmailRepository } from './email-repository';
import { passwordResetMail, welcomeMail, type RenderedMail } from './templates';
import { Undeliverable } from './undeliverable';

export interface MailServiceDeps {
  mailer: Mailer;
  emails: EmailRepository;
  users: UserService;
  accounts: AccountService;
  baseUrl: string;
  messageIdDomain: string;
}

/**
 * Sends the account e-mails. Each send is keyed, and its message is fixed before the first
 * attempt: the Message-ID comes from the e-mail's row, the token from the seed stored in it. Once
 * the SMTP server has accepted an e-mail, a retried job finds it marked sent and does not send it
 * again; a job that died between the server's 250 and that record sends the very same message
 * again (same token, same Message-ID), never a different one.
 */
export class MailService {
  constructor(private readonly deps: MailServiceDeps) {}

  async sendWelcome(userId: UserId): Promise<void> {
    const user = await this.deps.users.find(userId);
    if (!user || user.emailVerified) return;
    await this.deliver(`welcome:${userId}`, user, 'welcome', 'verify-email', (token) =>
      welcomeMail(user.name, token, this.deps.baseUrl),
    );
  }

  /** Nothing happens for an unknown address; the caller answered 202 either way. */
  async sendPasswordReset(email: string, idempotencyKey: string): Promise<void> {
    const user = await this.deps.users.findByEmail(email);
    if (!user) return;
    await this.deliver(idempotencyKey, user, 'password-reset', 'password-reset', (token, ttl) =>
      passwordResetMail(user.name, token, this.deps.baseUrl, Math.round(ttl / 60)),
    );
  }

  /** Attempts are exhausted: keep the e-mail with its error. */
  markDead(idempotencyKey: string, error: string): Promise<void> {
    return this.deps.emails.markDead(idempotencyKey, error);
  }

  private async deliver(
    key: string,
    user: User,
    kind: EmailKind,
    purpose: TokenPurpose,
    render: (token: string, ttlSeconds: number) => RenderedMail,
  ): Promise<void> {
    const email = await this.deps.emails.ensure(key, user.id, kind);
    if (email.status === 'sent') return;
    const issued = await this.deps.accounts.tokenFor(user.id, purpose, email.tokenSeed);
    if (!issued) {
      // Its token was used (so the e-mail did arrive), replaced by a newer request, or expired.
      await this.deps.emails.markDead(
        key,
        'not sent again: its token was used, replaced or expired',
      );
      return;
    }
    const messageId = `<email-${email.id}@${this.deps.messageIdDomain}>`;
    try {
      const { token, ttlSeconds } = issued;
      await this.deps.mailer.send({ to: user.email, messageId, ...render(token, ttlSeconds) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.deps.emails.recordFailedAttempt(email.id, reason);
      // A 5xx reply is the server's final word (unknown mailbox, policy): retrying cannot help.
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500) throw new Undeliverable(reason, { cause: error });
      throw error;
    }
    await this.deps.emails.markSent(email.id, messageId);
  }
}
