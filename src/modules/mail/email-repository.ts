import type { Knex } from 'knex';
import { newTokenSeed } from '../../platform/opaque-token';

export type EmailKind = 'welcome' | 'password-reset';

export interface EmailRecord {
  id: number;
  userId: number;
  kind: EmailKind;
  status: 'queued' | 'sent' | 'dead';
  attempts: number;
  /** What the e-mail's token is derived from: the same on every attempt. */
  tokenSeed: string;
}

/** The ledger of e-mails: what was asked for, and whether the SMTP server accepted it. */
export class EmailRepository {
  constructor(private readonly knex: Knex) {}

  /** The e-mail for this idempotency key with its token seed, both created on first call. */
  async ensure(idempotencyKey: string, userId: number, kind: EmailKind): Promise<EmailRecord> {
    const seed = newTokenSeed();
    await this.knex('emails')
      .insert({ idempotency_key: idempotencyKey, user_id: userId, kind, token_seed: seed })
      .onConflict('idempotency_key')
      .ignore();
    // An e-mail queued before seeds were kept gets one now, once.
    await this.knex('emails')
      .where({ idempotency_key: idempotencyKey })
      .whereNull('token_seed')
      .update({ token_seed: seed });
    const row = await this.knex('emails').where({ idempotency_key: idempotencyKey }).first();
    return {
      id: row.id,
      userId: row.user_id,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      tokenSeed: row.token_seed,
    };
  }

  async recordFailedAttempt(id: number, error: string): Promise<void> {
    await this.knex('emails')
      .where({ id })
      .update({ attempts: this.knex.raw('attempts + 1'), last_error: error });
  }

  /** The SMTP server accepted it (one statement: the attempt and the outcome together). */
  async markSent(id: number, messageId: string): Promise<void> {
    await this.knex('emails')
      .where({ id })
      .update({
        status: 'sent',
        attempts: this.knex.raw('attempts + 1'),
        last_error: null,
        message_id: messageId,
        sent_at: this.knex.fn.now(),
      });
  }

  async markDead(idempotencyKey: string, error: string): Promise<void> {
    await this.knex('emails')
      .where({ idempotency_key: idempotencyKey })
      .whereNot({ status: 'sent' })
      .update({ status: 'dead', last_error: error });
  }
}
