import { signUp, type Account } from '../helpers/factories';
import { createPost, POSTS, type PostBody } from '../helpers/posts';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const NO_SUCH_POST = 9007199254740991;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const postUrl = (id: number | string) => `${POSTS}/${id}`;

function patchPost(editor: Account, id: number | string, body: object, ifMatch?: string) {
  const req = t.http.patch(postUrl(id)).set(editor.auth);
  return (ifMatch === undefined ? req : req.set('If-Match', ifMatch)).send(body);
}

async function currentPost(id: number): Promise<PostBody & { etag: string }> {
  const viewer = await signUp(t.http);
  const res = await t.http.get(postUrl(id)).set(viewer.auth).expect(200);
  return { ...(res.body as PostBody), etag: res.headers.etag! };
}

/** A user the operator made admin, through the service the `user:role` CLI uses. */
async function signUpAdmin(): Promise<Account> {
  const admin = await signUp(t.http, { name: 'Admin' });
  await t.container.services.users.setRole(admin.email, 'admin');
  return admin;
}

describe('PATCH /posts/{post_id}', () => {
  it('when the author changes the title, then returns 200 with the post, a new ETag, and GET agrees', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author, { title: 'Draft', body: 'Kept as it was.' });
    const res = await patchPost(author, post.id, { title: 'Final' }).expect(200);

    expect(res.body).toMatchObject({
      id: post.id,
      author_id: author.id,
      title: 'Final',
      body: 'Kept as it was.',
      created_at: post.created_at,
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(post.updated_at));
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers.etag).not.toBe(post.etag);
    const after = await currentPost(post.id);
    expect(after).toEqual({ ...res.body, etag: res.headers.etag });
  });

  it('when another user edits the post, then returns 403 and nothing changes', async () => {
    const [author, other] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author, { title: 'Mine' });
    expectProblem(await patchPost(other, post.id, { title: 'Theirs' }), 403, 'forbidden');
    expect((await currentPost(post.id)).title).toBe('Mine');
  });

  it('when an admin edits someone else’s post, then returns 200, and once demoted, 403', async () => {
    const author = await signUp(t.http);
    const admin = await signUpAdmin();
    const post = await createPost(t.http, author, { title: 'Needs moderation' });
    const res = await patchPost(admin, post.id, { title: 'Moderated' }).expect(200);
    expect(res.body).toMatchObject({ author_id: author.id, title: 'Moderated' });

    await t.container.services.users.setRole(admin.email, 'user');
    expectProblem(await patchPost(admin, post.id, { title: 'Again' }), 403, 'forbidden');
    expect((await currentPost(post.id)).title).toBe('Moderated');
  });

  it('when no post has the id, then returns 404, also for an admin', async () => {
    const [user, admin] = [await signUp(t.http), await signUpAdmin()];
    expectProblem(await patchPost(user, NO_SUCH_POST, { title: 'x' }), 404, 'not-found');
    expectProblem(await patchPost(admin, NO_SUCH_POST, { title: 'x' }), 404, 'not-found');
  });

  it('when If-Match is stale, then returns 412 and nothing is written', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author, { title: 'v1' });
    await patchPost(author, post.id, { title: 'v2' }, post.etag).expect(200);

    const res = await patchPost(author, post.id, { title: 'v3 from a stale copy' }, post.etag);
    expectProblem(res, 412, 'precondition-failed');
    expect((await currentPost(post.id)).title).toBe('v2');
  });

  it('when If-Match is the current ETag or *, then the edit goes through', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author);
    const { etag } = await currentPost(post.id);
    const first = await patchPost(author, post.id, { body: 'second' }, etag).expect(200);
    await patchPost(author, post.id, { body: 'third' }, `"nope", ${first.headers.etag}`).expect(
      200,
    );
    await patchPost(author, post.id, { body: 'fourth' }, '*').expect(200);
    expect((await currentPost(post.id)).body).toBe('fourth');
  });

  it('when If-Match is the weak form of the current ETag, then returns 412 (strong comparison)', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author, { title: 'Strong' });
    expectProblem(await patchPost(author, post.id, { title: 'Weak' }, `W/${post.etag}`), 412);
    expect((await currentPost(post.id)).title).toBe('Strong');
  });

  it('when two editors send the same If-Match at once, then exactly one wins and the other gets 412', async () => {
    const author = await signUp(t.http);
    const admin = await signUpAdmin();
    const post = await createPost(t.http, author, { title: 'Original' });
    const results = await Promise.all([
      patchPost(author, post.id, { title: 'By the author' }, post.etag),
      patchPost(admin, post.id, { title: 'By the admin' }, post.etag),
    ]);

    expect(results.map((res) => res.status).sort()).toEqual([200, 412]);
    const winner = results.find((res) => res.status === 200)!;
    expectProblem(
      results.find((res) => res.status === 412)!,
      412,
      'precondition-failed',
    );
    const after = await currentPost(post.id);
    expect(after.title).toBe(winner.body.title);
    expect(after.etag).toBe(winner.headers.etag);
  });

  it.each([
    ['the body is an empty object', {}, ''],
    ['the title is empty', { title: '' }, '/title'],
    ['the title is only blanks', { title: ' \t ' }, '/title'],
    ['the title is 201 characters', { title: 't'.repeat(201) }, '/title'],
    ['the body is 20,001 characters', { body: 'b'.repeat(20_001) }, '/body'],
    ['the body names an author_id', { author_id: 1 }, '/author_id'],
    ['the body names an id', { title: 'x', id: 2 }, '/id'],
    ['the body holds a NUL character', { body: 'a\u0000b' }, '/body'],
  ])(
    'when %s, then returns 400 pointing at %j and nothing changes',
    async (_case, body, pointer) => {
      const author = await signUp(t.http);
      const post = await createPost(t.http, author, { title: 'Unchanged', body: 'Same.' });
      expectInvalid(await patchPost(author, post.id, body), 'body', pointer);
      const after = await currentPost(post.id);
      expect(after).toEqual({ ...post, etag: post.etag });
    },
  );

  it.each(['abc', '0', '1.5'])(
    'when the id is %s, then returns 400 pointing at /post_id',
    async (id) => {
      const author = await signUp(t.http);
      expectInvalid(await patchPost(author, id, { title: 'x' }), 'path', '/post_id');
    },
  );

  it('when the body is text/plain, then returns 415 and nothing changes', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author, { title: 'Unchanged' });
    const res = await t.http
      .patch(postUrl(post.id))
      .set(author.auth)
      .type('text')
      .send('{"title":"Plain"}');
    expectProblem(res, 415, 'unsupported-media-type');
    expect((await currentPost(post.id)).title).toBe('Unchanged');
  });

  it('when there is no token, then returns 401', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author);
    expectProblem(await t.http.patch(postUrl(post.id)).send({ title: 'x' }), 401, 'unauthorized');
  });
});

describe('PATCH /posts/{post_id} over BODY_LIMIT_BYTES', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => small.close());

  it('when the edit is larger than the limit, then returns 413 and nothing changes', async () => {
    const author = await signUp(small.http);
    const post = await createPost(small.http, author, { body: 'Short.' });
    const res = await small.http
      .patch(postUrl(post.id))
      .set(author.auth)
      .send({ body: 'b'.repeat(3000) });
    expectProblem(res, 413, 'payload-too-large');
    const after = await small.http.get(postUrl(post.id)).set(author.auth).expect(200);
    expect(after.body.body).toBe('Short.');
  });
});

describe('DELETE /posts/{post_id}', () => {
  it('when the author deletes the post, then returns 204, and it is gone for everyone', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author);
    await t.http.get(postUrl(post.id)).set(reader.auth).expect(200);
    const res = await t.http.delete(postUrl(post.id)).set(author.auth).expect(204);
    expect(res.text ?? '').toBe('');

    expectProblem(await t.http.get(postUrl(post.id)).set(reader.auth), 404, 'not-found');
    expectProblem(await t.http.delete(postUrl(post.id)).set(author.auth), 404, 'not-found');
    const list = await t.http.get(`${POSTS}?author_id=${author.id}`).set(reader.auth).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('when another user deletes the post, then returns 403 and the post stays', async () => {
    const [author, other] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author);
    expectProblem(await t.http.delete(postUrl(post.id)).set(other.auth), 403, 'forbidden');
    await t.http.get(postUrl(post.id)).set(other.auth).expect(200);
  });

  it('when an admin deletes someone else’s post, then returns 204', async () => {
    const [author, admin] = [await signUp(t.http), await signUpAdmin()];
    const post = await createPost(t.http, author);
    await t.http.delete(postUrl(post.id)).set(admin.auth).expect(204);
    expectProblem(await t.http.get(postUrl(post.id)).set(author.auth), 404, 'not-found');
  });

  it('when no post has the id, then returns 404', async () => {
    const user = await signUp(t.http);
    expectProblem(await t.http.delete(postUrl(NO_SUCH_POST)).set(user.auth), 404, 'not-found');
  });

  it.each(['abc', '0', '1.5'])(
    'when the id is %s, then returns 400 pointing at /post_id',
    async (id) => {
      const user = await signUp(t.http);
      expectInvalid(await t.http.delete(postUrl(id)).set(user.auth), 'path', '/post_id');
    },
  );

  it('when there is no token, then returns 401 and the post stays', async () => {
    const author = await signUp(t.http);
    const post = await createPost(t.http, author);
    expectProblem(await t.http.delete(postUrl(post.id)), 401, 'unauthorized');
    await t.http.get(postUrl(post.id)).set(author.auth).expect(200);
  });
});

describe('two authors', () => {
  it('when two users create, read, page, edit and delete posts, then each may change only their own', async () => {
    const [ada, grace] = [await signUp(t.http), await signUp(t.http)];
    const adas = [await createPost(t.http, ada, { title: 'Ada 1' })];
    const graces = [await createPost(t.http, grace, { title: 'Grace 1' })];
    adas.push(await createPost(t.http, ada, { title: 'Ada 2' }));

    const read = await t.http.get(postUrl(adas[0]!.id)).set(grace.auth).expect(200);
    expect(read.body.title).toBe('Ada 1');
    const page = await t.http.get(`${POSTS}?author_id=${ada.id}&limit=1`).set(grace.auth);
    expect(page.body.items.map((post: PostBody) => post.title)).toEqual(['Ada 2']);
    const next = await t.http
      .get(`${POSTS}?author_id=${ada.id}&limit=1&cursor=${page.body.next_cursor}`)
      .set(grace.auth)
      .expect(200);
    expect(next.body).toEqual({ items: [read.body], next_cursor: null });

    await patchPost(grace, adas[0]!.id, { title: 'Grace was here' }).expect(403);
    await patchPost(grace, graces[0]!.id, { title: 'Grace 1, revised' }, graces[0]!.etag).expect(
      200,
    );
    await t.http.delete(postUrl(graces[0]!.id)).set(ada.auth).expect(403);
    await t.http.delete(postUrl(adas[1]!.id)).set(ada.auth).expect(204);

    const adaNow = await t.http.get(`${POSTS}?author_id=${ada.id}`).set(grace.auth).expect(200);
    expect(adaNow.body.items.map((post: PostBody) => post.title)).toEqual(['Ada 1']);
    const graceNow = await t.http.get(postUrl(graces[0]!.id)).set(ada.auth).expect(200);
    expect(graceNow.body.title).toBe('Grace 1, revised');
  });
});
