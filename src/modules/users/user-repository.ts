import type { Knex } from 'knex';
import { DomainError } from '../../kernel/domain-error';
import { isUniqueViolation } from '../../platform/database/pg-errors';
import { PreparedStatement } from '../../platform/database/prepared-statement';
import { batchedById } from '../../platform/database/turn-batch';
import { emailKey } from './email-address';
import type { NewUser, User, UserWithSecret } from './user-types';

export const emailTakenError = () =>
  new DomainError('email-taken', 'An account with this e-mail already exists.');

/** A row of the users table. */
interface UserRow {
  id: number;
  email: string;
  email_key: string;
  name: string;
  password_hash: string;
  role: 'user' | 'admin';
  email_verified: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = [
  'id',
  'email',
  'email_key',
  'name',
  'password_hash',
  'role',
  'email_verified',
  'created_at',
  'updated_at',
] as const satisfies (keyof UserRow)[];

/**
 * Users table access with knex query builders; callers get plain objects. Reading a user by id,
 * on every uncached profile read and role check, is built once and runs prepared.
 */
export class UserRepository {
  /** Reads by id of one turn of the event loop, as one statement. */
  private readonly byId;

  constructor(private readonly knex: Knex) {
    const byIds = new PreparedStatement<{ ids: number[] }, UserRow>(knex, 'users.by-ids', (p) =>
      knex('users').select(COLUMNS).whereRaw('id = any(?::bigint[])', [p.ids]),
    );
    this.byId = batchedById(byIds);
  }

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(work);
  }

  async create(user: NewUser): Promise<User> {
    try {
      const [row] = await this.knex<UserRow>('users')
        .insert({
          email: user.email,
          email_key: emailKey(user.email),
          name: user.name,
          password_hash: user.passwordHash,
        })
        .returning('*');
      return toUser(row as UserRow);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTakenError();
      throw error;
    }
  }

  async findById(id: number): Promise<User | undefined> {
    const row = await this.byId.load(id);
    return row && toUser(row);
  }

  async findWithSecretById(id: number): Promise<UserWithSecret | undefined> {
    const row = await this.byId.load(id);
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
    const rows = await this.knex<UserRow>('users')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
    return rows.map(toUser);
  }

  async update(
    id: number,
    changes: { name?: string; passwordHash?: string },
    trx: Knex = this.knex,
  ): Promise<User | undefined> {
    const patch: Partial<UserRow> = {};
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.passwordHash !== undefined) patch.password_hash = changes.passwordHash;
    return this.patch(id, patch, trx);
  }

  async markEmailVerified(id: number): Promise<void> {
    await this.patch(id, { email_verified: true });
  }

  setRole(id: number, role: User['role']): Promise<User | undefined> {
    return this.patch(id, { role });
  }

  /**
   * Deletes the user, and their posts by cascade; returns those posts' ids so their cache entries
   * can be invalidated. The user row is locked first, so no post of theirs lands in between.
   */
  async deleteWithPostIds(id: number): Promise<number[]> {
    return this.knex.transaction(async (trx) => {
      await trx('users').where({ id }).forUpdate().select('id');
      const postIds: number[] = await trx('posts').where({ author_id: id }).pluck('id');
      await trx('users').where({ id }).delete();
      return postIds;
    });
  }

  private async patch(
    id: number,
    patch: Partial<UserRow>,
    trx: Knex = this.knex,
  ): Promise<User | undefined> {
    const [row] = await trx<UserRow>('users')
      .where({ id })
      .update({ ...patch, updated_at: trx.fn.now() as unknown as Date })
      .returning('*');
    return row && toUser(row as UserRow);
  }

  private byEmail(email: string) {
    return this.knex<UserRow>('users')
      .where({ email_key: emailKey(email) })
      .first();
  }
}

function toUser(row: UserRow): User {
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
