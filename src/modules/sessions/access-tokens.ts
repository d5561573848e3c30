import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../../platform/app-error';

const ALGORITHM = 'HS256' as const;
const USER_ID = /^[1-9][0-9]{0,15}$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Clock skew between API processes that a token's time claims may have. */
  clockToleranceSeconds: number;
}

/** What an access token says: whose it is and the session it belongs to. */
export interface AccessClaims {
  userId: number;
  sessionId: string;
}

/** A refused access token; http renders it as 401 with an RFC 6750 `invalid_token` challenge. */
export const invalidAccessToken = (detail: string) =>
  new AppError('unauthorized', detail, { challenge: 'invalid_token' });

/**
 * Signs and verifies access JWTs: one algorithm, issuer and audience on both sides. The secret is a
 * KeyObject: with a plain string, jsonwebtoken first tries it as a public key and throws, which
 * costs ~50x more per verification.
 */
export class AccessTokens {
  readonly key: KeyObject;

  constructor(readonly options: AccessTokenOptions) {
    this.key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  sign(claims: AccessClaims): { token: string; expiresIn: number } {
    const token = jwt.sign({ sid: claims.sessionId }, this.key, {
      algorithm: ALGORITHM,
      subject: String(claims.userId),
      issuer: this.options.issuer,
      audience: this.options.audience,
      expiresIn: this.options.ttlSeconds,
      header: { alg: ALGORITHM, typ: 'at+jwt' },
    });
    return { token, expiresIn: this.options.ttlSeconds };
  }

  /** The claims of a token this API signed and that has not expired; throws invalidAccessToken. */
  verify(token: string): AccessClaims {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
      });
    } catch (error) {
      throw invalidAccessToken(
        error instanceof jwt.TokenExpiredError
          ? 'The access token has expired.'
          : 'The access token is not valid.',
      );
    }
    const { sub, sid } = typeof payload === 'object' ? payload : {};
    if (
      typeof sub !== 'string' ||
      !USER_ID.test(sub) ||
      typeof sid !== 'string' ||
      !SESSION_ID.test(sid)
    ) {
      throw invalidAccessToken('The access token is not one this API issued.');
    }
    return { userId: Number(sub), sessionId: sid };
  }
}
