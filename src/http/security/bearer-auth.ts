import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { Principal } from '../../modules/auth/auth-types';
import type { SessionService } from '../../modules/auth/session-service';
import { ACCESS_TOKEN_ALGORITHM, type TokenIssuer } from '../../modules/auth/token-issuer';
import { AppError } from '../../platform/app-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_ID = /^[1-9][0-9]{0,15}$/;

interface AccessPayload {
  sub?: unknown;
  sid?: unknown;
}

export type Authenticate = (req: Request, res: Response) => Promise<Principal>;

/**
 * passport-jwt with a pinned algorithm, issuer and audience; a token only authenticates while its
 * session is live (checked through the cache, falling back to the database).
 */
export function createBearerAuth(tokens: TokenIssuer, sessions: SessionService): Authenticate {
  const passport = new Passport();
  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: (_req, _token, done) => done(null, tokens.key as unknown as string),
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: tokens.options.issuer,
        audience: tokens.options.audience,
        jsonWebTokenOptions: { clockTolerance: 5 },
      },
      (
        payload: AccessPayload,
        done: (error: unknown, user?: Principal | false, info?: unknown) => void,
      ) => {
        if (
          typeof payload.sub !== 'string' ||
          !USER_ID.test(payload.sub) ||
          typeof payload.sid !== 'string' ||
          !UUID.test(payload.sid)
        ) {
          done(null, false, new Error('The access token is not one this API issued.'));
          return;
        }
        sessions
          .resolve(payload.sid, Number(payload.sub))
          .then((principal) =>
            done(
              null,
              principal ?? false,
              principal ? undefined : new Error('The session has ended.'),
            ),
          )
          .catch((error: unknown) => done(error));
      },
    ),
  );

  // Both security schemes of an operation run this; authenticate each request once.
  const results = new WeakMap<Request, Promise<Principal>>();
  return (req, res) => {
    let result = results.get(req);
    if (!result) {
      result = new Promise<Principal>((resolve, reject) => {
        passport.authenticate(
          'jwt',
          { session: false },
          (error: unknown, principal: Principal | false, info: unknown) => {
            if (error) reject(error);
            else if (principal) resolve(principal);
            else reject(unauthorized(req, info));
          },
        )(req, res, reject);
      });
      results.set(req, result);
    }
    return result;
  };
}

function unauthorized(req: Request, info: unknown): AppError {
  if (!req.headers.authorization) {
    return new AppError(
      'unauthorized',
      'Send an access token as "Authorization: Bearer <token>".',
      {
        headers: { 'WWW-Authenticate': 'Bearer realm="inkwell"' },
      },
    );
  }
  const name = info instanceof Error ? info.name : '';
  const detail =
    name === 'TokenExpiredError'
      ? 'The access token has expired.'
      : info instanceof Error && !name.includes('Token') && info.message.startsWith('The ')
        ? info.message
        : 'The access token is not valid.';
  return new AppError('unauthorized', detail, {
    headers: {
      'WWW-Authenticate': `Bearer realm="inkwell", error="invalid_token", error_description="${detail}"`,
    },
  });
}
