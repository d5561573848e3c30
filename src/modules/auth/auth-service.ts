import type { Principal } from '../../kernel/principal';
import { AppError } from '../../platform/app-error';
import type { SessionService, TokenPair } from '../sessions';
import type { UserCredentials } from '../users';
import type { AttemptLimiter } from './attempt-limiter';

const invalidCredentials = () =>
  new AppError('invalid-credentials', 'The e-mail or the password is wrong.');

export interface AuthServiceDeps {
  credentials: UserCredentials;
  sessions: SessionService;
  limiter: AttemptLimiter;
}

/** Login, refresh-token rotation and logout: the token endpoints. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const { limiter } = this.deps;
    const limitKey = `${email.trim().toLowerCase()}|${clientAddress}`;
    await limiter.assertAllowed(limitKey);
    const user = await this.deps.credentials.check(email.trim(), password);
    if (!user) {
      await limiter.record(limitKey);
      throw invalidCredentials();
    }
    await limiter.reset(limitKey);
    return this.deps.sessions.start(user.id);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.deps.sessions.refresh(refreshToken);
  }

  logout(principal: Principal): Promise<void> {
    return this.deps.sessions.end(principal.sessionId, 'logout');
  }
}
