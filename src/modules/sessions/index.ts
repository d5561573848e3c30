export { AccessTokens, invalidAccessToken, keyId, type AccessTokenOptions } from './access-tokens';
export { SessionService } from './session-service';
export type { TokenPair } from './token-pair';
export { createSessionsModule } from './sessions-module';
