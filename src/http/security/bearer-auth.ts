import { invalidAccessToken } from '../../modules/sessions';
import type { Principal } from '../../kernel/principal';
import { AppError } from '../../platform/app-error';

/** Turns a request's `Authorization` header into the caller, or throws a 401 AppError. */
export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

/** The token of `Authorization: Bearer <token>` (scheme in any letter case), if it has that form. */
export function bearerToken(authorization: string): string | undefined {
  const match = /(\S+)\s+(\S+)/.exec(authorization);
  return match && match[1]?.toLowerCase() === 'bearer' ? match[2] : undefined;
}

/** HTTP's part of authentication: find the token; what it is worth is the session's decision. */
export function createBearerAuth(
  authenticate: (token: string) => Promise<Principal>,
): Authenticate {
  return async (authorization) => {
    if (!authorization) {
      throw new AppError(
        'unauthorized',
        'Send an access token as "Authorization: Bearer <token>".',
      );
    }
    const token = bearerToken(authorization);
    if (!token) throw invalidAccessToken('The access token is not valid.');
    return authenticate(token);
  };
}
