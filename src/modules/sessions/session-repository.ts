import type { Knex } from 'knex';

export interface ActiveSession {
  sessionId: string;
  userId: number;
}

export interface RefreshTokenRecord {
  id: number;
  sessionId: string;
  userId: number;
  usedAt: Date | null;
  sessionActive: boolean;
}

/**
 * Sessions and their refresh-token chain. Plain knex: these are a handful of set-based statements
 * (revoke many, claim one token atomically) that read more clearly as SQL than as a model.
 */
export class SessionRepository {
  constructor(private readonly knex: Knex) {}

  async create(input: {
    sessionId: string;
    userId: number;
    expiresAt: Date;
    refreshHash: string;
  }): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('sessions').insert({
        id: input.sessionId,
        user_id: input.userId,
        expires_at: input.expiresAt,
      });
      await trx('refresh_tokens').insert({
        session_id: input.sessionId,
        token_hash: input.refreshHash,
      });
    });
  }

  async findActive(sessionId: string): Promise<ActiveSession | undefined> {
    const row = await this.knex('sessions')
      .where('id', sessionId)
      .whereNull('revoked_at')
      .where('expires_at', '>', this.knex.fn.now())
      .first('id', 'user_id');
    return row && { sessionId: row.id, userId: row.user_id };
  }

  async findRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.knex('refresh_tokens as t')
      .join('sessions as s', 's.id', 't.session_id')
      .where('t.token_hash', hash)
      .first(
        't.id',
        't.session_id',
        't.used_at',
        's.user_id',
        this.knex.raw('(s.revoked_at is null and s.expires_at > now()) as session_active'),
      );
    return (
      row && {
        id: row.id,
        sessionId: row.session_id,
        userId: row.user_id,
        usedAt: row.used_at,
        sessionActive: row.session_active,
      }
    );
  }

  /**
   * Claims a refresh token and stores its successor in one transaction. Returns false when another
   * request used the token first (a replay), in which case nothing is written.
   */
  async rotate(tokenId: number, sessionId: string, nextHash: string): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const claimed = await trx('refresh_tokens')
        .where({ id: tokenId })
        .whereNull('used_at')
        .update({ used_at: trx.fn.now() });
      if (claimed === 0) return false;
      await trx('refresh_tokens').insert({ session_id: sessionId, token_hash: nextHash });
      return true;
    });
  }

  async revoke(sessionId: string, reason: string): Promise<void> {
    await this.knex('sessions')
      .where({ id: sessionId })
      .whereNull('revoked_at')
      .update({ revoked_at: this.knex.fn.now(), revoked_reason: reason });
  }

  /** Revokes every live session of a user (optionally but one) and returns their ids. */
  async revokeAllOf(userId: number, reason: string, exceptSessionId?: string): Promise<string[]> {
    const query = this.knex('sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: this.knex.fn.now(), revoked_reason: reason }, ['id']);
    if (exceptSessionId) query.whereNot({ id: exceptSessionId });
    const rows: Array<{ id: string }> = await query;
    return rows.map((row) => row.id);
  }

  async idsOf(userId: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.knex('sessions')
      .where({ user_id: userId })
      .select('id');
    return rows.map((row) => row.id);
  }
}
