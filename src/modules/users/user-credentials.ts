import type { Knex } from 'knex';
import type { UserId } from '../../kernel/ids';
import type { EntityCache } from '../../platform/cache/entity-cache';
import type { PasswordHasher } from './password-hasher';
import type { UserRepository } from './user-repository';
import type { User } from './user-types';

export interface UserCredentialsDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  cache: EntityCache<User>;
}

/** What other modules may do with a user's credentials: check them, replace the password. */
export class UserCredentials {
  constructor(private readonly deps: UserCredentialsDeps) {}

  /**
   * The user whose e-mail and password these are; one bcrypt comparison whether or not.
   * `client` names who asks, for the hasher's share per client.
   */
  async check(email: string, password: string, client: string): Promise<User | undefined> {
    const user = await this.deps.users.findWithSecretByEmail(email);
    const valid = await this.deps.hasher.verify(password, user?.passwordHash, client);
    if (!user || !valid) return undefined;
    const { passwordHash: _secret, ...rest } = user;
    return rest;
  }

  async markEmailVerified(id: UserId): Promise<void> {
    await this.deps.users.markEmailVerified(id);
    await this.deps.cache.invalidate(id);
  }

  /**
   * Sets the password hash of the user `claim` names (e.g. by spending a reset token), in the
   * claim's transaction: both happen or neither. Returns that user.
   */
  async setPasswordHashWith(
    passwordHash: string,
    claim: (trx: Knex.Transaction) => Promise<UserId>,
  ): Promise<UserId> {
    const userId = await this.deps.users.transaction(async (trx) => {
      const owner = await claim(trx);
      await this.deps.users.update(owner, { passwordHash }, trx);
      return owner;
    });
    await this.deps.cache.invalidate(userId);
    return userId;
  }
}
