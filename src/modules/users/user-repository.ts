import type { Knex } from 'knex';
import { raw, UniqueViolationError } from 'objection';
import { DomainError } from '../../kernel/domain-error';
import { emailKey } from './email-address';
import { UserModel } from './user-model';
import type { NewUser, User, UserWithSecret } from './user-types';

export const emailTakenError = () =>
  new DomainError('email-taken', 'An account with this e-mail already exists.');

/** Users table access. Objection stays in here; callers get plain objects. */
export class UserRepository {
  private readonly Users: typeof UserModel;

  constructor(private readonly knex: Knex) {
    this.Users = UserModel.bindKnex(knex);
  }

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(work);
  }

  async create(user: NewUser): Promise<User> {
    try {
      const row = await this.Users.query().insertAndFetch({
        email: user.email,
        email_key: emailKey(user.email),
        name: user.name,
        password_hash: user.passwordHash,
      });
      return toUser(row);
    } catch (error) {
      if (error instanceof UniqueViolationError) {
        throw emailTakenError();
      }
      throw error;
    }
  }

  async findById(id: number): Promise<User | undefined> {
    const row = await this.Users.query().findById(id);
    return row && toUser(row);
  }

  async findWithSecretById(id: number): Promise<UserWithSecret | undefined> {
    const row = await this.Users.query().findById(id);
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.byEmail(email);
    return row && toUser(row);
  }

  async findWithSecretByEmail(email: string): Promise<UserWithSecret | undefined> {
    const row = await this.byEmail(email);
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  /** Whether an account holds this address (in any spelling that normalises the same). */
  async emailTaken(email: string): Promise<boolean> {
    const row = await this.knex('users')
      .where({ email_key: emailKey(email) })
      .first('id');
    return row !== undefined;
  }

  /** Keyset page in id order: stable while rows are inserted between fetches. */
  async listAfter(afterId: number, limit: number): Promise<User[]> {
    const rows = await this.Users.query().where('id', '>', afterId).orderBy('id').limit(limit);
    return rows.map(toUser);
  }

  async update(
    id: number,
    changes: { name?: string; passwordHash?: string },
    trx?: Knex.Transaction,
  ): Promise<User | undefined> {
    const patch: Partial<UserModel> = {};
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.passwordHash !== undefined) patch.password_hash = changes.passwordHash;
    const row = await this.Users.query(trx).patchAndFetchById(id, {
      ...patch,
      updated_at: raw('now()') as unknown as Date,
    });
    return row && toUser(row);
  }

  async markEmailVerified(id: number): Promise<void> {
    await this.Users.query()
      .findById(id)
      .patch({ email_verified: true, updated_at: raw('now()') as unknown as Date });
  }

  async setRole(id: number, role: User['role']): Promise<User | undefined> {
    const row = await this.Users.query().patchAndFetchById(id, {
      role,
      updated_at: raw('now()') as unknown as Date,
    });
    return row && toUser(row);
  }

  /**
   * Deletes the user, and their posts by cascade; returns those posts' ids so their cache entries
   * can be invalidated. The user row is locked first, so no post of theirs lands in between.
   */
  async deleteWithPostIds(id: number): Promise<number[]> {
    return this.knex.transaction(async (trx) => {
      await trx('users').where({ id }).forUpdate().select('id');
      const postIds: number[] = await trx('posts').where({ author_id: id }).pluck('id');
      await this.Users.query(trx).deleteById(id);
      return postIds;
    });
  }

  private byEmail(email: string) {
    return this.Users.query()
      .where({ email_key: emailKey(email) })
      .first();
  }
}

function toUser(row: UserModel): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    emailVerified: row.email_verified,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
