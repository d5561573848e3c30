import { login, PASSWORD, register, signUp, uniqueEmail } from '../helpers/factories';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const USERS = '/api/v1/users';
const ME = '/api/v1/users/me';
const USER_FIELDS = ['created_at', 'email', 'email_verified', 'id', 'name', 'role', 'updated_at'];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const registration = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail(),
  password: PASSWORD,
  name: 'Ada Lovelace',
  ...overrides,
});

/** Whether login with these credentials succeeds (200) or is refused (401). */
async function loginStatus(email: string, password: string): Promise<number> {
  const res = await t.http
    .post('/api/v1/auth/login')
    .type('form')
    .send({ username: email, password });
  return res.status;
}

describe('POST /users', () => {
  it('when the registration is valid, then returns 201 with Location and a user without secrets', async () => {
    const body = registration({ name: '  Ada Lovelace  ' });
    const res = await t.http.post(USERS).send(body).expect(201);

    expect(res.headers.location).toBe(`${USERS}/${res.body.id}`);
    expect(Object.keys(res.body).sort()).toEqual(USER_FIELDS);
    expect(res.body).toMatchObject({
      email: body.email,
      name: 'Ada Lovelace',
      role: 'user',
      email_verified: false,
    });
    expect(res.text).not.toMatch(/password|hash/i);
    const viewer = await signUp(t.http);
    const fetched = await t.http.get(res.headers.location!).set(viewer.auth).expect(200);
    // Another user sees the public profile: the same user without the private fields.
    const { email: _email, role: _role, email_verified: _verified, ...profile } = res.body;
    expect(fetched.body).toEqual(profile);
  });

  it('when the password is 72 bytes of multi-byte characters, then returns 201', async () => {
    const password = 'é'.repeat(36);
    const user = await register(t.http, { password });
    expect(await loginStatus(user.email, password)).toBe(200);
  });

  it.each([
    ['the e-mail is not an e-mail', { email: 'not-an-email' }, '/email'],
    ['the password is under 8 characters', { password: 'short12' }, '/password'],
    ['the password is over 72 bytes in 40 characters', { password: 'é'.repeat(40) }, '/password'],
    ['the password is over 72 bytes in 20 emoji', { password: '😀'.repeat(20) }, '/password'],
    ['the name is missing', { name: undefined }, '/name'],
    ['the name is only blanks', { name: '   ' }, '/name'],
    ['the name holds a NUL character', { name: 'Ada\u0000' }, '/name'],
  ])(
    'when %s, then returns 400 pointing at the field in the body',
    async (_case, overrides, pointer) => {
      expectInvalid(await t.http.post(USERS).send(registration(overrides)), 'body', pointer);
    },
  );

  it.each([
    ['role', { role: 'admin' }, '/role'],
    ['id', { id: 1 }, '/id'],
    ['email_verified', { email_verified: true }, '/email_verified'],
  ])(
    'when the body names an unknown field %s, then returns 400 and stores nothing',
    async (_field, extra, pointer) => {
      const body = registration(extra);
      expectInvalid(await t.http.post(USERS).send(body), 'body', pointer);
      // The e-mail is still free, so nothing was stored.
      await register(t.http, { email: body.email });
    },
  );

  it('when the body is an empty object, then returns 400 naming every required field', async () => {
    const res = await t.http.post(USERS).send({});
    for (const pointer of ['/email', '/password', '/name']) expectInvalid(res, 'body', pointer);
  });

  it('when there is no body at all, then returns 400 naming the body', async () => {
    expectInvalid(await t.http.post(USERS), 'body', '');
  });

  it('when the body is a JSON array, then returns 400 naming the body', async () => {
    expectInvalid(await t.http.post(USERS).type('json').send('[]'), 'body', '');
  });

  it.each(['{"email":', 'null', '"text"', '{"email": "a@b.co",}'])(
    'when the body is %s, then returns 400 malformed-body problem+json',
    async (text) => {
      expectProblem(await t.http.post(USERS).type('json').send(text), 400, 'malformed-body');
    },
  );

  it('when the e-mail is taken in another letter case, then returns 409', async () => {
    const email = uniqueEmail('Mixed.Case').replace('example.com', 'Example.COM');
    await register(t.http, { email });
    const res = await t.http.post(USERS).send(registration({ email: email.toLowerCase() }));
    expectProblem(res, 409, 'email-taken');
  });

  it.each([
    ['text/plain', (body: object) => t.http.post(USERS).type('text').send(JSON.stringify(body))],
    ['a form', (body: object) => t.http.post(USERS).type('form').send(body)],
  ])('when the body is %s, then returns 415 and stores nothing', async (_case, send) => {
    const body = registration();
    expectProblem(await send(body), 415, 'unsupported-media-type');
    await register(t.http, { email: body.email });
  });
});

describe('GET /users/me', () => {
  it('when the token is valid, then returns 200 with the signed-in user', async () => {
    const me = await signUp(t.http, { name: 'Grace Hopper' });
    const res = await t.http.get(ME).set(me.auth).expect(200);
    expect(res.body).toMatchObject({
      id: me.id,
      email: me.email,
      name: 'Grace Hopper',
      role: 'user',
    });
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it.each([
    ['there is no token', {}],
    ['the token is not a JWT', { Authorization: 'Bearer not.a.jwt' }],
    ['the scheme is Basic', { Authorization: 'Basic dXNlcjpwYXNz' }],
  ])('when %s, then returns 401 with WWW-Authenticate', async (_case, headers) => {
    expectProblem(await t.http.get(ME).set(headers), 401, 'unauthorized');
  });
});

describe('PATCH /users/me', () => {
  it('when the name changes, then returns 200 with the new name and GET /users/me agrees', async () => {
    const me = await signUp(t.http);
    const res = await t.http.patch(ME).set(me.auth).send({ name: ' Ada King ' }).expect(200);
    expect(res.body).toMatchObject({ id: me.id, name: 'Ada King' });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(res.body.created_at));
    expect((await t.http.get(ME).set(me.auth).expect(200)).body.name).toBe('Ada King');
  });

  it.each([
    ['the body is an empty object', {}, ''],
    ['the body names a role', { role: 'admin' }, '/role'],
    ['the body names an e-mail', { email: uniqueEmail() }, '/email'],
    ['the name is empty', { name: '' }, '/name'],
    ['the name holds a NUL character', { name: 'Ada\u0000King' }, '/name'],
    [
      'a password comes without current_password',
      { password: 'a new horse battery' },
      '/current_password',
    ],
    [
      'the new password is over 72 bytes',
      { password: 'ü'.repeat(37), current_password: PASSWORD },
      '/password',
    ],
  ])(
    'when %s, then returns 400 pointing at %j and changes nothing',
    async (_case, body, pointer) => {
      const me = await signUp(t.http);
      expectInvalid(await t.http.patch(ME).set(me.auth).send(body), 'body', pointer);
      const after = await t.http.get(ME).set(me.auth).expect(200);
      expect(after.body).toMatchObject({ role: 'user', name: 'Test User' });
      expect(await loginStatus(me.email, PASSWORD)).toBe(200);
    },
  );

  it('when current_password is wrong, then returns 403 and the password stays', async () => {
    const me = await signUp(t.http);
    const res = await t.http
      .patch(ME)
      .set(me.auth)
      .send({ password: 'a new horse battery', current_password: 'not my password' });
    expectProblem(res, 403, 'wrong-password');
    expect(await loginStatus(me.email, PASSWORD)).toBe(200);
    expect(await loginStatus(me.email, 'a new horse battery')).toBe(401);
  });

  it('when the password changes, then the new one logs in, the old one does not, and other sessions end', async () => {
    const me = await signUp(t.http);
    const other = await login(t.http, me.email);
    const next = 'a new horse battery';
    await t.http
      .patch(ME)
      .set(me.auth)
      .send({ password: next, current_password: PASSWORD })
      .expect(200);

    expect(await loginStatus(me.email, next)).toBe(200);
    expect(await loginStatus(me.email, PASSWORD)).toBe(401);
    await t.http.get(ME).set(me.auth).expect(200);
    const ended = await t.http.get(ME).set({ Authorization: `Bearer ${other.accessToken}` });
    expectProblem(ended, 401, 'unauthorized');
  });

  it('when there is no token, then returns 401', async () => {
    expectProblem(await t.http.patch(ME).send({ name: 'Nobody' }), 401, 'unauthorized');
  });

  it.each([
    ['text/plain', 'text', '{"name":"Plain"}'],
    ['a form', 'form', 'name=Form'],
  ])('when the body is %s, then returns 415', async (_case, type, text) => {
    const me = await signUp(t.http);
    expectProblem(
      await t.http.patch(ME).set(me.auth).type(type).send(text),
      415,
      'unsupported-media-type',
    );
    expect((await t.http.get(ME).set(me.auth).expect(200)).body.name).toBe('Test User');
  });
});

describe('DELETE /users/me', () => {
  it('when the account is deleted, then returns 204 and its tokens, sessions and password stop working', async () => {
    const me = await signUp(t.http);
    const other = await login(t.http, me.email);
    const viewer = await signUp(t.http);
    const res = await t.http.delete(ME).set(me.auth).expect(204);
    expect(res.text).toBe('');

    expectProblem(await t.http.get(ME).set(me.auth), 401, 'unauthorized');
    expectProblem(await t.http.delete(ME).set(me.auth), 401, 'unauthorized');
    expectProblem(await t.http.get(ME).set({ Authorization: `Bearer ${other.accessToken}` }), 401);
    expectProblem(await t.http.get(`${USERS}/${me.id}`).set(viewer.auth), 404, 'not-found');
    expect(await loginStatus(me.email, PASSWORD)).toBe(401);
  });

  it('when there is no token, then returns 401', async () => {
    expectProblem(await t.http.delete(ME), 401, 'unauthorized');
  });
});

describe('bodies over BODY_LIMIT_BYTES', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => small.close());

  it('when POST /users sends more than the limit, then returns 413 and stores nothing', async () => {
    const body = registration({ name: 'x'.repeat(3000) });
    expectProblem(await small.http.post(USERS).send(body), 413, 'payload-too-large');
    await register(small.http, { email: body.email });
  });

  it('when PATCH /users/me sends more than the limit, then returns 413', async () => {
    const me = await signUp(small.http);
    const res = await small.http
      .patch(ME)
      .set(me.auth)
      .send({ name: 'x'.repeat(3000) });
    expectProblem(res, 413, 'payload-too-large');
  });
});

describe('routes and methods outside the contract', () => {
  it('when PUT /users/me is sent, then returns 405 with an Allow header', async () => {
    const res = await t.http.put(ME).send({ name: 'Put' });
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
  });

  it('when POST /users/{id} is sent, then returns 405 allowing GET and HEAD', async () => {
    const res = await t.http.post(`${USERS}/1`).send({});
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('when the path is unknown, then returns 404 problem+json', async () => {
    expectProblem(await t.http.get('/api/v1/nope'), 404, 'not-found');
  });

  it('when HEAD /users/me is sent, then returns 200 without a body', async () => {
    const me = await signUp(t.http);
    const res = await t.http.head(ME).set(me.auth).expect(200);
    expect(res.text ?? '').toBe('');
  });
});

describe('request ids', () => {
  it('when the client sends a valid X-Request-Id, then errors and successes echo it', async () => {
    const failed = await t.http.get('/api/v1/nope').set('X-Request-Id', 'trace-4711.a:b');
    expect(failed.headers['x-request-id']).toBe('trace-4711.a:b');
    expectProblem(failed, 404);
    const ok = await t.http
      .post(USERS)
      .set('X-Request-Id', 'trace-4712')
      .send(registration())
      .expect(201);
    expect(ok.headers['x-request-id']).toBe('trace-4712');
  });

  it('when the client sends an unusable X-Request-Id, then a fresh one is used', async () => {
    const res = await t.http.get('/api/v1/nope').set('X-Request-Id', 'has spaces <script>');
    expect(res.headers['x-request-id']).not.toBe('has spaces <script>');
    expectProblem(res, 404);
  });
});
