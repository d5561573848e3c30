import type { components } from '../../../generated/openapi';
import type { TokenPair } from '../../modules/sessions';

export function presentTokenPair(pair: TokenPair): components['schemas']['TokenPair'] {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: 'bearer',
    expires_in: pair.expiresIn,
  };
}

/** RFC 6749 §5.1: token responses must not be stored. */
export const TOKEN_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
