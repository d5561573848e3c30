import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { AccessTokens, type AccessTokenOptions } from './access-tokens';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';

export interface SessionsModuleDeps {
  knex: Knex;
  cache: Cache;
  accessTokens: AccessTokenOptions;
  refreshTokenTtlSeconds: number;
  sessionCacheTtlSeconds: number;
}

export function createSessionsModule(deps: SessionsModuleDeps) {
  const accessTokens = new AccessTokens(deps.accessTokens);
  const sessions = new SessionService({
    sessions: new SessionRepository(deps.knex),
    tokens: accessTokens,
    cache: deps.cache,
    refreshTokenTtlSeconds: deps.refreshTokenTtlSeconds,
    sessionCacheTtlSeconds: deps.sessionCacheTtlSeconds,
  });
  return { accessTokens, sessions };
}
