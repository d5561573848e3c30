import type { Principal } from '../../kernel/principal';
import { DomainError } from '../../kernel/domain-error';
import type { SessionService, TokenPair } from '../sessions';
import type { UserCredentials } from '../users';
import { reserveAll, type AttemptLimiter } from '../../platform/attempt-limiter';
import { emailKey } from '../users';

const invalidCredentials = () =>
  new DomainError('invalid-credentials', 'The e-mail or the password is wrong.');

export interface AuthServiceDeps {
  credentials: UserCredentials;
  sessions: SessionService;
  /** Failed logins per account (by its normalised e-mail) and per client address. */
  limits: { account: AttemptLimiter; address: AttemptLimiter };
}

/** Login, refresh-token rotation and logout: the token endpoints. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /**
   * Each guess is counted before bcrypt runs, against the account (whatever the spelling of its
   * e-mail) and against the client address, and given back only when the password was right.
   */
  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const { limits } = this.deps;
    const attempt = await reserveAll([
      [limits.address, clientAddress],
      [limits.account, emailKey(email)],
    ]);
    let user: Awaited<ReturnType<UserCredentials['check']>>;
    try {
      user = await this.deps.credentials.check(email, password, clientAddress);
    } catch (error) {
      await attempt.refund();
      throw error;
    }
    if (!user) throw invalidCredentials();
    await attempt.refund();
    return this.deps.sessions.start(user.id);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.deps.sessions.refresh(refreshToken);
  }

  logout(principal: Principal): Promise<void> {
    return this.deps.sessions.end(principal.sessionId, 'logout');
  }
}
