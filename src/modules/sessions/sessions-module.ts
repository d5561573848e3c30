import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { AccessTokens } from './access-tokens';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';

/** Clock skew between API processes that an access token's time claims may have. */
const ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS = 5;

export interface SessionsPlatform {
  knex: Knex;
  cache: Cache;
}

export interface SessionsSettings {
  /** Signs new access tokens (HS256); tokens of the previous secrets still verify. */
  jwtSecret: string;
  jwtPreviousSecrets: readonly string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long a "session is live" answer may come from the cache. */
  sessionCacheTtlSeconds: number;
}

export function createSessionsModule(platform: SessionsPlatform, settings: SessionsSettings) {
  const accessTokens = new AccessTokens({
    secret: settings.jwtSecret,
    previousSecrets: settings.jwtPreviousSecrets,
    issuer: settings.issuer,
    audience: settings.audience,
    ttlSeconds: settings.accessTokenTtlSeconds,
    clockToleranceSeconds: ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS,
  });
  const sessions = new SessionService({
    sessions: new SessionRepository(platform.knex),
    tokens: accessTokens,
    cache: platform.cache,
    refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
    sessionCacheTtlSeconds: settings.sessionCacheTtlSeconds,
  });
  return { accessTokens, sessions };
}
