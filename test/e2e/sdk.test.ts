import { randomUUID } from 'node:crypto';
import { createInkwellClient, FORM, type InkwellClient } from '../../src/sdk';
import { contractCheckedFetch, listen, type Listening } from '../helpers/listening';
import { startTestApp, type TestApp } from '../helpers/test-app';

// A client developer's whole session, driven only through the SDK against a listening server.
// Every response is also checked against the contract on its way to the SDK.
let t: TestApp;
let server: Listening;
let inkwell: InkwellClient;
let accessToken: string | undefined;
let refreshToken = '';

const email = `sdk-${randomUUID().slice(0, 12)}@example.com`;
const password = 'correct horse battery';
let userId = 0;
let postId = 0;

beforeAll(async () => {
  t = await startTestApp();
  server = await listen(t.app);
  inkwell = createInkwellClient(server.url, {
    token: () => accessToken,
    fetch: contractCheckedFetch(),
  });
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe('the SDK against a running server', () => {
  it('when a visitor signs up, then the account is created and its Location returned', async () => {
    const { data, error, response } = await inkwell.POST('/api/v1/users', {
      body: { email, password, name: 'Ada Lovelace' },
    });

    expect(error).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ email, name: 'Ada Lovelace', role: 'user' });
    userId = data!.id;
    expect(response.headers.get('Location')).toBe(`/api/v1/users/${userId}`);
  });

  it('when the user logs in with the password form, then a bearer token pair comes back', async () => {
    const { data, error, response } = await inkwell.POST('/api/v1/auth/login', {
      body: { username: email, password, grant_type: 'password' },
      headers: FORM,
    });

    expect({ status: response.status, error }).toEqual({ status: 200, error: undefined });
    expect(data).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    accessToken = data!.access_token;
    refreshToken = data!.refresh_token;
  });

  it('when the password is wrong, then the error is a typed problem', async () => {
    const { data, error, response } = await inkwell.POST('/api/v1/auth/login', {
      body: { username: email, password: 'not the password' },
      headers: FORM,
    });

    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error).toMatchObject({
      status: 401,
      type: 'tag:inkwell,2026:problem/invalid-credentials',
    });
  });

  it('when the token hook supplies the access token, then getMe answers with the user', async () => {
    const { data } = await inkwell.GET('/api/v1/users/me');
    expect(data).toMatchObject({ id: userId, email, email_verified: false });
  });

  it('when the user changes their name, then getMe shows the new name', async () => {
    const { data } = await inkwell.PATCH('/api/v1/users/me', { body: { name: 'Ada King' } });
    expect(data?.name).toBe('Ada King');
    const { data: me } = await inkwell.GET('/api/v1/users/me');
    expect(me?.name).toBe('Ada King');
  });

  it('when the user writes a post, then it can be listed, read, edited with If-Match and deleted', async () => {
    const created = await inkwell.POST('/api/v1/posts', {
      body: { title: 'Notes on the Analytical Engine', body: 'It weaves algebraic patterns.' },
    });
    expect(created.response.status).toBe(201);
    postId = created.data!.id;
    expect(created.data).toMatchObject({
      author_id: userId,
      title: 'Notes on the Analytical Engine',
    });

    const page = await inkwell.GET('/api/v1/posts', {
      params: { query: { author_id: userId, limit: 10 } },
    });
    expect(page.data?.items.map((post) => post.id)).toEqual([postId]);
    expect(page.data?.next_cursor).toBeNull();

    const read = await inkwell.GET('/api/v1/posts/{post_id}', {
      params: { path: { post_id: postId } },
    });
    const etag = read.response.headers.get('ETag');
    expect(read.data).toEqual(created.data);
    expect(etag).toEqual(expect.any(String));

    const edited = await inkwell.PATCH('/api/v1/posts/{post_id}', {
      params: { path: { post_id: postId }, header: { 'If-Match': etag! } },
      body: { title: 'Notes on the Analytical Engine, revised' },
    });
    expect(edited.data?.title).toBe('Notes on the Analytical Engine, revised');

    const stale = await inkwell.PATCH('/api/v1/posts/{post_id}', {
      params: { path: { post_id: postId }, header: { 'If-Match': etag! } },
      body: { title: 'A lost update' },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error?.type).toBe('tag:inkwell,2026:problem/precondition-failed');

    const deleted = await inkwell.DELETE('/api/v1/posts/{post_id}', {
      params: { path: { post_id: postId } },
    });
    expect(deleted.response.status).toBe(204);
    const gone = await inkwell.GET('/api/v1/posts/{post_id}', {
      params: { path: { post_id: postId } },
    });
    expect(gone.error).toMatchObject({ status: 404 });
  });

  it('when the refresh token is used, then it rotates and the old one is refused', async () => {
    const rotated = await inkwell.POST('/api/v1/auth/refresh', {
      body: { refresh_token: refreshToken },
    });
    expect(rotated.response.status).toBe(200);
    expect(rotated.data!.refresh_token).not.toBe(refreshToken);

    const reused = await inkwell.POST('/api/v1/auth/refresh', {
      body: { refresh_token: refreshToken },
    });
    expect(reused.response.status).toBe(401);

    // Reusing a refresh token ends its whole session: log in again.
    const login = await inkwell.POST('/api/v1/auth/login', {
      body: { username: email, password },
      headers: FORM,
    });
    accessToken = login.data!.access_token;
  });

  it('when the user logs out, then the access token stops working at once', async () => {
    const out = await inkwell.POST('/api/v1/auth/logout');
    expect(out.response.status).toBe(204);

    const me = await inkwell.GET('/api/v1/users/me');
    expect(me.response.status).toBe(401);
    expect(me.response.headers.get('WWW-Authenticate')).toMatch(/^Bearer /);
    expect(me.error?.type).toBe('tag:inkwell,2026:problem/unauthorized');
  });
});
