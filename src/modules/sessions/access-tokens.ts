import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DomainError } from '../../kernel/domain-error';

const ALGORITHM = 'HS256' as const;
const USER_ID = /^[1-9][0-9]{0,15}$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AccessTokenOptions {
  /** Signs new tokens. */
  secret: string;
  /** Earlier secrets: tokens they signed still verify until they expire. */
  previousSecrets: readonly string[];
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

/** Names a key in a token's header without revealing anything about it. */
export function keyId(secret: string): string {
  return createHash('sha256')
    .update(`inkwell-kid:${secret}`, 'utf8')
    .digest('base64url')
    .slice(0, 12);
}

/** A refused access token; http renders it as 401 with an RFC 6750 `invalid_token` challenge. */
export const invalidAccessToken = (detail: string) =>
  new DomainError('unauthorized', detail, { refusal: 'invalid_token' });

/**
 * Signs and verifies access JWTs: one algorithm, issuer and audience on both sides. The secret is a
 * KeyObject: with a plain string, jsonwebtoken first tries it as a public key and throws, which
 * costs ~50x more per verification.
 */
export class AccessTokens {
  readonly key: KeyObject;
  private readonly kid: string;
  /** Every key that verifies, by kid, built once. */
  private readonly keys: ReadonlyMap<string, KeyObject>;
  private readonly maxAgeSeconds: number;

  constructor(readonly options: AccessTokenOptions) {
    const keyOf = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));
    this.key = keyOf(options.secret);
    this.kid = keyId(options.secret);
    this.keys = new Map([
      ...options.previousSecrets.map((secret) => [keyId(secret), keyOf(secret)] as const),
      [this.kid, this.key],
    ]);
    this.maxAgeSeconds = options.ttlSeconds + options.clockToleranceSeconds;
  }

  sign(claims: AccessClaims): { token: string; expiresIn: number } {
    const token = jwt.sign({ sid: claims.sessionId }, this.key, {
      algorithm: ALGORITHM,
      subject: String(claims.userId),
      issuer: this.options.issuer,
      audience: this.options.audience,
      expiresIn: this.options.ttlSeconds,
      header: { alg: ALGORITHM, typ: 'at+jwt', kid: this.kid },
    });
    return { token, expiresIn: this.options.ttlSeconds };
  }

  /** The claims of a token this API signed and that has not expired; throws invalidAccessToken. */
  verify(token: string): AccessClaims {
    const key = this.keyFor(token);
    if (!key) throw invalidAccessToken('The access token is not valid.');
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
        // Refuses a token issued longer ago than any this API issues are valid (needs iat).
        maxAge: this.maxAgeSeconds,
      });
    } catch (error) {
      throw invalidAccessToken(
        error instanceof jwt.TokenExpiredError
          ? 'The access token has expired.'
          : 'The access token is not valid.',
      );
    }
    const { sub, sid, exp, iat } = typeof payload === 'object' ? payload : {};
    // Every token this API signs expires and says when it was issued, never in the future.
    const latestIssue = Date.now() / 1000 + this.options.clockToleranceSeconds;
    if (typeof exp !== 'number' || typeof iat !== 'number' || iat > latestIssue) {
      throw invalidAccessToken('The access token is not one this API issued.');
    }
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

  /**
   * The key named by the token's `kid`; a token without one (signed before keys had ids) can
   * only be checked against the current key. Reads the header alone: no signature is trusted yet.
   */
  private keyFor(token: string): KeyObject | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const kid = (header as { kid?: unknown } | null)?.kid;
    if (kid === undefined) return this.key;
    return typeof kid === 'string' ? this.keys.get(kid) : undefined;
  }
}
