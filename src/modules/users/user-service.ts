import type { UserId } from '../../kernel/ids';
import { decodeCursor, pageOf, type Page } from '../../kernel/page';
import type { Principal } from '../../kernel/principal';
import type { Role } from '../../kernel/role';
import { DomainError } from '../../kernel/domain-error';
import type { EntityCache } from '../../platform/cache/entity-cache';
import type { TaskQueue } from '../../kernel/task-queue';
import type { Logger } from '../../platform/logger';
import type { Post, PostService } from '../posts';
import type { SessionService } from '../sessions';
import { reserveAll, type AttemptLimiter } from '../../platform/attempt-limiter';
import type { PasswordHasher } from './password-hasher';
import { emailTakenError, type UserRepository } from './user-repository';
import type { User } from './user-types';

/** How many of each user's newest posts `include=posts` embeds. */
export const EMBEDDED_POSTS = 10;

export type UserWithPosts = User & { posts?: Post[] };

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

export interface UserServiceDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  cache: EntityCache<User>;
  sessions: SessionService;
  posts: PostService;
  queue: TaskQueue;
  logger: Logger;
  signUpsPerAddress: AttemptLimiter;
  /** Failed `current_password` checks per user. */
  passwordChecks: AttemptLimiter;
}

export class UserService {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;
  private readonly cache: EntityCache<User>;
  private readonly sessions: SessionService;
  private readonly posts: PostService;

  constructor(private readonly deps: UserServiceDeps) {
    this.users = deps.users;
    this.hasher = deps.hasher;
    this.cache = deps.cache;
    this.sessions = deps.sessions;
    this.posts = deps.posts;
  }

  /** A taken e-mail is answered before any bcrypt work. */
  async register(input: Registration, clientAddress: string): Promise<User> {
    const name = input.name.trim();
    this.hasher.assertAcceptable(input.password, 'password');
    await reserveAll([[this.deps.signUpsPerAddress, clientAddress]]);
    if (await this.users.emailTaken(input.email)) throw emailTakenError();
    const passwordHash = await this.hasher.hash(input.password, clientAddress);
    const user = await this.users.create({ email: input.email.trim(), name, passwordHash });
    // The account exists either way; a welcome e-mail that could not be queued is logged, not fatal.
    await this.deps.queue
      .enqueue('send-welcome-email', { userId: user.id })
      .catch((error: unknown) => {
        this.deps.logger.error(
          { err: error, userId: user.id },
          'could not queue the welcome e-mail',
        );
      });
    return user;
  }

  /** The user as stored now, not through the cache: for jobs, which may run in another process. */
  find(id: UserId): Promise<User | undefined> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<User | undefined> {
    return this.users.findByEmail(email);
  }

  async get(id: number, options: { includePosts?: boolean } = {}): Promise<UserWithPosts> {
    const user = await this.cache.get(id, () => this.users.findById(id));
    if (!user) throw new DomainError('not-found', `There is no user ${id}.`);
    if (!options.includePosts) return user;
    return { ...user, posts: await this.posts.newestByAuthors([id], EMBEDDED_POSTS) };
  }

  async roleOf(id: number): Promise<Role> {
    return (await this.get(id)).role;
  }

  /**
   * Whose private fields (the e-mail address, the role) the viewer may see: their own, and
   * everyone's when they are an admin. Other users get the public profile. Asked about one user
   * (`subject`), the viewer's role is read only when that user is someone else.
   */
  async privacyFor(viewer: Principal, subject?: number): Promise<(user: User) => boolean> {
    const own = (user: User) => user.id === viewer.userId;
    if (subject === viewer.userId) return own;
    if ((await this.roleOf(viewer.userId)) === 'admin') return () => true;
    return own;
  }

  /** One query for the page, one for all the embedded posts: constant whatever the page size. */
  async list(
    limit: number,
    cursor: string | undefined,
    options: { includePosts?: boolean } = {},
  ): Promise<Page<UserWithPosts>> {
    const afterId = cursor ? (decodeCursor(cursor, { id: 'number' }).id as number) : 0;
    const page = pageOf(await this.users.listAfter(afterId, limit + 1), limit, (last) => ({
      id: last.id,
    }));
    if (!options.includePosts) return page;
    const posts = await this.posts.newestByAuthors(
      page.items.map((user) => user.id),
      EMBEDDED_POSTS,
    );
    const byAuthor = new Map<number, Post[]>();
    for (const post of posts)
      byAuthor.set(post.authorId, [...(byAuthor.get(post.authorId) ?? []), post]);
    return {
      ...page,
      items: page.items.map((user) => ({ ...user, posts: byAuthor.get(user.id) ?? [] })),
    };
  }

  /** Operator action (CLI): there is no API path that grants roles. */
  async setRole(email: string, role: Role): Promise<User> {
    const user = await this.users.findWithSecretByEmail(email);
    if (!user) throw new DomainError('not-found', `There is no user with the e-mail ${email}.`);
    const updated = await this.users.setRole(user.id, role);
    await this.cache.invalidate(user.id);
    if (!updated) throw new DomainError('not-found', `There is no user with the e-mail ${email}.`);
    return updated;
  }

  /**
   * Changing the password needs the current one and ends every other session of the user. The
   * current password is checked only for a password change, and those checks are limited per
   * user: a stolen access token must not become a way to guess the password.
   */
  async update(principal: Principal, changes: ProfileChanges): Promise<User> {
    const name = changes.name?.trim();
    if (changes.password === undefined && changes.currentPassword !== undefined) {
      throw DomainError.invalid('current_password', 'is only accepted with password');
    }
    if (changes.password !== undefined && changes.currentPassword === undefined) {
      throw DomainError.invalid('current_password', 'is required to change the password');
    }
    let passwordHash: string | undefined;
    if (changes.password !== undefined && changes.currentPassword !== undefined) {
      this.hasher.assertAcceptable(changes.password, 'password');
      await this.assertCurrentPassword(principal.userId, changes.currentPassword);
      passwordHash = await this.hasher.hash(changes.password, `user:${principal.userId}`);
    }
    const updated = await this.users.update(principal.userId, { name, passwordHash });
    if (!updated) throw new DomainError('unauthorized', 'The account no longer exists.');
    await this.cache.invalidate(principal.userId);
    if (passwordHash) {
      await this.sessions.endAllOf(principal.userId, 'password-change', principal.sessionId);
    }
    return updated;
  }

  private async assertCurrentPassword(userId: UserId, password: string): Promise<void> {
    const attempt = await reserveAll([[this.deps.passwordChecks, String(userId)]]);
    let valid: boolean;
    try {
      const user = await this.users.findWithSecretById(userId);
      valid = await this.hasher.verify(password, user?.passwordHash, `user:${userId}`);
    } catch (error) {
      await attempt.refund();
      throw error;
    }
    if (!valid) throw new DomainError('wrong-password', 'The current password is wrong.');
    await attempt.refund();
  }

  async remove(principal: Principal): Promise<void> {
    // Sessions and posts go with the user (cascade); their cache entries are ended by id.
    const sessionIds = await this.sessions.idsOf(principal.userId);
    const postIds = await this.users.deleteWithPostIds(principal.userId);
    await this.cache.invalidate(principal.userId);
    await this.posts.forget(postIds);
    await this.sessions.markEnded(sessionIds);
  }
}
