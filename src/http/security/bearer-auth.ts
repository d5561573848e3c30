import { invalidAccessToken } from '../../modules/sessions';
import type { Principal } from '../../kernel/principal';
import { AppError } from '../app-error';

/**
 * A verified access token: the caller it names, and the check that its session is still live,
 * already running (it rejects with a 401 AppError). Nothing may be answered before it resolves.
 */
export interface Authentication {
  principal: Principal;
  live: Promise<Principal>;
}

/** Turns a request's `Authorization` header into the caller, or throws a 401 AppError. */
export type Authenticate = (authorization: string | undefined) => Authentication;

/** The token of `Authorization: Bearer <token>` (scheme in any letter case), if it has that form. */
export function bearerToken(authorization: string): string | undefined {
  const match = /(\S+)\s+(\S+)/.exec(authorization);
  return match && match[1]?.toLowerCase() === 'bearer' ? match[2] : undefined;
}

/** HTTP's part of authentication: find the token; what it is worth is the session's decision. */
export function createBearerAuth(check: (token: string) => Authentication): Authenticate {
  return (authorization) => {
    if (!authorization) {
      throw new AppError(
        'unauthorized',
        'Send an access token as "Authorization: Bearer <token>".',
      );
    }
    const token = bearerToken(authorization);
    if (!token) throw invalidAccessToken('The access token is not valid.');
    return check(token);
  };
}
