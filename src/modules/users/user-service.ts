import { AppError } from '../../platform/app-error';
import { decodeCursor, encodeCursor } from '../../platform/cursor';
import type { Principal } from '../auth/auth-types';
import type { PasswordHasher } from '../auth/password-hasher';
import type { SessionService } from '../auth/session-service';
import type { UserRepository } from './user-repository';
import type { Page, User } from './user-types';

export interface Registration {
  email: string;
  password: string;
  name: string;
}

export interface ProfileChanges {
  name?: string;
  password?: string;
  currentPassword?: string;
}

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
  ) {}

  async register(input: Registration): Promise<User> {
    const name = input.name.trim();
    this.hasher.assertAcceptable(input.password, '/password');
    const passwordHash = await this.hasher.hash(input.password);
    return this.users.create({ email: input.email.trim(), name, passwordHash });
  }

  async get(id: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new AppError('not-found', `There is no user ${id}.`);
    return user;
  }

  async list(limit: number, cursor: string | undefined): Promise<Page<User>> {
    const afterId = cursor ? (decodeCursor(cursor, { id: 'number' }).id as number) : 0;
    const rows = await this.users.listAfter(afterId, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
    };
  }

  /** Changing the password needs the current one and ends every other session of the user. */
  async update(principal: Principal, changes: ProfileChanges): Promise<User> {
    const name = changes.name?.trim();
    if (changes.password !== undefined && changes.currentPassword === undefined) {
      throw AppError.invalid('body', '/current_password', 'is required to change the password');
    }
    if (changes.password !== undefined) this.hasher.assertAcceptable(changes.password, '/password');
    if (changes.currentPassword !== undefined) {
      // Checked whenever it is sent, so a client never mistakes a wrong password for a right one.
      const user = await this.users.findWithSecretById(principal.userId);
      if (!(await this.hasher.verify(changes.currentPassword, user?.passwordHash))) {
        throw new AppError('wrong-password', 'The current password is wrong.');
      }
    }
    const passwordHash =
      changes.password === undefined ? undefined : await this.hasher.hash(changes.password);
    const updated = await this.users.update(principal.userId, { name, passwordHash });
    if (!updated) throw new AppError('unauthorized', 'The account no longer exists.');
    if (passwordHash) {
      await this.sessions.endAllOf(principal.userId, 'password-change', principal.sessionId);
    }
    return updated;
  }

  async remove(principal: Principal): Promise<void> {
    // The session rows go with the user (cascade); their cache entries are marked ended by id.
    const sessionIds = await this.sessions.idsOf(principal.userId);
    await this.users.delete(principal.userId);
    await this.sessions.markEnded(sessionIds);
  }
}
