import { randomUUID } from 'node:crypto';
import type { Principal } from '../../kernel/principal';
import { DomainError } from '../../kernel/domain-error';
import type { Cache } from '../../platform/cache/cache';
import { hashOpaqueToken, newOpaqueToken } from '../../platform/opaque-token';
import { invalidAccessToken, type AccessTokens } from './access-tokens';
import type { SessionRepository } from './session-repository';
import type { TokenPair } from './token-pair';

export interface SessionServiceDeps {
  sessions: SessionRepository;
  tokens: AccessTokens;
  cache: Cache;
  refreshTokenTtlSeconds: number;
  sessionCacheTtlSeconds: number;
}

const sessionKey = (sessionId: string) => `v1:session:${sessionId}`;
const ENDED = 'ended';

const invalidRefresh = (detail: string) =>
  new DomainError('invalid-credentials', detail, { refusal: 'invalid_grant' });

/**
 * Session lifecycle: start, refresh-token rotation with reuse detection, end, and the per-request
 * revocation check, which reads through the shared cache and
 * falls back to the database. Ending a session writes the database, then a tombstone to the cache;
 * a live entry is only ever added when the key is absent (SET NX), so a check that read the
 * database just before the revocation cannot overwrite the tombstone with a stale "live".
 */
export class SessionService {
  private readonly sessions: SessionRepository;
  private readonly tokens: AccessTokens;
  private readonly cache: Cache;

  constructor(private readonly deps: SessionServiceDeps) {
    this.sessions = deps.sessions;
    this.tokens = deps.tokens;
    this.cache = deps.cache;
  }

  async start(userId: number): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refresh = newOpaqueToken();
    const expiresAt = new Date(Date.now() + this.deps.refreshTokenTtlSeconds * 1000);
    await this.sessions.create({ sessionId, userId, expiresAt, refreshHash: refresh.hash });
    return this.pair({ userId, sessionId }, refresh.token);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const record = await this.sessions.findRefreshToken(hashOpaqueToken(refreshToken));
    if (!record) throw invalidRefresh('The refresh token is not valid.');
    if (!record.sessionActive) throw invalidRefresh('The session of this refresh token has ended.');
    const next = newOpaqueToken();
    const rotated =
      record.usedAt === null &&
      (await this.sessions.rotate(record.id, record.sessionId, next.hash));
    if (!rotated) {
      // A used token came back: someone holds a copy. End the whole session for both holders.
      await this.end(record.sessionId, 'refresh-token-reuse');
      throw invalidRefresh('The refresh token was already used; the session has been ended.');
    }
    return this.pair({ userId: record.userId, sessionId: record.sessionId }, next.token);
  }

  private pair(principal: Principal, refreshToken: string): TokenPair {
    const access = this.tokens.sign(principal);
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }

  /**
   * Verifies an access token at once (throws invalidAccessToken) and starts the check that its
   * session is live. A read may start on `principal` while `live` runs, so that its own cache read
   * shares the round trip; nothing may be answered before `live` resolves (it rejects with
   * invalidAccessToken when the session has ended).
   */
  check(accessToken: string): { principal: Principal; live: Promise<Principal> } {
    const claims = this.tokens.verify(accessToken);
    const live = this.resolve(claims.sessionId, claims.userId).then((principal) => {
      if (!principal) throw invalidAccessToken('The session has ended.');
      return principal;
    });
    // Awaited by whoever answers; a request that fails earlier must not leave it unhandled.
    live.catch(() => undefined);
    return { principal: { userId: claims.userId, sessionId: claims.sessionId }, live };
  }

  /**
   * The principal of a verified access token, or undefined when its session has ended. A live
   * session is cached as its user's id (entries of earlier versions hold the principal as JSON).
   */
  private async resolve(sessionId: string, userId: number): Promise<Principal | undefined> {
    const cached = await this.cache.get(sessionKey(sessionId));
    if (cached === ENDED) return undefined;
    if (cached !== null) {
      const cachedUser = cached.startsWith('{')
        ? (JSON.parse(cached) as Principal).userId
        : Number(cached);
      return cachedUser === userId ? { userId, sessionId } : undefined;
    }
    const active = await this.sessions.findActive(sessionId);
    if (!active || active.userId !== userId) return undefined;
    await this.cache.add(sessionKey(sessionId), String(userId), this.ttl());
    return { userId, sessionId };
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
    return this.deps.sessionCacheTtlSeconds;
  }
}
