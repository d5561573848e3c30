import { signUp, type Account } from '../helpers/factories';
import { createPost, createPosts, type PostBody } from '../helpers/posts';
import { expectInvalid } from '../helpers/problems';
import { queriesDuring } from '../helpers/sql-log';
import { startTestApp, type TestApp } from '../helpers/test-app';

const USERS = '/api/v1/users';

let t: TestApp;
beforeAll(async () => {
  // Statements are counted after the session is cached: a busy machine must not turn a slow Redis
  // answer into a miss (and an extra session query).
  t = await startTestApp({ REDIS_COMMAND_TIMEOUT_MS: '2000' });
});
afterAll(() => t.close());

interface UserBody {
  id: number;
  posts?: PostBody[];
}
interface UserPage {
  items: UserBody[];
  next_cursor: string | null;
}

function listUsers(viewer: Account, query: Record<string, string | number> = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) search.set(name, String(value));
  return t.http.get(`${USERS}?${search}`).set(viewer.auth);
}

/**
 * The cursor of the page of 100 that holds `id`: other suites share the database, so start near
 * our own users instead of reading every page with a small limit.
 */
async function cursorBefore(viewer: Account, id: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (;;) {
    const res = await listUsers(viewer, { limit: 100, ...(cursor ? { cursor } : {}) }).expect(200);
    const page = res.body as UserPage;
    if (page.next_cursor === null || page.items.some((user) => user.id >= id)) return cursor;
    cursor = page.next_cursor;
  }
}

/** The users of every page from `cursor` on, with include=posts. */
async function usersFrom(viewer: Account, cursor: string | undefined, ids: number[]) {
  const found = new Map<number, UserBody>();
  while (ids.some((id) => !found.has(id))) {
    const query = { limit: 100, include: 'posts', ...(cursor ? { cursor } : {}) };
    const page = (await listUsers(viewer, query).expect(200)).body as UserPage;
    for (const user of page.items) found.set(user.id, user);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return found;
}

const newestFirst = (posts: PostBody[]) => posts.map((post) => post.id).sort((a, b) => b - a);

describe('GET /users?include=posts', () => {
  it('when users have posts, then each embeds at most its 10 newest, newest first, and [] when none', async () => {
    const viewer = await signUp(t.http);
    const [prolific, occasional, silent] = [
      await signUp(t.http),
      await signUp(t.http),
      await signUp(t.http),
    ];
    const many = await createPosts(t.http, prolific, 12);
    const few = await createPosts(t.http, occasional, 2);

    const ids = [prolific.id, occasional.id, silent.id];
    const found = await usersFrom(viewer, await cursorBefore(viewer, prolific.id), ids);
    expect(found.get(prolific.id)!.posts!.map((post) => post.id)).toEqual(
      newestFirst(many).slice(0, 10),
    );
    expect(found.get(occasional.id)!.posts).toEqual([...few].reverse().map(withoutEtag));
    expect(found.get(silent.id)!.posts).toEqual([]);
  });

  it('when include is not given, then no user has a posts key', async () => {
    const viewer = await signUp(t.http);
    const author = await signUp(t.http);
    await createPost(t.http, author);
    const cursor = await cursorBefore(viewer, author.id);
    const res = await listUsers(viewer, { limit: 100, ...(cursor ? { cursor } : {}) }).expect(200);
    const items = (res.body as UserPage).items;
    expect(items.map((user) => user.id)).toContain(author.id);
    expect(items.filter((user) => 'posts' in user)).toEqual([]);
  });

  it.each(['post', 'posts,comments', 'POSTS'])(
    'when include is %s, then returns 400 pointing at /include in the query',
    async (include) => {
      const viewer = await signUp(t.http);
      expectInvalid(await listUsers(viewer, { include }), 'query', '/include');
    },
  );
});

describe('GET /users/{user_id}?include=posts', () => {
  it('when the user has 12 posts, then embeds the 10 newest, newest first', async () => {
    const [viewer, author] = [await signUp(t.http), await signUp(t.http)];
    const posts = await createPosts(t.http, author, 12);
    const res = await t.http
      .get(`${USERS}/${author.id}?include=posts`)
      .set(viewer.auth)
      .expect(200);
    expect(res.body.posts.map((post: PostBody) => post.id)).toEqual(
      newestFirst(posts).slice(0, 10),
    );
    expect(res.body.posts.every((post: PostBody) => post.author_id === author.id)).toBe(true);
  });

  it('when the user has no posts, then embeds posts: []', async () => {
    const viewer = await signUp(t.http);
    const res = await t.http.get(`${USERS}/${viewer.id}?include=posts`).set(viewer.auth);
    expect(res.status).toBe(200);
    expect(res.body.posts).toEqual([]);
  });

  it('when include is not given, then there is no posts key, and the two ETags differ', async () => {
    const [viewer, author] = [await signUp(t.http), await signUp(t.http)];
    await createPost(t.http, author);
    const plain = await t.http.get(`${USERS}/${author.id}`).set(viewer.auth).expect(200);
    expect(plain.body).not.toHaveProperty('posts');
    const embedded = await t.http.get(`${USERS}/${author.id}?include=posts`).set(viewer.auth);
    expect(embedded.body.posts).toHaveLength(1);
    expect(embedded.headers.etag).not.toBe(plain.headers.etag);
  });

  it('when a post is added, then the embedded posts show it at once', async () => {
    const [viewer, author] = [await signUp(t.http), await signUp(t.http)];
    const url = `${USERS}/${author.id}?include=posts`;
    const first = await t.http.get(url).set(viewer.auth).expect(200);
    const post = await createPost(t.http, author, { title: 'Brand new' });
    const res = await t.http.get(url).set(viewer.auth).set('If-None-Match', first.headers.etag!);
    expect(res.status).toBe(200);
    expect(res.body.posts.map((p: PostBody) => p.id)).toEqual([post.id]);
  });
});

describe('the number of SQL statements (no N+1)', () => {
  /** Statements on users or posts during one request, after a warm-up that caches the session. */
  async function countFor(viewer: Account, url: string): Promise<number> {
    await t.http.get(`${USERS}/me`).set(viewer.auth).expect(200);
    const queries = await queriesDuring(t.container.database.knex, ['users', 'posts'], () =>
      t.http.get(url).set(viewer.auth).expect(200),
    );
    return queries.length;
  }

  it('when listUsers?include=posts reads 1 or 100 users, then it runs the same 2 statements', async () => {
    const viewer = await signUp(t.http);
    const authors = await authorsWithPosts(101, 2);
    const cursor = await fullestPage(viewer, authors);
    const at = cursor ? `&cursor=${cursor}` : '';

    const page = await listUsers(viewer, {
      limit: 100,
      include: 'posts',
      ...(cursor ? { cursor } : {}),
    });
    const items = (page.body as UserPage).items;
    expect(items).toHaveLength(100);
    const withPosts = items.filter((user) => authors.has(user.id) && user.posts!.length === 2);
    expect(withPosts.length).toBeGreaterThanOrEqual(10);

    const one = await countFor(viewer, `${USERS}?limit=1&include=posts${at}`);
    const hundred = await countFor(viewer, `${USERS}?limit=100&include=posts${at}`);
    expect({ one, hundred }).toEqual({ one: 2, hundred: 2 });
  });

  it('when getUser?include=posts reads a user with 0, 1 or 12 posts, then it runs the same statements', async () => {
    const viewer = await signUp(t.http);
    const authors = [await signUp(t.http), await signUp(t.http), await signUp(t.http)];
    await createPosts(t.http, authors[1]!, 1);
    await createPosts(t.http, authors[2]!, 12);

    const counts = [];
    for (const author of authors) {
      counts.push(await countFor(viewer, `${USERS}/${author.id}?include=posts`));
    }
    // A cold user read and one read of the embedded posts, however many there are.
    expect(counts).toEqual([2, 2, 2]);
  });
});

/** `count` users of our own with `posts` posts each, made ten at a time. */
async function authorsWithPosts(count: number, posts: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for (let made = 0; made < count; made += 10) {
    const batch = Array.from({ length: Math.min(10, count - made) }, async () => {
      const author = await signUp(t.http);
      await createPosts(t.http, author, posts);
      ids.add(author.id);
    });
    await Promise.all(batch);
  }
  return ids;
}

/**
 * The cursor of the full page of 100 that holds most of `ids`: other suites add users at the same
 * time, so ours are interleaved with theirs; read every full page that overlaps ours.
 */
async function fullestPage(viewer: Account, ids: Set<number>): Promise<string | undefined> {
  const last = Math.max(...ids);
  let cursor = await cursorBefore(viewer, Math.min(...ids));
  let best = { cursor, mine: -1 };
  for (;;) {
    const query = { limit: 100, ...(cursor ? { cursor } : {}) };
    const page = (await listUsers(viewer, query).expect(200)).body as UserPage;
    const mine = page.items.filter((user) => ids.has(user.id)).length;
    if (page.items.length === 100 && mine > best.mine) best = { cursor, mine };
    if (page.next_cursor === null || page.items.some((user) => user.id >= last)) return best.cursor;
    cursor = page.next_cursor;
  }
}

function withoutEtag(post: PostBody & { etag?: string }): PostBody {
  const { etag: _etag, ...rest } = post;
  return rest;
}
