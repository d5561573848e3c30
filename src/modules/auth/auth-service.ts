import { AppError } from '../../platform/app-error';
import type { UserRepository } from '../users/user-repository';
import type { Principal, TokenPair } from './auth-types';
import type { AttemptLimiter } from './attempt-limiter';
import type { PasswordHasher } from './password-hasher';
import type { SessionRepository } from './session-repository';
import type { SessionService } from './session-service';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token';

const invalidCredentials = () =>
  new AppError('invalid-credentials', 'The e-mail or the password is wrong.');

const invalidRefresh = (detail: string) =>
  new AppError('invalid-credentials', detail, { challenge: 'invalid_grant' });

/** Login, refresh-token rotation with reuse detection, and logout. */
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly sessionRepository: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AttemptLimiter,
  ) {}

  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const limitKey = `${email.trim().toLowerCase()}|${clientAddress}`;
    await this.limiter.assertAllowed(limitKey);
    const user = await this.users.findWithSecretByEmail(email.trim());
    const valid = await this.hasher.verify(password, user?.passwordHash);
    if (!user || !valid) {
      await this.limiter.record(limitKey);
      throw invalidCredentials();
    }
    await this.limiter.reset(limitKey);
    return this.sessions.start(user.id);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const record = await this.sessionRepository.findRefreshToken(hashOpaqueToken(refreshToken));
    if (!record) throw invalidRefresh('The refresh token is not valid.');
    if (!record.sessionActive) throw invalidRefresh('The session of this refresh token has ended.');
    const principal: Principal = { userId: record.userId, sessionId: record.sessionId };
    const next = newOpaqueToken();
    const rotated =
      record.usedAt === null &&
      (await this.sessionRepository.rotate(record.id, record.sessionId, next.hash));
    if (!rotated) {
      // A used token came back: someone holds a copy. End the whole session for both holders.
      await this.sessions.end(record.sessionId, 'refresh-token-reuse');
      throw invalidRefresh('The refresh token was already used; the session has been ended.');
    }
    return this.sessions.pair(principal, next.token);
  }

  logout(principal: Principal): Promise<void> {
    return this.sessions.end(principal.sessionId, 'logout');
  }
}
