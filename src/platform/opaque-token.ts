import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Refresh and e-mailed tokens are opaque random strings; only their SHA-256 is stored. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A token derived from a random `seed` with a secret `key`: the same seed gives the same token, so
 * the seed can be stored where the token must not be (the token is worthless without the key).
 */
export function derivedOpaqueToken(key: string, seed: string): { token: string; hash: string } {
  const token = createHmac('sha256', key)
    .update(`opaque-token:${seed}`, 'utf8')
    .digest('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

/** A new random seed for derivedOpaqueToken. */
export const newTokenSeed = () => randomBytes(32).toString('base64url');
