import type { Knex } from 'knex';

export type EmailKind = 'welcome' | 'password-reset';

export interface EmailRecord {
  id: number;
  userId: number;
  kind: EmailKind;
  status: 'queued' | 'sent' | 'dead';
  attempts: number;
}

/** The ledger of e-mails: what was asked for, and whether the SMTP server accepted it. */
export class EmailRepository {
  constructor(private readonly knex: Knex) {}

  /** The e-mail for this idempotency key, created on first call. */
  async ensure(idempotencyKey: string, userId: number, kind: EmailKind): Promise<EmailRecord> {
    await this.knex('emails')
      .insert({ idempotency_key: idempotencyKey, user_id: userId, kind })
      .onConflict('idempotency_key')
      .ignore();
    const row = await this.knex('emails').where({ idempotency_key: idempotencyKey }).first();
    return {
      id: row.id,
      userId: row.user_id,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
    };
  }

  async recordAttempt(id: number, error?: string): Promise<void> {
    await this.knex('emails')
      .where({ id })
      .update({ attempts: this.knex.raw('attempts + 1'), last_error: error ?? null });
  }

  async markSent(id: number, messageId: string): Promise<void> {
    await this.knex('emails')
      .where({ id })
      .update({ status: 'sent', message_id: messageId, sent_at: this.knex.fn.now() });
  }

  async markDead(idempotencyKey: string, error: string): Promise<void> {
    await this.knex('emails')
      .where({ idempotency_key: idempotencyKey })
      .whereNot({ status: 'sent' })
      .update({ status: 'dead', last_error: error });
  }
}
