import type { Knex } from 'knex';

export type TokenPurpose = 'verify-email' | 'password-reset';

/** Single-use e-mailed tokens, kept only as hashes. */
export class UserTokenRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * The token of one e-mail, recorded once: whichever of `hashes` was recorded before (with
   * whether it is still live), or else the first, created now — a new reset retiring the older
   * ones in the same transaction.
   */
  async issueOnce(
    userId: number,
    purpose: TokenPurpose,
    hashes: string[],
    expiresAt: Date,
  ): Promise<{ hash: string; live: boolean }> {
    return this.knex.transaction(async (trx) => {
      const existing: { token_hash: string; live: boolean } | undefined = await trx('user_tokens')
        .where({ user_id: userId, purpose })
        .whereIn('token_hash', hashes)
        .first(
          'token_hash',
          trx.raw('(used_at is null and expires_at > now()) as live') as unknown as string,
        );
      if (existing) return { hash: existing.token_hash, live: existing.live };
      const [hash] = hashes as [string];
      if (purpose === 'password-reset') await this.retireUnused(userId, purpose, trx);
      await trx('user_tokens').insert({
        user_id: userId,
        purpose,
        token_hash: hash,
        expires_at: expiresAt,
      });
      return { hash, live: true };
    });
  }

  /** The user of a live token (unknown, expired or used: undefined), without spending it. */
  async findLive(purpose: TokenPurpose, hash: string): Promise<number | undefined> {
    const row: { user_id: number } | undefined = await this.knex('user_tokens')
      .where({ token_hash: hash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', this.knex.fn.now())
      .first('user_id');
    return row?.user_id;
  }

  /**
   * Marks a live token used and returns its user, atomically: of two concurrent uses, one wins.
   * Undefined when the token is unknown, expired, already used or for another purpose.
   */
  async consume(
    purpose: TokenPurpose,
    hash: string,
    trx: Knex = this.knex,
  ): Promise<number | undefined> {
    const rows: Array<{ user_id: number }> = await trx('user_tokens')
      .where({ token_hash: hash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', trx.fn.now())
      .update({ used_at: trx.fn.now() }, ['user_id']);
    return rows[0]?.user_id;
  }

  /** A new reset supersedes the older unused ones. */
  async retireUnused(userId: number, purpose: TokenPurpose, trx: Knex = this.knex): Promise<void> {
    await trx('user_tokens')
      .where({ user_id: userId, purpose })
      .whereNull('used_at')
      .update({ used_at: trx.fn.now() });
  }
}
