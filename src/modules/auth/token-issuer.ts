import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessClaims } from './auth-types';

export const ACCESS_TOKEN_ALGORITHM = 'HS256' as const;

export interface TokenIssuerOptions {
  secret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

/**
 * Signs access JWTs. The secret is a KeyObject: with a plain string, jsonwebtoken first tries it as
 * a public key and throws, which costs ~50x more per verification.
 */
export class TokenIssuer {
  readonly key: KeyObject;

  constructor(readonly options: TokenIssuerOptions) {
    this.key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  signAccess(claims: AccessClaims): { token: string; expiresIn: number } {
    const token = jwt.sign({ sid: claims.sid, role: claims.role }, this.key, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      subject: claims.sub,
      issuer: this.options.issuer,
      audience: this.options.audience,
      expiresIn: this.options.accessTokenTtlSeconds,
      header: { alg: ACCESS_TOKEN_ALGORITHM, typ: 'at+jwt' },
    });
    return { token, expiresIn: this.options.accessTokenTtlSeconds };
  }
}

/** Refresh and e-mailed tokens are opaque random strings; only their SHA-256 is stored. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
