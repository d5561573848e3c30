import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import {
  Strategy as JwtStrategy,
  type SecretOrKeyProvider,
  type VerifiedCallback,
} from 'passport-jwt';
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
 * One verification as passport runs a strategy: an object whose prototype is the strategy, given
 * the three functions the strategy reports through. Nothing else of passport is used.
 */
interface StrategyRun {
  authenticate(token: string): void;
  success(claims: AccessClaims): void;
  fail(challenge: unknown): void;
  error(error: unknown): void;
}

/** Tokens whose verification is remembered, at most: a few MB for as many active clients. */
const REMEMBERED_TOKENS = 5_000;

interface RememberedToken {
  claims: AccessClaims;
  validUntilMs: number;
}

/** The key passport-jwt's provider hands on: jsonwebtoken takes a KeyObject (its types say less). */
type KeyDone = (error: Error | null, key?: KeyObject) => void;

/**
 * Signs access JWTs with jsonwebtoken and verifies them with passport-jwt's strategy, built once,
 * with the same algorithm, issuer and audience on both sides. The secret is a KeyObject: with a
 * plain string, jsonwebtoken first tries it as a public key and throws, which costs ~50x more per
 * verification.
 */
export class AccessTokens {
  readonly key: KeyObject;
  private readonly kid: string;
  /** Every key that verifies, by kid, built once. */
  private readonly keys: ReadonlyMap<string, KeyObject>;
  private readonly strategy: JwtStrategy;
  /**
   * Tokens that verified, with their claims, until the moment they stop verifying (expiry or the
   * oldest issue this API accepts, whichever comes first). A token is text signed with a key this
   * process holds for its lifetime, so its signature and claims cannot change: verifying it again
   * could only give the same answer until then.
   */
  private readonly verified = new LRUCache<string, RememberedToken>({ max: REMEMBERED_TOKENS });
  /** Set by the strategy's verify callback: until when the token being verified is valid. */
  private validUntilMs = 0;

  constructor(readonly options: AccessTokenOptions) {
    const keyOf = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));
    this.key = keyOf(options.secret);
    this.kid = keyId(options.secret);
    this.keys = new Map([
      ...options.previousSecrets.map((secret) => [keyId(secret), keyOf(secret)] as const),
      [this.kid, this.key],
    ]);
    // Answers at once (no I/O), so the strategy decides before `authenticate` returns.
    const keyProvider = (_token: string, rawToken: string, done: KeyDone) => {
      const key = this.keyFor(rawToken);
      if (key) done(null, key);
      else done(new Error('The token names no key of this API.'));
    };
    this.strategy = new JwtStrategy(
      {
        // verify() hands the strategy the token itself where passport would hand it a request.
        jwtFromRequest: (token: string) => token,
        secretOrKeyProvider: keyProvider as SecretOrKeyProvider,
        // passport-jwt lets these three override jsonWebTokenOptions, even when left undefined.
        algorithms: [ALGORITHM],
        issuer: options.issuer,
        audience: options.audience,
        jsonWebTokenOptions: {
          clockTolerance: options.clockToleranceSeconds,
          // Refuses a token issued longer ago than any this API issues are valid (needs iat).
          maxAge: options.ttlSeconds + options.clockToleranceSeconds,
        },
      },
      (payload: unknown, done: VerifiedCallback) => this.claimsOf(payload, done),
    );
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

  /**
   * The claims of a token this API signed and that has not expired; throws invalidAccessToken.
   * Runs the strategy the way passport does, on an object made from it per verification. With a
   * key provider that answers at once, passport-jwt's `authenticate` and jsonwebtoken's `verify`
   * call back before returning, so this stays synchronous.
   */
  verify(token: string): AccessClaims {
    const remembered = this.verified.get(token);
    if (remembered && Date.now() < remembered.validUntilMs) return remembered.claims;
    let claims: AccessClaims | undefined;
    let refusal: unknown;
    const run = Object.create(this.strategy) as StrategyRun;
    run.success = (verified) => {
      claims = verified;
    };
    run.fail = (challenge) => {
      refusal = refusalOf(challenge);
    };
    // The strategy's verify callback threw: a fault of this API, not of the token.
    run.error = (error) => {
      refusal = error;
    };
    run.authenticate(token);
    if (claims) {
      this.verified.set(token, { claims, validUntilMs: this.validUntilMs });
      return claims;
    }
    throw refusal ?? new Error('passport-jwt did not decide before returning.');
  }

  /** The strategy's verify callback: the claims of a token whose signature and times are sound. */
  private claimsOf(payload: unknown, done: VerifiedCallback): void {
    const { sub, sid, exp, iat } =
      typeof payload === 'object' && payload !== null ? (payload as jwt.JwtPayload) : {};
    // Every token this API signs expires and says when it was issued, never in the future.
    const latestIssue = Date.now() / 1000 + this.options.clockToleranceSeconds;
    if (typeof exp !== 'number' || typeof iat !== 'number' || iat > latestIssue) {
      return done(null, false, invalidAccessToken('The access token is not one this API issued.'));
    }
    if (
      typeof sub !== 'string' ||
      !USER_ID.test(sub) ||
      typeof sid !== 'string' ||
      !SESSION_ID.test(sid)
    ) {
      return done(null, false, invalidAccessToken('The access token is not one this API issued.'));
    }
    // As jsonwebtoken decides: expired at `exp`, too old at `iat + maxAge`, each with the tolerance.
    const { ttlSeconds, clockToleranceSeconds } = this.options;
    this.validUntilMs =
      (Math.min(exp, iat + ttlSeconds + clockToleranceSeconds) + clockToleranceSeconds) * 1000;
    done(null, { userId: Number(sub), sessionId: sid } satisfies AccessClaims);
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

/**
 * What a failed verification tells the caller: the claims check's own refusal, or jsonwebtoken's
 * error (matched by name: passport-jwt may load its own copy of jsonwebtoken), or the key
 * provider's or a missing token's.
 */
function refusalOf(challenge: unknown): DomainError {
  if (challenge instanceof DomainError) return challenge;
  return invalidAccessToken(
    challenge instanceof Error && challenge.name === 'TokenExpiredError'
      ? 'The access token has expired.'
      : 'The access token is not valid.',
  );
}
