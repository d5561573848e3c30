import { randomUUID } from 'node:crypto';
import type { Cache } from '../../platform/cache/cache';
import { invalidAccessToken, type AccessTokens } from './access-tokens';
import type { Principal, TokenPair } from './auth-types';
import { newOpaqueToken } from './opaque-token';
import type { SessionRepository } from './session-repository';

export interface SessionServiceOptions {
  refreshTokenTtlSeconds: number;
  sessionCacheTtlSeconds: number;
}

const sessionKey = (sessionId: string) => `v1:session:${sessionId}`;
const ENDED = 'ended';

/**
 * Session lifecycle and the per-request revocation check, which reads through the shared cache and
 * falls back to the database. Ending a session writes the database, then a tombstone to the cache;
 * a live entry is only ever added when the key is absent (SET NX), so a check that read the
 * database just before the revocation cannot overwrite the tombstone with a stale "live".
 */
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: AccessTokens,
    private readonly cache: Cache,
    private readonly options: SessionServiceOptions,
  ) {}

  async start(userId: number): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refresh = newOpaqueToken();
    const expiresAt = new Date(Date.now() + this.options.refreshTokenTtlSeconds * 1000);
    await this.sessions.create({ sessionId, userId, expiresAt, refreshHash: refresh.hash });
    return this.pair({ userId, sessionId }, refresh.token);
  }

  pair(principal: Principal, refreshToken: string): TokenPair {
    const access = this.tokens.sign(principal);
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }

  /** The caller an access token names, while its session is live; throws invalidAccessToken. */
  async authenticate(accessToken: string): Promise<Principal> {
    const claims = this.tokens.verify(accessToken);
    const principal = await this.resolve(claims.sessionId, claims.userId);
    if (!principal) throw invalidAccessToken('The session has ended.');
    return principal;
  }

  /** The principal of a verified access token, or undefined when its session has ended. */
  private async resolve(sessionId: string, userId: number): Promise<Principal | undefined> {
    const cached = await this.cache.get(sessionKey(sessionId));
    if (cached === ENDED) return undefined;
    if (cached !== null) {
      const cachedUser = (JSON.parse(cached) as Principal).userId;
      return cachedUser === userId ? { userId, sessionId } : undefined;
    }
    const active = await this.sessions.findActive(sessionId);
    if (!active || active.userId !== userId) return undefined;
    const principal: Principal = { userId: active.userId, sessionId };
    await this.cache.add(sessionKey(sessionId), JSON.stringify(principal), this.ttl());
    return principal;
  }

  async end(sessionId: string, reason: string): Promise<void> {
    await this.sessions.revoke(sessionId, reason);
    await this.markEnded([sessionId]);
  }

  async endAllOf(userId: number, reason: string, exceptSessionId?: string): Promise<void> {
    await this.markEnded(await this.sessions.revokeAllOf(userId, reason, exceptSessionId));
  }

  /** Every session id of a user, for callers about to delete the user (rows go by cascade). */
  idsOf(userId: number): Promise<string[]> {
    return this.sessions.idsOf(userId);
  }

  async markEnded(sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.cache.set(sessionKey(id), ENDED, this.ttl())));
  }

  private ttl(): number {
    return this.options.sessionCacheTtlSeconds;
  }
}
