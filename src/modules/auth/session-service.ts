import { randomUUID } from 'node:crypto';
import type { Cache } from '../../platform/cache/cache';
import type { Principal, TokenPair } from './auth-types';
import type { SessionRepository } from './session-repository';
import { newRefreshToken, type TokenIssuer } from './token-issuer';

export interface SessionServiceOptions {
  refreshTokenTtlSeconds: number;
  sessionCacheTtlSeconds: number;
}

const sessionKey = (sessionId: string) => `v1:session:${sessionId}`;

/**
 * Session lifecycle and the per-request revocation check. The check reads through the shared cache
 * and falls back to the database; revocation writes the database first, then drops the cache entry,
 * so every API process sees a revoked session on its next request.
 */
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: TokenIssuer,
    private readonly cache: Cache,
    private readonly options: SessionServiceOptions,
  ) {}

  async start(userId: number, role: Principal['role']): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refresh = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.options.refreshTokenTtlSeconds * 1000);
    await this.sessions.create({ sessionId, userId, expiresAt, refreshHash: refresh.hash });
    return this.pair({ userId, sessionId, role }, refresh.token);
  }

  pair(principal: Principal, refreshToken: string): TokenPair {
    const access = this.tokens.signAccess({
      sub: String(principal.userId),
      sid: principal.sessionId,
      role: principal.role,
    });
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }

  /** The principal for a verified access token, or undefined when its session has ended. */
  async resolve(sessionId: string, userId: number): Promise<Principal | undefined> {
    const cached = await this.cache.get(sessionKey(sessionId));
    if (cached !== null) {
      const principal = JSON.parse(cached) as Principal;
      return principal.userId === userId ? principal : undefined;
    }
    const active = await this.sessions.findActive(sessionId);
    if (!active || active.userId !== userId) return undefined;
    const principal: Principal = { userId: active.userId, sessionId, role: active.role };
    await this.cache.set(
      sessionKey(sessionId),
      JSON.stringify(principal),
      this.options.sessionCacheTtlSeconds,
    );
    return principal;
  }

  async end(sessionId: string, reason: string): Promise<void> {
    await this.sessions.revoke(sessionId, reason);
    await this.cache.del(sessionKey(sessionId));
  }

  async endAllOf(userId: number, reason: string, exceptSessionId?: string): Promise<void> {
    const ended = await this.sessions.revokeAllOf(userId, reason, exceptSessionId);
    await this.cache.del(...ended.map(sessionKey));
  }

  /** For account deletion: the rows disappear by cascade, so forget their cache entries by id. */
  async forgetAllOf(userId: number): Promise<string[]> {
    const ids = await this.sessions.idsOf(userId);
    await this.cache.del(...ids.map(sessionKey));
    return ids;
  }

  async forgetIds(sessionIds: string[]): Promise<void> {
    await this.cache.del(...sessionIds.map(sessionKey));
  }
}
