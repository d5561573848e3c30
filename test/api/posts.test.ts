import { signUp, type Account } from '../helpers/factories';
import { createPost, createPosts, POSTS, type PostBody } from '../helpers/posts';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const POST_FIELDS = ['author_id', 'body', 'created_at', 'id', 'title', 'updated_at'];
const NO_SUCH_POST = 9007199254740991;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface PostPage {
  items: PostBody[];
  next_cursor: string | null;
}

function listPosts(viewer: Account, query: Record<string, string | number> = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) search.set(name, String(value));
  return t.http.get(`${POSTS}?${search}`).set(viewer.auth);
}

/** Every page of one author's posts with this limit, creating `between` after the first page. */
async function readAllPages(viewer: Account, authorId: number, limit: number, between = () => {}) {
  const pages: PostPage[] = [];
  let cursor: string | undefined;
  do {
    const query = { author_id: authorId, limit, ...(cursor ? { cursor } : {}) };
    const page = (await listPosts(viewer, query).expect(200)).body as PostPage;
    pages.push(page);
    if (pages.length === 1) await between();
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return pages;
}

const newestFirst = (posts: PostBody[]) => posts.map((post) => post.id).sort((a, b) => b - a);

describe('POST /posts', () => {
  it('when the post is valid, then returns 201 with Location, a strong ETag and the caller as author', async () => {
    const author = await signUp(t.http);
    const res = await t.http
      .post(POSTS)
      .set(author.auth)
      .send({ title: 'Notes on the Engine', body: 'It weaves algebraic patterns.' })
      .expect(201);

    expect(Object.keys(res.body).sort()).toEqual(POST_FIELDS);
    expect(res.body).toMatchObject({
      author_id: author.id,
      title: 'Notes on the Engine',
      body: 'It weaves algebraic patterns.',
    });
    expect(res.headers.location).toBe(`${POSTS}/${res.body.id}`);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    const reader = await signUp(t.http);
    const fetched = await t.http.get(res.headers.location!).set(reader.auth).expect(200);
    expect(fetched.body).toEqual(res.body);
    expect(fetched.headers.etag).toBe(res.headers.etag);
  });

  it('when the title is 200 characters and the body 20,000, then returns 201 and keeps them whole', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author, {
      title: 't'.repeat(200),
      body: 'b'.repeat(20_000),
    });
    expect(post.title).toHaveLength(200);
    expect(post.body).toHaveLength(20_000);
  });

  it.each([
    ['the title is empty', { title: '' }, '/title'],
    ['the title is only blanks', { title: '   ' }, '/title'],
    ['the title is 201 characters', { title: 't'.repeat(201) }, '/title'],
    ['the body is 20,001 characters', { body: 'b'.repeat(20_001) }, '/body'],
    ['the body names an author_id', { author_id: 1 }, '/author_id'],
    ['the body names an id', { id: 1 }, '/id'],
    ['the title is missing', { title: undefined }, '/title'],
    ['the body is missing', { body: undefined }, '/body'],
    ['the title is a number', { title: 42 }, '/title'],
    ['the title holds a NUL character', { title: 'Ada\u0000' }, '/title'],
    ['the body holds a NUL character', { body: 'a\u0000b' }, '/body'],
  ])(
    'when %s, then returns 400 pointing at %s and stores nothing',
    async (_case, fields, pointer) => {
      const author = await signUp(t.http);
      const body = { title: 'A title', body: 'Some words.', ...fields };
      expectInvalid(await t.http.post(POSTS).set(author.auth).send(body), 'body', pointer);
      const mine = await listPosts(author, { author_id: author.id }).expect(200);
      expect(mine.body.items).toEqual([]);
    },
  );

  it('when the body is an empty object, then returns 400 naming both required fields', async () => {
    const author = await signUp(t.http);
    const res = await t.http.post(POSTS).set(author.auth).send({});
    for (const pointer of ['/title', '/body']) expectInvalid(res, 'body', pointer);
  });

  it('when the body is text/plain, then returns 415 and stores nothing', async () => {
    const author = await signUp(t.http);
    const res = await t.http
      .post(POSTS)
      .set(author.auth)
      .type('text')
      .send(JSON.stringify({ title: 'Plain', body: 'text' }));
    expectProblem(res, 415, 'unsupported-media-type');
    expect((await listPosts(author, { author_id: author.id }).expect(200)).body.items).toEqual([]);
  });

  it('when there is no token, then returns 401', async () => {
    const res = await t.http.post(POSTS).send({ title: 'Anonymous', body: 'No one wrote this.' });
    expectProblem(res, 401, 'unauthorized');
  });
});

describe('POST /posts over BODY_LIMIT_BYTES', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => small.close());

  it('when the post is larger than the limit, then returns 413 and stores nothing', async () => {
    const author = await signUp(small.http);
    const res = await small.http
      .post(POSTS)
      .set(author.auth)
      .send({ title: 'Long', body: 'b'.repeat(3000) });
    expectProblem(res, 413, 'payload-too-large');
    const mine = await small.http.get(`${POSTS}?author_id=${author.id}`).set(author.auth);
    expect(mine.body.items).toEqual([]);
  });
});

describe('GET /posts', () => {
  it('when a page is asked for, then returns 200 with items, next_cursor and Cache-Control', async () => {
    const author = await signUp(t.http);
    await createPosts(t.http, author, 2);
    const res = await listPosts(author, { limit: 1 }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'next_cursor']);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.next_cursor).toEqual(expect.any(String));
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('when author_id is given, then returns only that author’s posts, newest first', async () => {
    const [ada, grace] = [await signUp(t.http), await signUp(t.http)];
    const adas = await createPosts(t.http, ada, 3);
    await createPosts(t.http, grace, 2);
    const res = await listPosts(grace, { author_id: ada.id }).expect(200);
    expect(res.body.items.map((post: PostBody) => post.id)).toEqual(newestFirst(adas));
    expect(res.body.items.every((post: PostBody) => post.author_id === ada.id)).toBe(true);
    expect(res.body.next_cursor).toBeNull();
  });

  it('when the author has no posts, then returns an empty page with next_cursor null', async () => {
    const viewer = await signUp(t.http);
    const res = await listPosts(viewer, { author_id: viewer.id }).expect(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
  });

  it('when no limit is given, then returns at most 20 posts', async () => {
    const author = await signUp(t.http);
    await createPosts(t.http, author, 21);
    const res = await listPosts(author, { author_id: author.id }).expect(200);
    expect(res.body.items).toHaveLength(20);
    expect(res.body.next_cursor).toEqual(expect.any(String));
  });

  it.each(['0', '101', '-1', '2.5', 'ten'])(
    'when limit is %s, then returns 400 pointing at /limit in the query',
    async (limit) => {
      const viewer = await signUp(t.http);
      expectInvalid(await listPosts(viewer, { limit }), 'query', '/limit');
    },
  );

  it.each(['0', 'ada', '-3'])(
    'when author_id is %s, then returns 400 pointing at /author_id in the query',
    async (authorId) => {
      const viewer = await signUp(t.http);
      expectInvalid(await listPosts(viewer, { author_id: authorId }), 'query', '/author_id');
    },
  );

  it.each([
    ['garbage', '!!not a cursor!!'],
    ['base64url of plain text', Buffer.from('hello world').toString('base64url')],
    ['base64url of JSON with the wrong field', Buffer.from('{"offset":4}').toString('base64url')],
    ['empty', ''],
  ])(
    'when the cursor is %s, then returns 400 pointing at /cursor in the query',
    async (_case, cursor) => {
      const viewer = await signUp(t.http);
      expectInvalid(await listPosts(viewer, { cursor }), 'query', '/cursor');
    },
  );

  it('when posts are added between page fetches, then every earlier post appears once, newest first', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const before = await createPosts(t.http, author, 7);
    const added: PostBody[] = [];
    const pages = await readAllPages(reader, author.id, 2, async () => {
      added.push(...(await createPosts(t.http, author, 3)));
    });

    expect(added).toHaveLength(3);
    const seen = pages.flatMap((page) => page.items.map((post) => post.id));
    // Newer posts sit before the first page, so a walk that has started never meets them.
    expect(seen).toEqual(newestFirst(before));
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.at(-1)!.next_cursor).toBeNull();
    const fresh = (await listPosts(reader, { author_id: author.id, limit: 3 }).expect(200)).body;
    expect(fresh.items.map((post: PostBody) => post.id)).toEqual(newestFirst(added));
  });

  it('when the last page is exactly full, then its next_cursor is null', async () => {
    const author = await signUp(t.http);
    await createPosts(t.http, author, 4);
    const pages = await readAllPages(author, author.id, 2);
    expect(pages.map((page) => page.items.length)).toEqual([2, 2]);
    expect(pages[1]!.next_cursor).toBeNull();
  });

  it('when there is no token, then returns 401', async () => {
    expectProblem(await t.http.get(POSTS), 401, 'unauthorized');
  });
});

describe('GET /posts/{post_id}', () => {
  function fetchPost(viewer: Account, id: number | string, ifNoneMatch?: string) {
    const req = t.http.get(`${POSTS}/${id}`).set(viewer.auth);
    return ifNoneMatch === undefined ? req : req.set('If-None-Match', ifNoneMatch);
  }

  it('when the post exists, then returns 200 with a strong ETag and Cache-Control: private, no-cache', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author, { title: 'Readable' });
    const res = await fetchPost(reader, post.id).expect(200);
    expect(res.body).toMatchObject({ id: post.id, author_id: author.id, title: 'Readable' });
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('when If-None-Match carries its ETag, then returns 304 without a body', async () => {
    const author = await signUp(t.http);
    const { id } = await createPost(t.http, author);
    const etag = (await fetchPost(author, id).expect(200)).headers.etag!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await fetchPost(author, id, header);
      expect({ header, status: res.status }).toEqual({ header, status: 304 });
      expect(res.text ?? '').toBe('');
      expect(res.headers.etag).toBe(etag);
    }
  });

  it('when If-None-Match carries another ETag, then returns 200', async () => {
    const author = await signUp(t.http);
    const { id } = await createPost(t.http, author);
    await fetchPost(author, id, '"something-else"').expect(200);
  });

  it.each(['abc', '0', '-1', '1.5', '9007199254740992'])(
    'when the id is %s, then returns 400 pointing at /post_id in the path',
    async (id) => {
      const viewer = await signUp(t.http);
      expectInvalid(await fetchPost(viewer, id), 'path', '/post_id');
    },
  );

  it('when no post has the id, then returns 404', async () => {
    const viewer = await signUp(t.http);
    expectProblem(await fetchPost(viewer, NO_SUCH_POST), 404, 'not-found');
  });

  it('when there is no token, then returns 401', async () => {
    const author = await signUp(t.http);
    const { id } = await createPost(t.http, author);
    expectProblem(await t.http.get(`${POSTS}/${id}`), 401, 'unauthorized');
  });
});
